/**
 * Issue 8, feature 1 (vrrp.fastFailover): the MASTER kill measured by the director failure check
 * (100 ms probes) cost under a second; then a steady-state window with the prober running, in
 * which no director logs a VRRP transition (a stalled VM or a lost advert would make the BACKUP
 * take over for nothing) and no probe fails.
 */
import { FAST_FAILOVER_BOUND_SEC, FAST_FAILOVER_MARGIN_SEC, fastFailoverTakeoverSec, masterDownIntervalSec } from '../../cloud-init/keepalived-limits';
import type { ResolvedLab } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { probeSummary, type ProbeLine } from '../../ops/probe';
import { type E2eCheck, expect, round2 } from '../context';
import { keepalivedEverywhere, newTransitions, vrrpTransitions } from '../lab-state';
import { sleep } from '../sandbox';

/** The slowest BACKUP, its master-down interval and the takeover the config promises (+ margin). */
function promise(lab: ResolvedLab) {
  const slowest = lab.directors.slice(1).reduce((a, d) => (d.priority < a.priority ? d : a), lab.directors[1]);
  return { slowest, downSec: masterDownIntervalSec(slowest.priority, lab.vrrp.advertIntSec, lab.vrrp.version), takeoverSec: fastFailoverTakeoverSec(slowest.priority, lab.vrrp.advertIntSec) };
}

/** The verdict on the kill's gap against the takeover the config promises. */
export function judgeFastGap(slowest: string, takeoverSec: number, gapMs: number | undefined): number {
  expect(takeoverSec <= FAST_FAILOVER_BOUND_SEC + 1e-9, `the config promises no fast failover: ${slowest} takes ${takeoverSec.toFixed(3)} s (the rule fast-failover should have refused it)`);
  expect(gapMs !== undefined, 'no failover gap was measured (see the director failure check)');
  return gapMs!;
}

export const fastFailoverGap: E2eCheck = {
  id: 'fast-failover-gap',
  appliesTo: ({ lab }) => lab.vrrp.fastFailover,
  name: ({ lab }) => {
    const { slowest, downSec, takeoverSec } = promise(lab);
    return `fast failover: the MASTER's crash costs under ${FAST_FAILOVER_BOUND_SEC} s (${slowest.name} takes over ${downSec.toFixed(3)} s after the last advert, ` +
      `+ ${FAST_FAILOVER_MARGIN_SEC} s margin = ${takeoverSec.toFixed(3)} s)`;
  },
  run({ lab, state, result }) {
    const { slowest, downSec, takeoverSec } = promise(lab);
    const gapMs = judgeFastGap(slowest.name, takeoverSec, state.failover?.gapMs);
    result.figures.fastFailover = { ...result.figures.fastFailover, gapSec: round2(gapMs / 1000), downIntervalSec: round2(downSec) };
    // The kill comes after the last advert, so the gap is at most the interval plus the margin.
    expect(gapMs <= takeoverSec * 1000, `the kill cost ${(gapMs / 1000).toFixed(2)} s of service, more than the ${takeoverSec.toFixed(3)} s the config promises (bound ${FAST_FAILOVER_BOUND_SEC} s)`);
    return `${(gapMs / 1000).toFixed(2)} s without an answer (100 ms probes), at most ${takeoverSec.toFixed(3)} s promised, bound ${FAST_FAILOVER_BOUND_SEC} s; VRRPv3 adverts every ${lab.vrrp.advertIntSec} s`;
  },
};

/** The quiet window's verdict: enough probes, no VRRP transition, no failed probe; the probes' summary. */
export function judgeQuiet(quietSec: number, probes: readonly ProbeLine[], moved: ReadonlyMap<string, readonly string[]>): string {
  const changed = [...moved].filter(([, states]) => states.length > 0);
  const spurious = changed.reduce((n, [, states]) => n + states.length, 0);
  const summary = probeSummary(probes);
  expect(probes.length >= quietSec * 5, `only ${probes.length} probes in ${quietSec} s: the client could not probe`);
  expect(spurious === 0, `${spurious} VRRP transitions nobody caused: ${changed.map(([name, states]) => `${name} ${states.join(' -> ')}`).join('; ')}`);
  expect(summary.failed === 0, summary.text);
  return summary.text;
}

export const fastFailoverQuiet: E2eCheck = {
  id: 'fast-failover-quiet',
  appliesTo: ({ lab }) => lab.vrrp.fastFailover,
  name: ({ settings }) => `fast failover: in ${settings.fastQuietSec} s of steady state no director changes VRRP state and no probe fails`,
  async run({ settings, sb, lab, s0, result }) {
    const quietSec = settings.fastQuietSec;
    await keepalivedEverywhere(sb, lab);
    const before = vrrpTransitions(sb, lab);
    const probe = sb.startProbe(serviceUrl(s0), 'fast-quiet', 100, 300);
    let probes: ProbeLine[] = [];
    try {
      await sleep(quietSec * 1000);
    } finally {
      probes = await probe.stop();
    }
    const moved = newTransitions(lab, before, vrrpTransitions(sb, lab));
    const spurious = [...moved.values()].reduce((n, states) => n + states.length, 0);
    result.figures.fastFailover = { ...result.figures.fastFailover, quietSec, spuriousTransitions: spurious, quietFailedProbes: probeSummary(probes).failed };
    return `no VRRP transition on ${lab.directors.map((d) => d.name).join(', ')}; ${judgeQuiet(quietSec, probes, moved)}`;
  },
};
