/**
 * Probing a VIP while something breaks, and what the probes say: the outage a failover causes
 * and how many probes failed. The e2e harness reads the lines e2e/probe.js writes (one JSON
 * object per probe, the shape of {@link ProbeLine}); `lvs-lab drill` probes in process with
 * {@link startProber}, the same loop (a GET every interval, each with a deadline). Both sum up
 * with the same functions.
 */
import type { OpsHost } from './host';

/** One probe: when it started (ms since the epoch), whether it got a 200, the body or the error. */
export interface ProbeLine {
  readonly t: number;
  readonly ok: boolean;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

/** The probes of a JSON-lines log (e2e/probe.js's output); blank lines are passed over. */
export function parseProbeLines(text: string): ProbeLine[] {
  // in the order the probes started: a prober writes each line when its probe ends
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ProbeLine).sort((a, b) => a.t - b.t);
}

/**
 * The outage a fault caused: ms from the last success before the first failure after `faultAt`
 * to the first success after it; 0 when no probe failed after the fault, undefined when the
 * service never answered again.
 */
export function failoverGap(probes: readonly ProbeLine[], faultAt: number): number | undefined {
  const firstFail = probes.findIndex((p) => p.t >= faultAt && !p.ok);
  if (firstFail < 0) return 0;
  const lastOk = [...probes.slice(0, firstFail)].reverse().find((p) => p.ok);
  const recovered = probes.slice(firstFail).find((p) => p.ok);
  if (!recovered) return undefined;
  return recovered.t - (lastOk?.t ?? faultAt);
}

/** How the probes of one window went. */
export interface ProbeSummary {
  readonly failed: number;
  /** The longest run of failed probes, ms from its first failure to the next success (or the last probe). */
  readonly longestMs: number;
  /** `N failed of M (longest outage X s)`. */
  readonly text: string;
}

/** `N failed of M (longest outage X s)` for the probes of one window. */
export function probeSummary(probes: readonly ProbeLine[]): ProbeSummary {
  const failed = probes.filter((p) => !p.ok);
  let longest = 0;
  let since: number | undefined;
  for (const p of probes) {
    if (!p.ok && since === undefined) since = p.t;
    if (p.ok && since !== undefined) {
      longest = Math.max(longest, p.t - since);
      since = undefined;
    }
  }
  if (since !== undefined) longest = Math.max(longest, probes[probes.length - 1].t - since);
  return { failed: failed.length, longestMs: longest, text: `${failed.length} of ${probes.length} probes failed${failed.length ? ` (longest outage ${(longest / 1000).toFixed(1)} s)` : ''}` };
}

/** How a prober probes. */
export interface ProberOptions {
  /** One GET started every `intervalMs` (or as soon as the previous one ends, when it took longer). */
  readonly intervalMs: number;
  /** Each GET fails after this long without an answer. */
  readonly timeoutMs: number;
  /** The prober stops by itself after this long, stopped or not. */
  readonly maxMs: number;
}

/** A running prober. */
export interface Prober {
  /** Every probe so far. */
  readonly probes: readonly ProbeLine[];
  /** Stops probing (the probe under way finishes) and returns every probe made. */
  stop(): Promise<ProbeLine[]>;
}

/** Probes `url` from this machine until stopped or `maxMs` has passed: e2e/probe.js's loop, in process. */
export function startProber(host: OpsHost, url: string, options: ProberOptions): Prober {
  const probes: ProbeLine[] = [];
  let stopped = false;
  const deadline = host.now() + options.maxMs;
  const loop = (async () => {
    while (!stopped && host.now() < deadline) {
      const t = host.now();
      const r = await host.httpGet(url, options.timeoutMs);
      probes.push({ t, ok: r.ok, ...(r.status !== undefined ? { status: r.status } : {}), ...(r.ok ? { body: r.body ?? '' } : { error: r.error ?? `HTTP ${r.status}` }) });
      const wait = options.intervalMs - (host.now() - t);
      if (wait > 0 && !stopped) await host.sleep(wait);
    }
  })();
  return {
    probes,
    async stop() {
      stopped = true;
      await loop;
      return [...probes];
    },
  };
}
