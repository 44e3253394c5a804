/**
 * Balancing: the share each real server gets matches the scheduler and weights — one server for
 * the destination hashes, one idle server for sed/nq, sticky sources for sh and persistence,
 * concurrent connections for lc/wlc, the weights' shares of sequential requests otherwise.
 */
import type { ResolvedLab, ResolvedService } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { DESTINATION_HASH, SINGLE_PICK, SOURCE_HASH } from '../../ops/shares';
import { servedBy } from '../../ops/traffic';
import { type RunContext, type ServiceCheck, expect } from '../context';
import type { Sandbox } from '../sandbox';
import { concurrentShares } from './balance-concurrent';

type Member = ResolvedLab['realServers'][number];

/** Round-robin schedulers: each server's share of `total` sequential requests against its weight (±10 points). */
export function judgeSequentialShares(scheduler: string, members: readonly Member[], counts: ReadonlyMap<string, number>, total: number): string {
  const live = members.filter((m) => m.weight > 0);
  const shown = [...counts].map(([n, c]) => `${n}: ${c}`).join(', ');
  const weightSum = live.reduce((a, m) => a + m.weight, 0);
  const weighted = !['rr', 'lc'].includes(scheduler);
  const tolerance = 0.1;
  const lines: string[] = [];
  for (const m of members) {
    const share = (counts.get(m.name) ?? 0) / total;
    const want = m.weight === 0 ? 0 : weighted ? m.weight / weightSum : 1 / live.length;
    lines.push(`${m.name} ${(share * 100).toFixed(0)}% (want ${(want * 100).toFixed(0)}%)`);
    expect(Math.abs(share - want) <= tolerance, `${m.name} got ${(share * 100).toFixed(1)}% of ${total} requests, want ${(want * 100).toFixed(1)}% ± ${tolerance * 100}: ${shown}`);
  }
  return `${total} requests: ${lines.join(', ')} (tolerance ±${tolerance * 100} points)`;
}

/** Source affinity: each client address stuck to one server, and the sources reached every live server. */
export function judgeSticky(live: readonly Member[], bySource: ReadonlyMap<string, ReadonlySet<string>>, counts: ReadonlyMap<string, number>): string {
  const shown = [...counts].map(([n, c]) => `${n}: ${c}`).join(', ');
  const split = [...bySource].filter(([, names]) => names.size > 1);
  expect(split.length === 0, `sources not sticky: ${split.map(([src, n]) => `${src} -> ${[...n].join('/')}`).join('; ')}`);
  const missing = live.filter((m) => !counts.has(m.name));
  expect(missing.length === 0, `${missing.map((m) => m.name).join(', ')} never chosen for ${bySource.size} sources: ${shown}`);
  return `every source sticks to one server; all ${live.length} servers used: ${shown}`;
}

/** The balance check of one service from the client's `clientIp` and `extraSources`, with the MASTER forwarding. */
export async function balanceCheck(sb: Sandbox, lab: ResolvedLab, s: ResolvedService, clientIp: string, extraSources: readonly string[], master: { name: string; address: string }): Promise<string> {
  const members = s.realServers.map((n) => lab.realServers.find((r) => r.name === n)!);
  const live = members.filter((m) => m.weight > 0);
  const counts = new Map<string, number>();
  const tally = (source?: string) => {
    const r = sb.httpGet(serviceUrl(s), { source, maxTimeSec: 3 });
    expect(r.ok, `request from ${source ?? clientIp} failed: ${r.detail}`);
    const name = servedBy(r.body) ?? r.body;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return name;
  };
  const shown = () => [...counts].map(([n, c]) => `${n}: ${c}`).join(', ');

  if (DESTINATION_HASH.has(s.scheduler)) {
    // Destination hashing: one VIP maps to one real server, whoever asks.
    for (let i = 0; i < 20; i++) tally(i % 2 ? clientIp : extraSources[i % extraSources.length]);
    expect(counts.size === 1, `${s.scheduler} spread one VIP over several servers: ${shown()}`);
    return `all 20 requests to one real server, as ${s.scheduler} should: ${shown()}`;
  }
  if (SINGLE_PICK.has(s.scheduler) && s.persistenceTimeoutSec === 0) {
    for (let i = 0; i < 20; i++) tally();
    const top = Math.max(...live.map((m) => m.weight));
    const allowed = new Set(live.filter((m) => s.scheduler === 'nq' || m.weight === top).map((m) => m.name));
    expect(counts.size === 1 && allowed.has([...counts.keys()][0]), `${s.scheduler} with idle servers should pick one${s.scheduler === 'sed' ? ' highest-weight' : ''} server: ${shown()}`);
    return `all 20 sequential requests to ${[...counts.keys()][0]}, as ${s.scheduler} does with idle servers`;
  }
  if (SOURCE_HASH.has(s.scheduler) || s.persistenceTimeoutSec > 0) {
    // Source affinity: each client address sticks to one server; many addresses reach them all.
    const bySource = new Map<string, Set<string>>();
    for (const source of [clientIp, ...extraSources]) {
      for (let i = 0; i < 3; i++) bySource.set(source, (bySource.get(source) ?? new Set()).add(tally(source)));
    }
    return judgeSticky(live, bySource, counts);
  }
  if ((s.scheduler === 'lc' || s.scheduler === 'wlc') && s.persistenceTimeoutSec === 0) {
    // Least-connection schedulers weigh active connections (256 × an inactive one), so
    // sequential short requests only measure leftover counts: hold concurrent connections open
    // and read how the MASTER spread them.
    return concurrentShares(sb, lab, s, live, master);
  }
  // Round-robin schedulers: shares of sequential requests follow the weights.
  const total = 20 * live.length;
  for (let i = 0; i < total; i++) tally();
  return judgeSequentialShares(s.scheduler, members, counts, total);
}

export const balance: ServiceCheck = {
  id: 'balance',
  appliesTo: () => true,
  name: (_ctx, s) => `${serviceUrl(s)} balances as ${s.scheduler}${s.persistenceTimeoutSec ? ` with persistence ${s.persistenceTimeoutSec}s` : ''}`,
  run: ({ sb, lab, client, roles }: RunContext, s) => balanceCheck(sb, lab, s, client.ip, client.extra, roles.master),
};

