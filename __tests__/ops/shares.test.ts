import { judgeShares, predictShares, type ShareMember } from '../../ops/shares';

const two: ShareMember[] = [{ name: 'web-1', weight: 3 }, { name: 'web-2', weight: 1 }];
const sequential = { requests: 100, concurrency: 1 };

describe('predictShares', () => {
  test('rr: even shares whatever the weights (a weight of 0 takes a server out)', () => {
    expect(predictShares('rr', 0, [...two, { name: 'web-3', weight: 0 }], sequential)).toMatchObject({ kind: 'shares', shares: { 'web-1': 0.5, 'web-2': 0.5, 'web-3': 0 } });
  });
  test('wrr: weight shares', () => {
    expect(predictShares('wrr', 0, two, sequential)).toMatchObject({ kind: 'shares', shares: { 'web-1': 0.75, 'web-2': 0.25 } });
  });
  test('wlc, one request at a time, from empty counts: by weight', () => {
    expect(predictShares('wlc', 0, two, sequential)).toMatchObject({ kind: 'shares', shares: { 'web-1': 0.75, 'web-2': 0.25 } });
  });
  test('lc, one request at a time, from the leftover counts: the emptier server first', () => {
    // web-1 holds 40 inactive connections from earlier traffic: the first 40 requests go to web-2
    const p = predictShares('lc', 0, [{ name: 'web-1', weight: 1, inactiveConns: 40 }, { name: 'web-2', weight: 1 }], sequential);
    expect(p).toMatchObject({ kind: 'shares', shares: { 'web-1': 0.3, 'web-2': 0.7 } });
  });
  test('an active connection weighs 256 inactive ones', () => {
    const p = predictShares('lc', 0, [{ name: 'web-1', weight: 1, activeConns: 1 }, { name: 'web-2', weight: 1 }], sequential);
    expect(p).toMatchObject({ kind: 'shares', shares: { 'web-1': 0, 'web-2': 1 } });
  });
  test('wlc with connections at once: by weight, approximately', () => {
    expect(predictShares('wlc', 0, two, { requests: 100, concurrency: 8 })).toMatchObject({ kind: 'shares', shares: { 'web-1': 0.75, 'web-2': 0.25 } });
  });
  test('hashing and persistence from one address: one server', () => {
    expect(predictShares('sh', 0, two, sequential)).toMatchObject({ kind: 'one-server', allowed: ['web-1', 'web-2'] });
    expect(predictShares('dh', 0, two, sequential)).toMatchObject({ kind: 'one-server' });
    expect(predictShares('wrr', 300, two, sequential)).toMatchObject({ kind: 'one-server', basis: expect.stringContaining('persistence (300 s)') });
  });
  test('sed one at a time: a highest-weight server; nq: any; with concurrency: not predicted', () => {
    expect(predictShares('sed', 0, two, sequential)).toMatchObject({ kind: 'one-server', allowed: ['web-1'] });
    expect(predictShares('nq', 0, two, sequential)).toMatchObject({ kind: 'one-server', allowed: ['web-1', 'web-2'] });
    expect(predictShares('sed', 0, two, { requests: 10, concurrency: 4 }).kind).toBe('none');
  });
  test('no live server: nothing to predict', () => {
    expect(predictShares('wrr', 0, [{ name: 'web-1', weight: 0 }], sequential).kind).toBe('none');
  });
});

describe('judgeShares', () => {
  const wrr = predictShares('wrr', 0, two, sequential);
  test('within the tolerance', () => {
    const { verdicts, problems } = judgeShares(wrr, { 'web-1': 70, 'web-2': 30 }, 0.1, ['web-1', 'web-2']);
    expect(problems).toEqual([]);
    expect(verdicts).toEqual([
      { name: 'web-1', count: 70, share: 0.7, predicted: 0.75, ok: true },
      { name: 'web-2', count: 30, share: 0.3, predicted: 0.25, ok: true },
    ]);
  });
  test('fails when a share is off by more than the tolerance', () => {
    const { problems } = judgeShares(wrr, { 'web-1': 50, 'web-2': 50 }, 0.1, ['web-1', 'web-2']);
    expect(problems).toEqual(['web-1 got 50.0% of 100, predicted 75.0% ± 10 points', 'web-2 got 50.0% of 100, predicted 25.0% ± 10 points']);
  });
  test('a server nobody predicted that answers is shown and judged', () => {
    const { verdicts, problems } = judgeShares(wrr, { 'web-1': 75, 'web-2': 20, stray: 5 }, 0.1, ['web-1', 'web-2']);
    expect(verdicts.map((v) => v.name)).toEqual(['web-1', 'web-2', 'stray']);
    expect(problems).toEqual([]);
  });
  test('one-server: fails when two servers answered', () => {
    const sh = predictShares('sh', 0, two, sequential);
    expect(judgeShares(sh, { 'web-1': 100 }, 0.1, ['web-1', 'web-2']).problems).toEqual([]);
    expect(judgeShares(sh, { 'web-1': 60, 'web-2': 40 }, 0.1, ['web-1', 'web-2']).problems).toEqual(['expected every request on one server of web-1, web-2, got web-1 60, web-2 40']);
  });
  test('fails when nothing answered', () => {
    expect(judgeShares(wrr, {}, 0.1, ['web-1', 'web-2']).problems).toEqual(['no request was answered']);
  });
});
