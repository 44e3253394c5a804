/**
 * Director failure: the MASTER is killed hard (`virsh destroy`) while the client probes every
 * 100 ms (both families) and holds long downloads; the BACKUP takes over within the bound, and
 * the long connections survive when connection sync is on. Returns the new roles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { serviceUrl } from '../../ops/ipvs';
import { failoverGap, type ProbeLine } from '../../ops/probe';
import { type E2eCheck, type RunContext, expect, round1, waitFor } from '../context';
import { rolesOf, vipHolder } from '../lab-state';
import { proberArgs, readProbes, sleep } from '../sandbox';
import { BIG_FILE_MIB } from './big-file';
import { spawn } from 'node:child_process';

/** The failover probers' stop file (written once the MASTER's return no longer needs them). */
export const failoverStopFile = (runDir: string) => path.join(runDir, 'probe.stop');

/** The outage and what followed it, from the probes around the kill at `killedAt` (ms). */
export function judgeTakeover(probes: readonly ProbeLine[], killedAt: number): { gap: number; after: readonly ProbeLine[] } {
  const gap = failoverGap(probes, killedAt);
  expect(gap !== undefined, `no successful probe after the kill (${probes.length} probes)`);
  return { gap: gap!, after: probes.filter((p) => p.t > killedAt + gap! + 1000) };
}

/** Starts the failover's probers (IPv4, and the IPv6 VIP's when there is one) and long downloads. */
function startLoad({ settings, sb, s0, s6, client }: RunContext) {
  const stopFile = failoverStopFile(settings.runDir);
  fs.rmSync(stopFile, { force: true });
  const probeLog = path.join(settings.runDir, 'probe.jsonl');
  const probeLog6 = path.join(settings.runDir, 'probe6.jsonl');
  const prober = (url: string, log: string) => {
    const [cmd, ...args] = proberArgs(settings, url, log, stopFile, 100, 300, 900);
    return spawn(cmd, args, { stdio: 'ignore' });
  };
  const probe = prober(serviceUrl(s0), probeLog);
  // The IPv6 VIP moves with the IPv4 one (one sync group): its own prober times its gap.
  const probe6 = s6 ? prober(serviceUrl(s6), probeLog6) : undefined;
  // Long-lived connections (about 30 s each at 512 KiB/s) opened before the failover.
  const longDownloads = client.extra.slice(0, 4).map((source) => {
    const proc = sb.spawnClient(['curl', '-sS', '--interface', source, '--limit-rate', '512k', '--max-time', '300', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', serviceUrl(s0, 'big.bin')], 'pipe');
    let out = '';
    proc.stdout!.on('data', (d) => (out += d));
    proc.stderr!.on('data', (d) => (out += d));
    return new Promise<{ code: number | null; out: string }>((resolve) => proc.on('close', (code) => resolve({ code, out })));
  });
  return { probe, probe6, probeLog, probeLog6, longDownloads };
}

export const directorFailure: E2eCheck = {
  id: 'director-failure',
  appliesTo: () => true,
  name: () => 'director failure: the BACKUP takes over when the MASTER is killed',
  async run(ctx) {
    const { sb, lab, s0, state, result, roles: { master, backup } } = ctx;
    const load = startLoad(ctx);
    await sleep(5000);
    const killedAt = Date.now();
    state.failover = { killed: master, killedAtMs: killedAt, gapMs: undefined, probe6: load.probe6, probeLog6: load.probeLog6, longDownloads: load.longDownloads };
    const r = sb.virsh('destroy', master.domainName);
    expect(r.status === 0, `virsh destroy ${master.domainName}: ${r.stderr}`);
    const holder = await waitFor(`${backup.name} to hold the VIP`, 60, () => (vipHolder(sb, lab, s0.vip) === backup.name ? backup.name : undefined), 500);
    await sleep(5000);
    const probes = readProbes(load.probeLog).filter((p) => p.t >= killedAt - 2000);
    const gap = failoverGap(probes, killedAt);
    state.failover = { ...state.failover, gapMs: gap };
    result.figures.failoverGapSec = gap === undefined ? undefined : round1(gap / 1000);
    const { after: afterGap } = judgeTakeover(probes, killedAt);
    const arpNow = sb.clientArp(s0.vip);
    expect(arpNow === backup.macAddress, `after failover ${s0.vip} is-at ${arpNow}, expected ${backup.name} ${backup.macAddress}`);
    const errors = afterGap.filter((p) => !p.ok);
    expect(errors.length === 0, `${errors.length}/${afterGap.length} probes failed after the takeover: ${JSON.stringify(errors.slice(0, 3))}`);
    load.probe.kill();
    return {
      detail: `${holder} holds the VIP; service gap ${(gap! / 1000).toFixed(2)}s (goal ≤ ${3 * lab.vrrp.advertIntSec + 1}s); ${afterGap.length} probes after it all OK`,
      roles: rolesOf(lab, backup.name),
    };
  },
};

/** Whether the long downloads survived: each `200 <full size>` with exit 0. */
export function judgeConnectionSync(outcomes: readonly { code: number | null; out: string }[], syncOn: boolean): { survived: number; summary: string } {
  const full = BIG_FILE_MIB * 1024 * 1024;
  const survived = outcomes.filter((o) => o.code === 0 && o.out.trim() === `200 ${full}`).length;
  const summary = `${survived}/${outcomes.length} long downloads completed (${outcomes.map((o) => `exit ${o.code} ${o.out.trim()}`).join('; ')})`;
  if (syncOn) expect(survived === outcomes.length && outcomes.length > 0, summary);
  return { survived, summary };
}

export const connectionSync: E2eCheck = {
  id: 'connection-sync',
  appliesTo: () => true,
  name: ({ lab }) => `connection sync: connections opened before the failover ${lab.vrrp.connectionSync ? 'survive it' : '(sync off: recorded only)'}`,
  async run({ lab, state, result }) {
    const outcomes = await Promise.all(state.failover?.longDownloads ?? []);
    const full = BIG_FILE_MIB * 1024 * 1024;
    const survived = outcomes.filter((o) => o.code === 0 && o.out.trim() === `200 ${full}`).length;
    result.figures.connectionsSurvived = `${survived}/${outcomes.length}`;
    return judgeConnectionSync(outcomes, lab.vrrp.connectionSync).summary;
  },
};
