import { judgeConnectionSync, judgeTakeover } from '../../../e2e/checks/director-failure';
import { recordedProbes } from './recorded';

/*
 * The director-failure probes of the run (100 ms, e2e/probe.js): the feature lab's (fast failover,
 * result 0.7 s) and the default lab's (advert 1 s, result 3.7 s). The MASTER was killed 5 s after
 * the probers started; the probes from 2 s before the kill on are judged.
 */
const around = (name: string) => {
  const probes = recordedProbes(name);
  const killedAt = probes[0].t + 5000;
  return { killedAt, probes: probes.filter((p) => p.t >= killedAt - 2000) };
};

describe('judgeTakeover', () => {
  test.each([
    ['probe-failover.jsonl', 0.7],
    ['probe-failover-default.jsonl', 3.7],
  ])('%s: the gap the run recorded, and every probe after it answered', (file, gapSec) => {
    const { killedAt, probes } = around(file);
    const { gap, after } = judgeTakeover(probes, killedAt);
    expect(Math.round(gap / 100) / 10).toBe(gapSec);
    expect(after.length).toBeGreaterThan(30);
    expect(after.every((p) => p.ok)).toBe(true);
  });

  test('no answer after the kill fails, with the probes counted', () => {
    const { killedAt, probes } = around('probe-failover.jsonl');
    const cut = probes.filter((p) => p.t < killedAt || !p.ok);
    expect(() => judgeTakeover(cut, killedAt)).toThrow(`no successful probe after the kill (${cut.length} probes)`);
  });
});

describe('judgeConnectionSync', () => {
  // curl's `-w '%{http_code} %{size_download}'` of the four 16 MiB downloads, as the run saw them.
  const full = { code: 0, out: '200 16777216' };
  test('all four completed: sync on passes', () => {
    expect(judgeConnectionSync([full, full, full, full], true)).toEqual({ survived: 4, summary: '4/4 long downloads completed (exit 0 200 16777216; exit 0 200 16777216; exit 0 200 16777216; exit 0 200 16777216)' });
  });
  test('a reset one fails with sync on, is recorded only with it off', () => {
    const reset = { code: 56, out: 'curl: (56) Recv failure: Connection reset by peer\n200 4194304' };
    expect(() => judgeConnectionSync([full, reset], true)).toThrow(/^1\/2 long downloads completed/);
    expect(judgeConnectionSync([full, reset], false).survived).toBe(1);
  });
});
