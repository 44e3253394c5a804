/**
 * Drill libvirtd-restart: libvirtd restarts under the running lab: it serves on, every domain
 * keeps running, and the next `cdktf deploy` changes nothing (e2e/checks/deploy.ts).
 */
import type { ResolvedLab } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { probeSummary, type ProbeLine } from '../../ops/probe';
import { type E2eCheck, expect } from '../context';
import { domainsNotRunning } from '../lab-state';
import { sleep } from '../sandbox';

/**
 * Serving on: enough probes, no outage as long as a failover's (3 × advert_int + 1 s), serving at
 * the end; the failed probes go to bench/e2e.md against the goal of none.
 */
export function judgeServedOn(lab: ResolvedLab, probes: readonly ProbeLine[]): string {
  const summary = probeSummary(probes);
  expect(probes.length >= 20, `only ${probes.length} probes: the client could not probe`);
  const boundMs = (3 * lab.vrrp.advertIntSec + 1) * 1000;
  expect(summary.longestMs < boundMs, `${summary.text}: an outage as long as a failover (${boundMs / 1000} s)`);
  expect(probes.slice(-5).every((p) => p.ok), `not serving after the restart: ${summary.text}`);
  return summary.text;
}

export const libvirtdRestart: E2eCheck = {
  id: 'libvirtd-restart',
  appliesTo: ({ settings }) => settings.drills.has('libvirtd-restart'),
  name: () => 'drill: libvirtd restarts under the running lab: it serves on, every domain keeps running',
  async run({ sb, lab, s0, result }) {
    const probe = sb.startProbe(serviceUrl(s0), 'libvirtd-restart');
    let probes: ProbeLine[] = [];
    try {
      await sleep(2000);
      const r = sb.sandboxScript('restart-libvirtd', [], 120);
      expect(r.status === 0, `restart-libvirtd: ${r.stderr.trim()}`);
      await sleep(5000);
    } finally {
      probes = await probe.stop();
    }
    result.figures.drills = { ...result.figures.drills, libvirtdRestartFailedProbes: probeSummary(probes).failed };
    const down = domainsNotRunning(sb, lab);
    expect(down.length === 0, `not running after the restart: ${down.join(', ')}`);
    return `libvirtd restarted; ${judgeServedOn(lab, probes)} (goal 0); every domain running (the next deploy must change nothing)`;
  },
};
