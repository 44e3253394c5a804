/**
 * Readiness: every real server answers through every VIP, and every VM's cloud-init has finished
 * (served is not yet ready: a director still installing keepalived has not joined the election).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedLab, ResolvedService } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { ONE_SERVER } from '../../ops/shares';
import { servedBy } from '../../ops/traffic';
import { type E2eCheck, expect, round1, waitFor } from '../context';
import { bootFinished, cloudInitStatus } from '../lab-state';
import { now } from '../sandbox';

/** The real servers a service must be seen answering from: its live ones. */
const expected = (lab: ResolvedLab, s: ResolvedService) => s.realServers.filter((n) => lab.realServers.find((r) => r.name === n)!.weight > 0);

/** Whether every service has been answered from every server it should be (one, for a one-server scheduler). */
export function everyServerSeen(lab: ResolvedLab, services: readonly ResolvedService[], seen: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  return services.every((s) =>
    ONE_SERVER.has(s.scheduler) ? seen.get(serviceUrl(s))!.size >= 1 : expected(lab, s).every((n) => seen.get(serviceUrl(s))!.has(n)));
}

export const readiness: E2eCheck = {
  id: 'readiness',
  gate: true,
  appliesTo: () => true,
  name: () => 'every real server answers through the VIP (readiness)',
  async run({ settings, sb, lab, tcpServices, client, state, result }) {
    const seen = new Map<string, Set<string>>(tcpServices.map((s) => [serviceUrl(s), new Set<string>()]));
    const sources = [client.ip, ...client.extra];
    const finished = new Set<string>();
    let attempt = 0;
    await waitFor(
      "every real server to answer through its VIP and every VM's cloud-init to finish",
      settings.readyTimeoutSec,
      () => {
        attempt++;
        for (const s of tcpServices) {
          // Hash schedulers stick a source to one server: vary the source address.
          const r = sb.httpGet(serviceUrl(s), { source: sources[attempt % sources.length], maxTimeSec: 2 });
          const name = r.ok ? servedBy(r.body) : undefined;
          if (name) seen.get(serviceUrl(s))!.add(name);
        }
        return everyServerSeen(lab, tcpServices, seen) && bootFinished(sb, lab, finished) ? true : undefined;
      },
      300,
      () =>
        tcpServices
          .map((s) => `${serviceUrl(s)} answered from [${[...seen.get(serviceUrl(s))!].join(', ')}], expected [${expected(lab, s).join(', ')}]`)
          .join('; ') + `; cloud-init finished on [${[...finished].join(', ')}]; ${cloudInitStatus(sb, lab)}`,
    );
    result.figures.timeToReadySec = round1(now() - state.deployStart);
    state.readyAt = now();
    return `ready ${result.figures.timeToReadySec}s after deploy start`;
  },
};

export const defaultKey: E2eCheck = {
  id: 'default-key',
  appliesTo: ({ labConfig }) => (labConfig.ssh?.authorizedKeys ?? []).length === 0,
  name: () => "the config lists no ssh key: the deploy authorized the user's default key, which logs in to every VM",
  run({ settings, sb, lab }) {
    const user = lab.ssh.user;
    const deployLog = path.join(settings.logDir, 'cdktf-deploy.log');
    expect(fs.readFileSync(deployLog, 'utf8').includes('authorizing ~/.ssh/id_ed25519.pub for user'), `the deploy output does not say which key it authorized (${deployLog})`);
    for (const vm of [...lab.directors, ...lab.realServers]) {
      const r = sb.ssh(user, vm.address, 'id -un', 15);
      expect(r.status === 0 && r.stdout.trim() === user, `ssh ${user}@${vm.name} with ~/.ssh/id_ed25519: exit ${r.status} ${r.stderr.trim()}`);
    }
    return `"authorizing ~/.ssh/id_ed25519.pub" in the deploy output; ${user}@ every VM with that key`;
  },
};
