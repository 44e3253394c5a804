import { judgeFastGap, judgeQuiet } from '../../../e2e/checks/fast-failover';
import { recordedProbes } from './recorded';

describe('fast failover', () => {
  test("the run's 120 s quiet window: 1200 probes, no transition, none failed", () => {
    const probes = recordedProbes('probe-fast-quiet.jsonl');
    expect(judgeQuiet(120, probes, new Map([['lb-a', []], ['lb-b', []]]))).toBe('0 of 1200 probes failed');
  });
  test('a transition nobody caused fails, naming the director', () => {
    const probes = recordedProbes('probe-fast-quiet.jsonl');
    expect(() => judgeQuiet(120, probes, new Map([['lb-a', ['BACKUP']], ['lb-b', ['MASTER']]]))).toThrow('2 VRRP transitions nobody caused: lb-a BACKUP; lb-b MASTER');
  });
  test('too few probes for the window fails', () => {
    expect(() => judgeQuiet(120, recordedProbes('probe-fast-quiet.jsonl').slice(0, 500), new Map())).toThrow('only 500 probes in 120 s: the client could not probe');
  });
  test('the gap is judged only when the config promises a fast failover and a gap was measured', () => {
    expect(judgeFastGap('lb-b', 0.828, 700)).toBe(700);
    expect(() => judgeFastGap('lb-b', 3.1, 700)).toThrow('the config promises no fast failover: lb-b takes 3.100 s');
    expect(() => judgeFastGap('lb-b', 0.828, undefined)).toThrow('no failover gap was measured');
  });
});
