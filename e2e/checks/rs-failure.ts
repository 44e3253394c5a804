/**
 * Real-server failure: the web service stops on one real server; it leaves the IPVS table within
 * the bound its health check implies (the first check within delay_loop, then the failed attempt
 * plus `retry` retries), nobody is sent to it meanwhile, and it returns once it serves again.
 */
import type { ResolvedService } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { servedBy } from '../../ops/traffic';
import { type ServiceCheck, expect, round1, waitFor } from '../context';
import { inIpvsTable, vipHolder } from '../lab-state';
import { now } from '../sandbox';

/** The health check's removal bound in seconds (0 without one). */
export function healthRemovalBoundSec(s: ResolvedService): number {
  const hc = s.healthCheck;
  return hc.type === 'none' ? 0 : s.delayLoopSec + (hc.retry + 1) * hc.connectTimeoutSec + hc.retry * hc.delayBeforeRetrySec + 2;
}

/** A removal bound for a service's checkers: the health check's, or the MISC check's. */
export function removalBoundSec(s: ResolvedService): number {
  const misc = s.miscCheck ? s.delayLoopSec + s.miscCheck.timeoutSec + 2 : 0;
  return Math.max(healthRemovalBoundSec(s), misc);
}

export const rsFailureNotApplicable: ServiceCheck = {
  id: 'rs-failure-none',
  appliesTo: (_ctx, s) => s.healthCheck.type === 'none',
  name: (_ctx, s) => `real-server failure on ${serviceUrl(s)}: not applicable`,
  run: () => 'healthCheck none: keepalived never removes a real server (by design)',
};

const victimOf = (lab: { realServers: readonly { name: string; weight: number; address: string }[] }, s: ResolvedService) =>
  lab.realServers.find((r) => s.realServers.includes(r.name) && r.weight > 0)!;

export const rsFailure: ServiceCheck = {
  id: 'rs-failure',
  appliesTo: (_ctx, s) => s.healthCheck.type !== 'none',
  name: ({ lab }, s) => `real-server failure: ${victimOf(lab, s).name} leaves ${serviceUrl(s)} within ${healthRemovalBoundSec(s)}s and returns`,
  async run({ sb, lab, result, roles }, s) {
    const user = lab.ssh.user;
    const hc = s.healthCheck as Exclude<ResolvedService['healthCheck'], { type: 'none' }>;
    const victim = victimOf(lab, s);
    const holderName = vipHolder(sb, lab, s.vip) ?? roles.master.name;
    const holder = lab.directors.find((d) => d.name === holderName)!;
    const boundSec = healthRemovalBoundSec(s);
    const inTable = () => inIpvsTable(sb, lab, holder, s, victim);
    const stop = sb.ssh(user, victim.address, 'sudo systemctl stop nginx', 30);
    expect(stop.status === 0, `systemctl stop nginx on ${victim.name}: ${stop.stderr}`);
    const stoppedAt = now();
    let removal: number;
    try {
      await waitFor(`${victim.name} to leave the IPVS table`, boundSec + 30, () => (inTable() === false ? true : undefined), 500);
      removal = now() - stoppedAt;
      result.figures.realServerRemovalSec = round1(removal);
      expect(removal <= boundSec, `${victim.name} left after ${removal.toFixed(1)}s, later than the ${boundSec}s its health check implies`);
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = sb.httpGet(serviceUrl(s), { maxTimeSec: 2 });
        expect(r.ok, `request ${i + 1} after removal failed: ${r.detail}`);
        answers.push(servedBy(r.body) ?? '?');
      }
      expect(!answers.includes(victim.name), `${victim.name} still answered after removal`);
    } finally {
      // Whatever the check found, the server serves again for the checks after it.
      const start = sb.ssh(user, victim.address, 'sudo systemctl start nginx', 30);
      expect(start.status === 0, `systemctl start nginx on ${victim.name}: ${start.stderr}`);
    }
    const startedAt = now();
    await waitFor(`${victim.name} to return to the IPVS table`, s.delayLoopSec + hc.connectTimeoutSec + 30, () => (inTable() ? true : undefined), 500);
    return `removed after ${removal.toFixed(1)}s (bound ${boundSec}s), 20/20 requests OK meanwhile, back after ${(now() - startedAt).toFixed(1)}s`;
  },
};
