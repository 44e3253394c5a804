/**
 * What share of the requests each real server should get, from the scheduler, the weights and
 * how the requests are sent: the reasoning of the e2e's balancing checks, for `lvs-lab traffic`
 * and the harness alike.
 */

/** Schedulers whose choice depends on a hash, not on counts: one source (or one VIP) sticks to one server. */
export const SOURCE_HASH: ReadonlySet<string> = new Set(['sh']);
export const DESTINATION_HASH: ReadonlySet<string> = new Set(['dh', 'lblc', 'lblcr']);
/** With one client's sequential short connections no server ever has an active connection:
 *  sed then always picks the highest weight, nq the first idle server — one server gets all. */
export const SINGLE_PICK: ReadonlySet<string> = new Set(['sed', 'nq']);
export const ONE_SERVER: ReadonlySet<string> = new Set([...DESTINATION_HASH, ...SINGLE_PICK]);
/** Least-connection schedulers: they weigh a server's connections (an active one as 256 inactive ones). */
export const LEAST_CONNECTION: ReadonlySet<string> = new Set(['lc', 'wlc']);

/** A real server the scheduler can pick, with the connections the director counts for it now. */
export interface ShareMember {
  readonly name: string;
  readonly weight: number;
  readonly activeConns?: number;
  readonly inactiveConns?: number;
}

/** What the scheduler should do with the requests. */
export type SharePrediction =
  /** Each server's share of the requests (0-1, summing to 1). */
  | { readonly kind: 'shares'; readonly shares: Readonly<Record<string, number>>; readonly basis: string }
  /** Every request to one server, one of `allowed`. */
  | { readonly kind: 'one-server'; readonly allowed: readonly string[]; readonly basis: string }
  /** Nothing can be said in advance. */
  | { readonly kind: 'none'; readonly basis: string };

/** How the requests are sent: `requests` in all, `concurrency` at once, from one client address. */
export interface TrafficShape {
  readonly requests: number;
  readonly concurrency: number;
}

/** IPVS's overhead of a destination (ip_vs_dest_conn_overhead): active connections count 256 times. */
const overhead = (m: { activeConns: number; inactiveConns: number }) => m.activeConns * 256 + m.inactiveConns;

/**
 * lc/wlc with one request at a time: each finished connection stays in the director's table as
 * an inactive one, so the next request goes to the server with the least (weighted) overhead,
 * starting from the counts the table holds now. Simulated request by request.
 */
function simulateLeastConnection(scheduler: string, members: readonly ShareMember[], requests: number): Record<string, number> {
  const state = members.map((m) => ({ name: m.name, weight: m.weight, activeConns: m.activeConns ?? 0, inactiveConns: m.inactiveConns ?? 0, got: 0 }));
  for (let i = 0; i < requests; i++) {
    let least = state[0];
    for (const d of state.slice(1)) {
      // wlc: overhead(d)/weight(d) < overhead(least)/weight(least), multiplied out as the kernel does
      const better = scheduler === 'wlc' ? overhead(least) * d.weight > overhead(d) * least.weight : overhead(d) < overhead(least);
      if (better) least = d;
    }
    least.inactiveConns++;
    least.got++;
  }
  return Object.fromEntries(state.map((d) => [d.name, d.got / requests]));
}

/**
 * The share each member should get. `members` are the servers the director schedules to (its
 * IPVS table's, or the config's), in the table's order; those of weight 0 get nothing.
 */
export function predictShares(scheduler: string, persistenceSec: number, members: readonly ShareMember[], shape: TrafficShape): SharePrediction {
  const live = members.filter((m) => m.weight > 0);
  if (live.length === 0) return { kind: 'none', basis: 'no real server with a weight above 0: the director has nowhere to send a request' };
  const names = live.map((m) => m.name);
  if (DESTINATION_HASH.has(scheduler)) {
    return { kind: 'one-server', allowed: names, basis: `${scheduler} maps one VIP to one real server, whoever asks` };
  }
  if (SOURCE_HASH.has(scheduler) || persistenceSec > 0) {
    const why = persistenceSec > 0 ? `persistence (${persistenceSec} s)` : scheduler;
    return { kind: 'one-server', allowed: names, basis: `${why} sticks one client address to one real server, and every request comes from this machine's address` };
  }
  if (SINGLE_PICK.has(scheduler)) {
    if (shape.concurrency > 1) return { kind: 'none', basis: `${scheduler} with ${shape.concurrency} connections at once depends on their timing: not predicted` };
    const top = Math.max(...live.map((m) => m.weight));
    const allowed = scheduler === 'sed' ? live.filter((m) => m.weight === top).map((m) => m.name) : names;
    return {
      kind: 'one-server',
      allowed,
      basis: scheduler === 'sed'
        ? 'sed with one request at a time sees no active connection: it always picks a highest-weight server'
        : 'nq with one request at a time always finds an idle server: it keeps picking the same one',
    };
  }
  const weightSum = live.reduce((a, m) => a + m.weight, 0);
  const byWeight = Object.fromEntries(members.map((m) => [m.name, m.weight > 0 ? m.weight / weightSum : 0]));
  const even = Object.fromEntries(members.map((m) => [m.name, m.weight > 0 ? 1 / live.length : 0]));
  if (LEAST_CONNECTION.has(scheduler)) {
    if (shape.concurrency > 1) {
      return {
        kind: 'shares',
        shares: scheduler === 'wlc' ? byWeight : even,
        basis: `${scheduler} with ${shape.concurrency} connections at once: the active ones (256 each) decide, so ${scheduler === 'wlc' ? 'by weight' : 'evenly'} (approximately)`,
      };
    }
    const simulated = simulateLeastConnection(scheduler, live, shape.requests);
    return {
      kind: 'shares',
      shares: Object.fromEntries(members.map((m) => [m.name, simulated[m.name] ?? 0])),
      basis: `${scheduler} with one request at a time: each finished connection counts 1 (inactive), so the next goes to the ` +
        `${scheduler === 'wlc' ? 'lowest count per weight' : 'fewest'}, starting from the counts in the director's table now`,
    };
  }
  if (scheduler === 'rr') return { kind: 'shares', shares: even, basis: 'rr takes the servers in turn: even shares (weights only take a server out at 0)' };
  return { kind: 'shares', shares: byWeight, basis: `${scheduler} takes the servers in turn in proportion to their weights` };
}

/** One server's share as measured beside its prediction. */
export interface ShareVerdict {
  readonly name: string;
  readonly count: number;
  /** count / all answered requests. */
  readonly share: number;
  /** undefined when the prediction gives no share per server. */
  readonly predicted?: number;
  /** False when the share is off the prediction by more than the tolerance. */
  readonly ok: boolean;
}

/**
 * Compares the answers counted per server with the prediction. Returns a verdict per server
 * (the predicted ones first, then any other that answered) and what is wrong, if anything.
 */
export function judgeShares(
  prediction: SharePrediction,
  counts: Readonly<Record<string, number>>,
  toleranceShare: number,
  expectedNames: readonly string[],
): { verdicts: ShareVerdict[]; problems: string[] } {
  const total = Object.values(counts).reduce((a, n) => a + n, 0);
  const names = [...new Set([...expectedNames, ...Object.keys(counts)])];
  const share = (name: string) => (total > 0 ? (counts[name] ?? 0) / total : 0);
  const problems: string[] = [];
  if (total === 0) return { verdicts: names.map((name) => ({ name, count: 0, share: 0, ok: false })), problems: ['no request was answered'] };
  if (prediction.kind === 'shares') {
    const verdicts = names.map((name) => {
      const predicted = prediction.shares[name] ?? 0;
      const ok = Math.abs(share(name) - predicted) <= toleranceShare + 1e-9;
      if (!ok) problems.push(`${name} got ${pct(share(name))} of ${total}, predicted ${pct(predicted)} ± ${Math.round(toleranceShare * 100)} points`);
      return { name, count: counts[name] ?? 0, share: share(name), predicted, ok };
    });
    return { verdicts, problems };
  }
  const answered = names.filter((name) => (counts[name] ?? 0) > 0);
  if (prediction.kind === 'one-server') {
    const single = answered.length === 1 && prediction.allowed.includes(answered[0]);
    if (!single) {
      problems.push(`expected every request on one server of ${prediction.allowed.join(', ')}, got ${answered.map((n) => `${n} ${counts[n]}`).join(', ')}`);
    }
    return {
      verdicts: names.map((name) => ({ name, count: counts[name] ?? 0, share: share(name), predicted: name === answered[0] && single ? 1 : 0, ok: single })),
      problems,
    };
  }
  return { verdicts: names.map((name) => ({ name, count: counts[name] ?? 0, share: share(name), ok: true })), problems };
}

/** 0.4567 -> `45.7%`. */
export const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
