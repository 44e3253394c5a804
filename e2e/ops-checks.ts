/**
 * The operator commands as e2e checks: the real CLI (`scripts/lvs-lab.ts status | traffic | drill
 * failover --json`) run as a subprocess inside the client namespace, where a user's machine on the
 * lab's segment would run it, with the run's ssh key; its JSON asserted against what the harness
 * knows (the MASTER, its MAC, the IPVS table, the shares, a measured gap). Each function returns
 * the check's detail and throws with what was observed, as the harness's `check(name, fn)` wants:
 *
 *   const ops: OpsCliContext = { clientNs: CLIENT_NS, sshKey: SSH_KEY, labConfigFile: labFile, logDir: LOG_DIR };
 *   await check('lvs-lab status --json sees the MASTER, its MAC and a complete table', () => checkOpsStatus(ops, lab, master));
 *   await check('lvs-lab traffic --json: shares within tolerance', () => checkOpsTraffic(ops, lab));
 *   await check('lvs-lab drill failover --json: takeover, gap, restore', () => checkOpsFailoverDrill(ops, lab));
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedLab } from '../lab';
import { serviceKey, type FailoverReport, type StatusReport, type TrafficReport } from '../ops';

const root = path.resolve(__dirname, '..');

/** What the CLI needs from the harness. */
export interface OpsCliContext {
  /** The client network namespace on the lab's segment (LVSLAB_CLIENT_NS). */
  readonly clientNs: string;
  /** The run's private ssh key (E2E_SSH_KEY); its public half is the lab's only authorized key. */
  readonly sshKey: string;
  /** The lab config the deploy used (RUN_DIR/lab.json): LAB_CONFIG for the CLI, which reads ssh.user from it. */
  readonly labConfigFile: string;
  /** Where each run's stdout and stderr are kept (`ops-<command>.log`). */
  readonly logDir: string;
  /** The environment the CLI runs with (the run's, e2e/settings.ts); this process's when absent. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The arguments of `ip` that run `lvs-lab ARGS` (scripts/lvs-lab.ts, as npm run lvs-lab does) in network namespace `ns`. */
export function lvsLabArgv(ns: string, args: readonly string[]): string[] {
  return ['netns', 'exec', ns, process.execPath, '-r', 'ts-node/register/transpile-only', path.join(root, 'scripts', 'lvs-lab.ts'), ...args];
}

/** Runs `lvs-lab ARGS --json --ssh-key KEY` in the client namespace and parses its JSON. */
export function runOpsCli<T>(ctx: OpsCliContext, args: readonly string[], timeoutSec: number): { status: number | null; report: T; stderr: string } {
  const argv = lvsLabArgv(ctx.clientNs, [...args, '--json', '--ssh-key', ctx.sshKey]);
  const r = spawnSync('ip', argv, {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutSec * 1000,
    env: { ...(ctx.env ?? process.env), LAB_CONFIG: ctx.labConfigFile, FORCE_COLOR: '0' },
  });
  fs.appendFileSync(path.join(ctx.logDir, `ops-${args[0]}.log`), `$ lvs-lab ${[...args, '--json'].join(' ')} (exit ${r.status})\n${r.stdout ?? ''}\n${r.stderr ?? ''}\n`);
  let report: T;
  try {
    report = JSON.parse(r.stdout ?? '') as T;
  } catch {
    throw new Error(`lvs-lab ${args.join(' ')} printed no JSON (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${(r.stderr ?? '').trim().slice(-500)}`);
  }
  return { status: r.status, report, stderr: r.stderr ?? '' };
}

function must(condition: boolean, observed: string): void {
  if (!condition) throw new Error(observed);
}

/**
 * `status --json` once the lab is ready: exit 0 and ok; `master` (the harness's MASTER) is the
 * only holder of every VIP; every VIP resolves to its MAC; its IPVS table lists every real server
 * of every service, by DR, with the configured weight; every real server has its VIPs on lo and
 * ARP silenced.
 */
export function checkOpsStatus(ctx: OpsCliContext, lab: ResolvedLab, master: { readonly name: string; readonly macAddress: string }): string {
  const { status, report } = runOpsCli<StatusReport>(ctx, ['status'], 120);
  const problems = report.problems.map((p) => `${p.subject}: ${p.message}`).join('; ');
  must(status === 0 && report.ok, `status exited ${status}: ${problems || 'no problem listed'}`);
  for (const v of report.vips) {
    must(v.holders.length === 1 && v.holders[0] === master.name, `status: ${v.vip} held by [${v.holders.join(', ')}], expected ${master.name}`);
    must(v.arp.checked && v.arp.mac === master.macAddress && v.arp.director === master.name,
      `status: ${v.vip} resolves to ${v.arp.mac} (${v.arp.director ?? 'no director'}, ${v.arp.state}), expected ${master.name} ${master.macAddress}`);
  }
  for (const s of lab.services) {
    const row = report.services.find((x) => x.key === serviceKey(s));
    must(row !== undefined && row.master === master.name, `status: service ${s.vip}:${s.port} ${row ? `has MASTER ${row.master}` : 'missing'}`);
    for (const rs of row!.realServers) {
      must(rs.inTable && rs.forward === 'Route' && rs.weight === rs.configuredWeight,
        `status: ${rs.name} in ${master.name}'s table for ${row!.key}: inTable ${rs.inTable}, ${rs.forward}, weight ${rs.weight} (configured ${rs.configuredWeight})`);
    }
  }
  for (const rs of report.realServers) {
    must(rs.missingVips.length === 0 && rs.arpIgnore?.all === 1 && rs.arpAnnounce?.all === 2, `status: ${rs.name} VIPs missing [${rs.missingVips.join(', ')}], arp_ignore ${rs.arpIgnore?.all}, arp_announce ${rs.arpAnnounce?.all}`);
  }
  return `${master.name} holds ${report.vips.map((v) => `${v.vip} (is-at ${v.arp.mac})`).join(', ')}; ` +
    `${report.services.map((s) => `${s.key}: ${s.realServers.map((r) => `${r.name} w${r.weight}`).join(' ')}`).join('; ')}; ${report.warnings.length} warnings`;
}

/** `traffic -n REQUESTS --json`: exit 0, every request answered, every share within the CLI's tolerance of its prediction. */
export function checkOpsTraffic(ctx: OpsCliContext, lab: ResolvedLab, requests = 100): string {
  const { status, report } = runOpsCli<TrafficReport>(ctx, ['traffic', '-n', String(requests)], 300);
  const lines = report.services.map((s) => `${s.key} ${s.scheduler}: ${s.verdicts.map((v) => `${v.name} ${v.count}`).join(', ')} (${s.prediction.kind})`);
  must(status === 0 && report.ok, `traffic exited ${status}: ${report.services.flatMap((s) => s.problems).join('; ') || 'no problem listed'}; ${lines.join('; ')}`);
  must(report.services.length === lab.services.filter((s) => s.protocol === 'TCP').length, `traffic covered ${report.services.length} services`);
  for (const s of report.services) must(s.answered === requests, `traffic: ${s.key} ${s.answered} of ${requests} answered`);
  return `${lines.join('; ')}; tolerance ±${report.tolerancePoints} points`;
}

/**
 * `drill failover --json`: exit 0; another director took over; every VIP answered again within
 * a failover's bound (3 × advert_int + 1 s); keepalived started again and the VIP ended where the
 * config says (the highest priority, or the new MASTER with nopreempt).
 */
export function checkOpsFailoverDrill(ctx: OpsCliContext, lab: ResolvedLab): string {
  const { status, report } = runOpsCli<FailoverReport>(ctx, ['drill', 'failover'], 300);
  must(status === 0 && report.ok, `drill failover exited ${status}: ${(report.problems ?? []).join('; ') || 'no problem listed'}`);
  must(report.newMaster !== null && report.newMaster !== report.stopped, `drill failover: new MASTER ${report.newMaster}, stopped ${report.stopped}`);
  const boundMs = (3 * lab.vrrp.advertIntSec + 1) * 1000;
  for (const v of report.vips) must(v.gapMs !== null && v.gapMs <= boundMs, `drill failover: ${v.url} gap ${v.gapMs} ms, bound ${boundMs} ms`);
  must(report.restore.asConfigured, `drill failover: after the restore the VIPs are on ${report.restore.holder}, expected ${report.restore.expectedHolder}`);
  return `${report.stopped} stopped, ${report.newMaster} took over after ${report.takeoverMs} ms; gap ${report.vips.map((v) => `${v.vip} ${v.gapMs} ms`).join(', ')} ` +
    `(bound ${boundMs} ms); restored: VIPs on ${report.restore.holder}${report.restore.settledMs !== null ? ` after ${report.restore.settledMs} ms` : ''}`;
}
