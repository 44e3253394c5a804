/**
 * `lvs-lab drill`: the e2e's fault drills as operator tools, each bounded in time and always
 * putting back what it broke.
 *
 * - failover: `systemctl stop keepalived` on the MASTER while every VIP is probed every 100 ms;
 *   the outage (ops/probe.ts failoverGap: from the last answer before the first failure to the
 *   first answer after it) and the new MASTER; then keepalived starts again and the VIP should
 *   end where the config says (back on the highest priority, or staying put with nopreempt).
 *   A stop, not a kill: a stopping keepalived removes the VIPs and sends a priority-0 advert, so
 *   the BACKUP takes over at once, as in a planned switch-over. `kill -9` would leave the VIP on
 *   lab0 of a director that still answers ARP for it: two hosts claiming one address, which is
 *   no failure a real director has. A crash of the whole director is `virsh destroy` (the e2e
 *   does that); its outage is longer: the BACKUP waits 3 × advert_int for adverts that never come.
 * - rs-down NAME: `systemctl stop nginx` on a real server; how long until the MASTER's IPVS table
 *   drops it (its health check), then start it and how long until it is back.
 */
import { LAB_INTERFACE, labVips, labVips6, type ResolvedDirector, type ResolvedLab, type ResolvedRealServer, type ResolvedService } from '../lab';
import type { OpsHost } from './host';
import { boundVips } from './iproute';
import { parseIpvsServices, realServerAddress, serviceKey, serviceUrl } from './ipvs';
import { failoverGap, probeSummary, startProber, type Prober, type ProbeLine } from './probe';
import { DIRECTOR_QUESTIONS, lastLine, privilegeFix, reachFix, WEB_SERVICE } from './remote';
import { renderTable } from './table';

/** The probers of the failover drill: one GET every 100 ms, failed after 300 ms (the e2e's failover probe). */
export const FAILOVER_PROBE = { intervalMs: 100, timeoutMs: 300 } as const;
/** How often the drills ask the directors who holds the VIP, or what their table holds. */
const POLL_MS = 500;

/** A drill could not be run or went wrong: what was tried and what to do. */
export class DrillError extends Error {}

/** Whether a director's `ip -o addr show dev lab0` lists every one of `vips`: it holds them. */
export const holdsVips = (addresses: string, vips: readonly string[]): boolean => boundVips(addresses, vips, LAB_INTERFACE).length === vips.length;

/** Who holds the lab's VIPs now: the directors with every VIP on lab0 (unreachable ones count as none). */
export async function vipHolders(host: OpsHost, lab: ResolvedLab): Promise<ResolvedDirector[]> {
  const vips = [...labVips(lab), ...labVips6(lab)];
  const answers = await Promise.all(lab.directors.map((d) => host.remote(d.address, [DIRECTOR_QUESTIONS.addresses], 10_000)));
  return lab.directors.filter((_, i) => {
    const a = answers[i];
    return a.reached && a.steps[0].status === 0 && holdsVips(a.steps[0].output, vips);
  });
}

/** Runs a privileged command on a VM; throws a DrillError saying what failed and what to do. */
async function privileged(host: OpsHost, lab: ResolvedLab, vm: { name: string; address: string }, command: string): Promise<void> {
  const r = await host.remote(vm.address, [command], 30_000);
  if (!r.reached) throw new DrillError(`\`${host.describeRemote(vm.address)} ${command}\` did not get through: ${r.why}\n  fix: ${reachFix(r.why, lab.libvirtUri)}`);
  if (r.steps[0].status !== 0) {
    throw new DrillError(`\`${command}\` on ${vm.name} failed: ${lastLine(r.steps[0].output, r.steps[0].status)}\n  fix: ${privilegeFix(r.steps[0].output, lab.ssh.user)}`);
  }
}

/** Polls `probe` every POLL_MS until it returns a value or `deadline` passes (then undefined). */
async function pollUntil<T>(host: OpsHost, deadline: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (host.now() + POLL_MS > deadline) return undefined;
    await host.sleep(POLL_MS);
  }
}

export interface DrillOptions {
  /** The whole drill, restore included, ends within this long. */
  readonly timeLimitMs: number;
}

/** One VIP's probes during the failover drill. */
export interface VipProbes {
  readonly vip: string;
  readonly url: string;
  readonly probes: number;
  readonly failed: number;
  /** The failover's outage, ms; null when the service never answered again. */
  readonly gapMs: number | null;
  /** The outage when the old MASTER came back (preemption), ms; null when not measured. */
  readonly restoreGapMs: number | null;
}

export interface FailoverReport {
  readonly version: 1;
  readonly drill: 'failover';
  readonly ok: boolean;
  readonly lab: string;
  /** The MASTER before the drill, whose keepalived was stopped. */
  readonly stopped: string;
  /** The director that took the VIPs over; null when none did. */
  readonly newMaster: string | null;
  /** ms from the stop until the new MASTER was seen holding every VIP. */
  readonly takeoverMs: number | null;
  readonly vips: readonly VipProbes[];
  /** After keepalived started again on `stopped`. */
  readonly restore: {
    readonly started: boolean;
    /** Where the config says the VIP belongs: the highest priority director, or (nopreempt) the new MASTER. */
    readonly expectedHolder: string;
    readonly holder: string | null;
    /** ms from the start until `expectedHolder` held the VIPs (the preemption); null when it did not. */
    readonly settledMs: number | null;
    readonly asConfigured: boolean;
  };
  readonly problems: readonly string[];
}

/** The first TCP service of each VIP: what a prober asks. */
function probeTargets(lab: ResolvedLab): { vip: string; url: string }[] {
  return [...labVips(lab), ...labVips6(lab)].flatMap((vip) => {
    const s = lab.services.find((x) => x.vip === vip && x.protocol === 'TCP');
    return s ? [{ vip, url: serviceUrl(s) }] : [];
  });
}

/** The one MASTER the drill stops and the URLs it probes; a DrillError when the lab cannot be drilled. */
async function drillPreconditions(host: OpsHost, lab: ResolvedLab): Promise<{ master: ResolvedDirector; targets: { vip: string; url: string }[] }> {
  const holders = await vipHolders(host, lab);
  if (holders.length !== 1) {
    throw new DrillError(`the drill needs exactly one MASTER, found ${holders.length ? holders.map((d) => d.name).join(' and ') : 'none'} holding the VIPs\n  fix: run \`npm run lvs-lab -- status\` and fix what it reports first`);
  }
  if (lab.directors.length < 2) throw new DrillError('the lab has one director: nobody could take over');
  const targets = probeTargets(lab);
  if (targets.length === 0) throw new DrillError('the lab has no TCP service to probe (the demo service answers HTTP)');
  return { master: holders[0], targets };
}

/** Each VIP's probes split at the restart: the failover's outage and the restore's. */
function vipOutages(targets: readonly { vip: string; url: string }[], probes: ReadonlyMap<string, ProbeLine[]>, stoppedAt: number | undefined, startedAt: number | undefined) {
  return targets.map((t) => {
    const all = probes.get(t.vip) ?? [];
    const failover = all.filter((p) => startedAt === undefined || p.t < startedAt);
    const gap = stoppedAt === undefined ? null : failoverGap(failover, stoppedAt) ?? null;
    const restoreProbes = startedAt === undefined ? [] : all.filter((p) => p.t >= startedAt - FAILOVER_PROBE.intervalMs);
    return {
      vip: t.vip, url: t.url, probes: all.length, failed: probeSummary(all).failed, gapMs: gap,
      restoreGapMs: startedAt === undefined ? null : failoverGap(restoreProbes, startedAt) ?? null,
    };
  });
}

/** Stops keepalived on the MASTER, measures the outage, starts it again. */
export async function runFailoverDrill(host: OpsHost, lab: ResolvedLab, options: DrillOptions): Promise<FailoverReport> {
  const deadline = host.now() + options.timeLimitMs;
  const { master, targets } = await drillPreconditions(host, lab);
  const advertMs = lab.vrrp.advertIntSec * 1000;
  const probers = new Map<string, Prober>(targets.map((t) => [t.vip, startProber(host, t.url, { ...FAILOVER_PROBE, maxMs: options.timeLimitMs })]));
  const problems: string[] = [];
  let stoppedAt: number | undefined;
  let startedAt: number | undefined;
  let newMaster: ResolvedDirector | undefined;
  let takeoverMs: number | null = null;
  let restored = { started: false, holder: null as string | null, settledMs: null as number | null };
  const expected = lab.vrrp.nopreempt ? undefined : lab.directors[0];
  let probes = new Map<string, ProbeLine[]>();
  try {
    // a baseline: the service answers before anything is broken
    await host.sleep(2000);
    const silent = targets.filter((t) => !probers.get(t.vip)!.probes.some((p) => p.ok));
    if (silent.length > 0) throw new DrillError(`${silent.map((t) => t.url).join(', ')} did not answer before the drill\n  fix: run \`npm run lvs-lab -- status\``);
    stoppedAt = host.now();
    await privileged(host, lab, master, 'sudo -n systemctl stop keepalived');
    // the BACKUP takes over within 3 adverts (and at once on the stopping MASTER's priority-0 advert)
    newMaster = await pollUntil(host, Math.min(deadline, stoppedAt + 3 * advertMs + 15_000), async () => {
      const now = await vipHolders(host, lab);
      return now.length === 1 && now[0].name !== master.name ? now[0] : undefined;
    });
    if (!newMaster) problems.push(`no director took the VIPs over within ${(3 * advertMs + 15_000) / 1000} s of stopping keepalived on ${master.name}`);
    else takeoverMs = host.now() - stoppedAt;
    // a few seconds of probes after the takeover, so that the outage has its end
    await host.sleep(Math.max(0, Math.min(3000, deadline - host.now())));
  } finally {
    if (stoppedAt !== undefined) {
      // put it back whatever happened above
      try {
        startedAt = host.now();
        await privileged(host, lab, master, 'sudo -n systemctl start keepalived');
        restored.started = true;
      } catch (error) {
        problems.push(`keepalived could not be started again on ${master.name}: ${(error as Error).message}`);
      }
    }
    if (restored.started) {
      const want = expected ?? newMaster;
      const settleBy = Math.min(deadline, startedAt! + 3 * advertMs + 20_000);
      // with nopreempt nothing should move: watch for a while that it does not
      const holder = await pollUntil(host, settleBy, async () => {
        const now = await vipHolders(host, lab);
        if (now.length !== 1) return undefined;
        if (!expected) return host.now() >= startedAt! + 3 * advertMs + 2000 ? now[0] : undefined;
        return now[0].name === expected.name ? now[0] : undefined;
      });
      const seen = holder ?? (await vipHolders(host, lab))[0];
      restored = { started: true, holder: seen?.name ?? null, settledMs: holder && expected ? host.now() - startedAt! : null };
      if (want && seen?.name !== want.name) {
        problems.push(`after keepalived started again on ${master.name} the VIPs are on ${seen?.name ?? 'no director'}, expected ${want.name} (${lab.vrrp.nopreempt ? 'nopreempt: the new MASTER keeps them' : 'the highest priority takes them back'})`);
      }
      await host.sleep(1000);
    }
    probes = new Map(await Promise.all([...probers].map(async ([vip, p]) => [vip, await p.stop()] as const)));
  }
  const vips = vipOutages(targets, probes, stoppedAt, startedAt);
  for (const v of vips) if (v.gapMs === null && stoppedAt !== undefined) problems.push(`${v.url} did not answer again after the failover`);
  return {
    version: 1,
    drill: 'failover',
    ok: problems.length === 0,
    lab: lab.name,
    stopped: master.name,
    newMaster: newMaster?.name ?? null,
    takeoverMs,
    vips,
    restore: { ...restored, expectedHolder: (expected ?? newMaster)?.name ?? master.name, asConfigured: !problems.some((p) => p.startsWith('after keepalived')) && restored.started },
    problems,
  };
}

export interface RsDownReport {
  readonly version: 1;
  readonly drill: 'rs-down';
  readonly ok: boolean;
  readonly lab: string;
  readonly realServer: string;
  /** The director whose table was watched. */
  readonly master: string;
  /** The services it is behind that have a health check. */
  readonly services: readonly string[];
  /** ms from the stop until it left every service's table; null when it did not within the bound. */
  readonly removalMs: number | null;
  /** What the health check settings allow: delay_loop + (retry+1) × connect_timeout + retry × delay_before_retry + 2 s. */
  readonly removalBoundMs: number;
  /** ms from the start until it was back in every table; null when it was not. */
  readonly readdMs: number | null;
  /** Probes of the VIP that failed while the server was down (before the table dropped it). */
  readonly failedProbes: number;
  readonly problems: readonly string[];
}

/**
 * Whether the director's table has `rs` in service under each of `services` (undefined:
 * unreadable): listed, and, where the service inhibits failed servers, with a weight above 0.
 */
async function inTables(host: OpsHost, director: ResolvedDirector, rs: ResolvedRealServer, services: readonly ResolvedService[]): Promise<boolean[] | undefined> {
  const r = await host.remote(director.address, [DIRECTOR_QUESTIONS.ipvs], 10_000);
  if (!r.reached || r.steps[0].status !== 0) return undefined;
  const table = parseIpvsServices(r.steps[0].output);
  return services.map((svc) => table.find((s) => serviceKey(s) === serviceKey(svc))?.destinations
    .some((d) => d.address === realServerAddress(svc, rs) && (d.weight > 0 || !svc.inhibitOnFailure)) ?? false);
}

/** Stops the web service on a real server, times its removal from the MASTER's table, starts it, times its return. */
export async function runRsDownDrill(host: OpsHost, lab: ResolvedLab, name: string, options: DrillOptions): Promise<RsDownReport> {
  const deadline = host.now() + options.timeLimitMs;
  const rs = lab.realServers.find((r) => r.name === name);
  if (!rs) throw new DrillError(`no real server ${name} in lab ${lab.name}; its real servers: ${lab.realServers.map((r) => r.name).join(', ')}`);
  const services = lab.services.filter((s) => s.realServers.includes(name) && s.healthCheck.type !== 'none');
  if (services.length === 0) {
    throw new DrillError(`${name} is behind no service with a health check (healthCheck none, or UDP): keepalived never removes it, so there is nothing to time`);
  }
  const holders = await vipHolders(host, lab);
  if (holders.length !== 1) throw new DrillError(`the drill needs exactly one MASTER, found ${holders.length ? holders.map((d) => d.name).join(' and ') : 'none'}\n  fix: run \`npm run lvs-lab -- status\``);
  const master = holders[0];
  const keys = services.map(serviceKey);
  const before = await inTables(host, master, rs, services);
  if (!before) throw new DrillError(`${master.name}'s IPVS table could not be read (\`${DIRECTOR_QUESTIONS.ipvs}\`)\n  fix: run \`npm run lvs-lab -- status\``);
  if (!before.every(Boolean)) throw new DrillError(`${name} is not in ${master.name}'s IPVS table before the drill: it is down already\n  fix: run \`npm run lvs-lab -- status\``);
  // the slowest service decides: first check within delay_loop, then the failed attempt plus `retry` retries
  const boundMs = Math.max(...services.map((s) => {
    const hc = s.healthCheck as Exclude<typeof s.healthCheck, { type: 'none' }>;
    return (s.delayLoopSec + (hc.retry + 1) * hc.connectTimeoutSec + hc.retry * hc.delayBeforeRetrySec + 2) * 1000;
  }));
  const readdBoundMs = Math.max(...services.map((s) => (s.delayLoopSec + (s.healthCheck as { connectTimeoutSec: number }).connectTimeoutSec + 30) * 1000));
  const target = services.find((s) => s.protocol === 'TCP');
  const prober = target ? startProber(host, serviceUrl(target), { intervalMs: 200, timeoutMs: 2000, maxMs: options.timeLimitMs }) : undefined;
  const problems: string[] = [];
  let removalMs: number | null = null;
  let readdMs: number | null = null;
  let stopped = false;
  try {
    const stoppedAt = host.now();
    await privileged(host, lab, rs, `sudo -n systemctl stop ${WEB_SERVICE}`);
    stopped = true;
    const gone = await pollUntil(host, Math.min(deadline, stoppedAt + boundMs + 30_000), async () => ((await inTables(host, master, rs, services))?.every((x) => !x) ? true : undefined));
    if (gone) {
      removalMs = host.now() - stoppedAt;
      if (removalMs > boundMs) problems.push(`${name} left after ${(removalMs / 1000).toFixed(1)} s, later than the ${boundMs / 1000} s its health check implies`);
    } else {
      problems.push(`${name} was still in ${master.name}'s table ${((host.now() - stoppedAt) / 1000).toFixed(0)} s after its web service stopped`);
    }
  } finally {
    if (stopped) {
      try {
        const startedAt = host.now();
        await privileged(host, lab, rs, `sudo -n systemctl start ${WEB_SERVICE}`);
        const back = await pollUntil(host, Math.min(deadline, startedAt + readdBoundMs), async () => ((await inTables(host, master, rs, services))?.every(Boolean) ? true : undefined));
        if (back) readdMs = host.now() - startedAt;
        else problems.push(`${name} was not back in ${master.name}'s table ${((host.now() - startedAt) / 1000).toFixed(0)} s after its web service started`);
      } catch (error) {
        problems.push(`the web service could not be started again on ${name}: ${(error as Error).message}`);
      }
    }
  }
  const probes = prober ? await prober.stop() : [];
  return {
    version: 1, drill: 'rs-down', ok: problems.length === 0, lab: lab.name, realServer: name, master: master.name, services: keys,
    removalMs, removalBoundMs: boundMs, readdMs, failedProbes: probeSummary(probes).failed, problems,
  };
}

const sec = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function formatFailover(r: FailoverReport): string {
  const out = [
    `failover drill on lab ${r.lab}: keepalived stopped on ${r.stopped} (MASTER)`,
    renderTable(['', ''], [
      ['new MASTER', r.newMaster ?? 'none'],
      ['takeover seen after', sec(r.takeoverMs)],
      ['keepalived started again', r.restore.started ? 'yes' : 'NO'],
      ['VIPs now on', `${r.restore.holder ?? 'no director'} (expected ${r.restore.expectedHolder})`],
      ['taken back after', sec(r.restore.settledMs)],
    ]),
    renderTable(['VIP', 'probes', 'failed', 'failover gap', 'gap on restore'],
      r.vips.map((v) => [v.url, v.probes, v.failed, v.gapMs === null ? 'never answered again' : sec(v.gapMs), sec(v.restoreGapMs)]),
      ['left', 'right', 'right', 'right', 'right']),
    ...r.problems.map((p) => `✗ ${p}`),
    r.ok ? 'lvs-lab drill failover: passed.' : `lvs-lab drill failover: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}.`,
  ];
  return `${out.join('\n')}\n`;
}

export function formatRsDown(r: RsDownReport): string {
  const out = [
    `rs-down drill on lab ${r.lab}: ${WEB_SERVICE} stopped on ${r.realServer}, ${r.master}'s IPVS table watched (${r.services.join(', ')})`,
    renderTable(['', ''], [
      ['left the table after', `${sec(r.removalMs)} (health check bound ${sec(r.removalBoundMs)})`],
      ['back in the table after', sec(r.readdMs)],
      ['probes failed meanwhile', String(r.failedProbes)],
    ]),
    ...r.problems.map((p) => `✗ ${p}`),
    r.ok ? 'lvs-lab drill rs-down: passed.' : `lvs-lab drill rs-down: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}.`,
  ];
  return `${out.join('\n')}\n`;
}

export const formatDrillJson = (r: FailoverReport | RsDownReport): string => `${JSON.stringify(r, null, 2)}\n`;
