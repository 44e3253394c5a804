import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { updateBenchmark, type E2eResult } from '../../e2e/results';

const base: E2eResult = {
  lab: 'e2ef', config: 'e2e/lab-features.yaml', transport: 'multicast', engine: 'tofu', networkMode: 'bridge',
  imageMode: 'URL, preinstalled', startedAt: '2026-12-01T10:00:00.000Z', passed: true, directors: 2, realServers: 2,
  advertIntSec: 0.2, connectionSync: true, checks: [], figures: {},
};

function row(result: E2eResult): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-bench-'));
  try {
    const file = path.join(dir, 'e2e.md');
    updateBenchmark(file, result);
    return fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('| 2026-12-01'))!;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('bench/e2e.md rows: issue 8 figures', () => {
  test('a fast-failover lab shows its gap to 10 ms against 1 s, the takeover its config implies and the quiet window', () => {
    const line = row({
      ...base,
      figures: { failoverGapSec: 0.7, fastFailover: { gapSec: 0.68, downIntervalSec: 0.61, quietSec: 120, spuriousTransitions: 0, quietFailedProbes: 0 } },
    });
    expect(line).toContain('| 0.68 s (fast failover, goal < 1 s; takeover 0.61 s after the last advert; 0 spurious transitions, 0 failed probes in 120 s) |');
  });

  test('the link-down drill goes into the drills cell', () => {
    const line = row({ ...base, figures: { drills: { linkDownTakeoverSec: 0.74, linkUpGapSec: 0.2 } } });
    expect(line).toMatch(/\| MASTER link down: 0\.74 s outage, 0\.2 s when it returned \|$/);
  });

  test('other labs keep their cell: the gap against 3 adverts + 1 s', () => {
    expect(row({ ...base, advertIntSec: 1, figures: { failoverGapSec: 3.1 } })).toContain('| 3.1 s (goal ≤ 4 s) |');
  });
});

describe('bench/e2e.md: what follows the table', () => {
  test('stays when a run is added (the comparisons the docs cite outlive their rows)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-bench-'));
    try {
      const file = path.join(dir, 'e2e.md');
      updateBenchmark(file, base);
      expect(fs.readFileSync(file, 'utf8').endsWith('<!-- runs:end -->\n')).toBe(true);
      fs.appendFileSync(file, '\n## Cited\n\nkept\n');
      updateBenchmark(file, { ...base, startedAt: '2026-12-02T10:00:00.000Z' });
      const text = fs.readFileSync(file, 'utf8');
      expect(text.endsWith('<!-- runs:end -->\n\n## Cited\n\nkept\n')).toBe(true);
      expect(text.match(/^\| 2026-12-0/gm)).toHaveLength(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
