/**
 * `lvs-lab traffic`: requests to every TCP service's VIP, counted by the real server that
 * answered (the demo service answers `served-by <name> <address>`), beside the share the
 * scheduler and weights predict (ops/shares.ts). Bounded in count, concurrency and time.
 */
import type { ResolvedLab, ResolvedService } from '../lab';
import type { OpsHost } from './host';
import { boundVips } from './iproute';
import { parseIpvsServices, realServerAddress, serviceKey, serviceUrl } from './ipvs';
import { DIRECTOR_QUESTIONS } from './remote';
import { judgeShares, pct, predictShares, type ShareMember, type SharePrediction, type ShareVerdict } from './shares';
import { renderTable } from './table';

export interface TrafficOptions {
  /** Requests per service. */
  readonly requests: number;
  /** Requests in flight at once (each on its own connection). */
  readonly concurrency: number;
  /** How far a share may be from its prediction, as a fraction (0.1: ±10 points). */
  readonly tolerance: number;
  /** The whole run stops after this long, whatever is left. */
  readonly timeLimitMs: number;
  /** Each request fails after this long. */
  readonly requestTimeoutMs: number;
}

/** Bounds of the options (the CLI refuses values outside them). */
export const TRAFFIC_LIMITS = { requests: { min: 1, max: 100_000 }, concurrency: { min: 1, max: 256 } } as const;

export interface ServiceTraffic {
  readonly key: string;
  readonly url: string;
  readonly scheduler: string;
  readonly sent: number;
  readonly answered: number;
  readonly failed: number;
  /** Up to three distinct errors of the failed requests. */
  readonly errors: readonly string[];
  /** Answers per real server name (or the body, when it names none). */
  readonly counts: Readonly<Record<string, number>>;
  readonly prediction: SharePrediction;
  /** Where the prediction's servers and weights come from: the MASTER's IPVS table, or the config. */
  readonly predictedFrom: string;
  readonly verdicts: readonly ShareVerdict[];
  readonly problems: readonly string[];
  readonly ok: boolean;
}

export interface TrafficReport {
  /** Shape version: 1. Fields are only ever added. */
  readonly version: 1;
  readonly ok: boolean;
  readonly lab: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly tolerancePoints: number;
  readonly services: readonly ServiceTraffic[];
  /** Services not sent to, with why (UDP: the demo service is HTTP). */
  readonly skipped: readonly string[];
}

/** `served-by rs-1 192.168.20.143` -> `rs-1`. */
export const servedBy = (body: string): string | undefined => /^served-by (\S+)/.exec(body)?.[1];

/** The servers the MASTER schedules to for `s`, from its IPVS table (with their counts now), or the config's when the table cannot be read. */
async function scheduledMembers(host: OpsHost, lab: ResolvedLab, s: ResolvedService): Promise<{ members: ShareMember[]; from: string }> {
  const config = () => s.realServers.map((name) => ({ name, weight: lab.realServers.find((r) => r.name === name)!.weight }));
  for (const d of lab.directors) {
    const r = await host.remote(d.address, [DIRECTOR_QUESTIONS.addresses, DIRECTOR_QUESTIONS.ipvs]);
    if (!r.reached || boundVips(r.steps[0].output, [s.vip], 'lab0').length === 0) continue;
    if (r.steps[1].status !== 0) return { members: config(), from: `the config (${d.name}'s IPVS table could not be read: ${r.steps[1].output.trim()})` };
    const row = parseIpvsServices(r.steps[1].output).find((x) => serviceKey(x) === serviceKey(s));
    if (!row) return { members: config(), from: `the config (${d.name} has no IPVS service ${serviceKey(s)})` };
    const members = row.destinations.map((dest) => ({
      name: lab.realServers.find((rs) => realServerAddress(s, rs) === dest.address)?.name ?? dest.address,
      weight: dest.weight,
      activeConns: dest.activeConns,
      inactiveConns: dest.inactiveConns,
    }));
    return { members, from: `${d.name}'s IPVS table (MASTER): ${members.map((m) => `${m.name} w${m.weight}`).join(', ') || 'empty'}` };
  }
  return { members: config(), from: 'the config (no director holding the VIP answered)' };
}

/** Sends the requests to every TCP service; `onProgress` hears of each answered or failed one. */
export async function runTraffic(host: OpsHost, lab: ResolvedLab, options: TrafficOptions, onProgress?: (done: number, total: number) => void): Promise<TrafficReport> {
  const tcp = lab.services.filter((s) => s.protocol === 'TCP');
  const skipped = lab.services.filter((s) => s.protocol !== 'TCP').map((s) => `${serviceKey(s)}: the demo service answers HTTP only`);
  const total = tcp.length * options.requests;
  const deadline = host.now() + options.timeLimitMs;
  let done = 0;
  const services: ServiceTraffic[] = [];
  for (const s of tcp) {
    const url = serviceUrl(s);
    const { members, from } = await scheduledMembers(host, lab, s);
    const prediction = predictShares(s.scheduler, s.persistenceTimeoutSec, members, options);
    const counts: Record<string, number> = {};
    const errors: string[] = [];
    let sent = 0;
    let failed = 0;
    const worker = async () => {
      while (sent < options.requests && host.now() < deadline) {
        sent++;
        const r = await host.httpGet(url, options.requestTimeoutMs);
        const name = r.ok ? servedBy(r.body ?? '') ?? (r.body ?? '').slice(0, 40) : undefined;
        if (name !== undefined) counts[name] = (counts[name] ?? 0) + 1;
        else {
          failed++;
          const why = r.error ?? `HTTP ${r.status}`;
          if (errors.length < 3 && !errors.includes(why)) errors.push(why);
        }
        onProgress?.(++done, total);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.requests) }, worker));
    const judged = judgeShares(prediction, counts, options.tolerance, members.map((m) => m.name));
    const problems = [...judged.problems];
    if (failed > 0) problems.unshift(`${failed} of ${sent} requests to ${url} failed: ${errors.join('; ')}`);
    if (sent < options.requests) problems.unshift(`stopped at the time limit (${options.timeLimitMs / 1000} s): ${sent} of ${options.requests} requests sent to ${url}`);
    const answered = sent - failed;
    services.push({ key: serviceKey(s), url, scheduler: s.scheduler, sent, answered, failed, errors, counts, prediction, predictedFrom: from, verdicts: judged.verdicts, problems, ok: problems.length === 0 });
  }
  return {
    version: 1,
    ok: services.every((s) => s.ok),
    lab: lab.name,
    requests: options.requests,
    concurrency: options.concurrency,
    tolerancePoints: Math.round(options.tolerance * 100),
    services,
    skipped,
  };
}

/** Width of the histogram bars. */
const BAR_WIDTH = 30;

/** The report for a terminal: per service a histogram of the answers beside the prediction, then the verdict. */
export function formatTraffic(report: TrafficReport): string {
  const out: string[] = [];
  for (const s of report.services) {
    out.push(`${s.key} ${s.scheduler}: ${s.answered} of ${s.sent} requests answered, ${report.concurrency} at a time`);
    out.push(`predicted from ${s.predictedFrom}: ${s.prediction.basis}`);
    const predicted = (v: ShareVerdict) => {
      if (s.prediction.kind === 'one-server') return v.predicted === 1 ? 'all' : s.prediction.allowed.includes(v.name) ? 'all or none' : 'none';
      return v.predicted === undefined ? '-' : pct(v.predicted);
    };
    out.push(renderTable(
      ['real server', 'answers', 'share', 'predicted', '', 'verdict'],
      s.verdicts.map((v) => [v.name, v.count, pct(v.share), predicted(v), '█'.repeat(Math.round(v.share * BAR_WIDTH)) || ' ', v.ok ? 'ok' : 'OFF']),
      ['left', 'right', 'right', 'right', 'left', 'left'],
    ));
    for (const p of s.problems) out.push(`✗ ${p}`);
    out.push('');
  }
  for (const s of report.skipped) out.push(`skipped ${s}`);
  const bad = report.services.filter((s) => !s.ok).length;
  out.push(report.ok
    ? `lvs-lab traffic: every share within ±${report.tolerancePoints} points of its prediction, no request failed.`
    : `lvs-lab traffic: ${bad} of ${report.services.length} services off: see above.`);
  return `${out.join('\n')}\n`;
}

export function formatTrafficJson(report: TrafficReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
