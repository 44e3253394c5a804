/**
 * Drill link-down (issue 8, feature 6): the MASTER's NIC loses its link from the host's side
 * (`virsh domif-setlink <domain> <its vnet> down`, 10 s), as a pulled cable or a dead switch port.
 * keepalived tracks the instance's own interface, so it goes FAULT and drops the VIP; its adverts
 * stop and the other director takes over. The outage is timed with 100 ms probes. Then the link
 * returns: the MASTER goes BACKUP and, without nopreempt, takes the VIP back. Each director's
 * notify log must show exactly these transitions.
 */
import type { ResolvedLab } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { failoverGap, probeSummary, type ProbeLine } from '../../ops/probe';
import { type E2eCheck, type RunContext, type RunState, expect, round2, waitFor } from '../context';
import { holdsVip, keepalivedEverywhere, newTransitions, rolesOf, vipHolder, vrrpTransitions } from '../lab-state';
import { domIfForMac } from '../parse';
import { sleep } from '../sandbox';

/** How long the drill keeps the MASTER's link down. */
const LINK_DOWN_SEC = 10;

type Pair = { holderName: string | undefined; master: ResolvedLab['directors'][number]; other: ResolvedLab['directors'][number] };
/** The pair the drill's name was given for: its run acts on the same. */
const named = new WeakMap<RunState, Pair>();

/** The director holding the VIP now (the first when none does), and the other. */
function pair({ sb, lab, s0, state }: RunContext): Pair {
  const holderName = vipHolder(sb, lab, s0.vip);
  const master = lab.directors.find((d) => d.name === holderName) ?? lab.directors[0];
  const p = { holderName, master, other: lab.directors.find((d) => d.name !== master.name)! };
  named.set(state, p);
  return p;
}

/** The transitions the link's loss and return must cause on each director, nothing more. */
export function judgeLinkTransitions(lab: ResolvedLab, master: string, other: string, moved: ReadonlyMap<string, readonly string[]>): void {
  const want = new Map([
    [master, lab.vrrp.nopreempt ? ['FAULT', 'BACKUP'] : ['FAULT', 'BACKUP', 'MASTER']],
    [other, lab.vrrp.nopreempt ? ['MASTER'] : ['MASTER', 'BACKUP']],
  ]);
  for (const [name, states] of want) {
    const got = moved.get(name) ?? [];
    expect(got.join(' ') === states.join(' '), `${name} went ${got.join(' -> ') || 'nowhere'}, expected ${states.join(' -> ')}`);
  }
}

/** The outage while the link was down and when it returned, from the probes; fails when either never ended. */
export function judgeLinkProbes(probes: readonly ProbeLine[], downAt: number, upAt: number, master: string, other: string): { takeoverMs?: number; returnMs?: number; check(): void } {
  const whileDown = probes.filter((p) => p.t < upAt);
  const takeoverMs = failoverGap(whileDown, downAt);
  const returnMs = failoverGap(probes.filter((p) => p.t >= upAt), upAt);
  return {
    takeoverMs, returnMs,
    check() {
      expect(takeoverMs !== undefined, `no probe succeeded while ${master}'s link was down (${whileDown.length} probes)`);
      const afterTakeover = whileDown.filter((p) => p.t > downAt + takeoverMs! + 1000);
      expect(afterTakeover.every((p) => p.ok), `${afterTakeover.filter((p) => !p.ok).length} probes failed after ${other} took over`);
      expect(returnMs !== undefined && probes.slice(-10).every((p) => p.ok), `not serving after the link returned: ${probeSummary(probes).text}`);
    },
  };
}

/** Takes the link down, waits for the takeover, brings it back, waits for the return; the times (ms). */
async function pullTheCable(ctx: RunContext, master: ResolvedLab['directors'][number], other: ResolvedLab['directors'][number], iface: string) {
  const { sb, lab, s0 } = ctx;
  let down = false;
  const times = { downAt: 0, upAt: 0 };
  try {
    await sleep(3000);
    times.downAt = Date.now();
    const r = sb.virsh('domif-setlink', master.domainName, iface, 'down');
    expect(r.status === 0, `virsh domif-setlink ${master.domainName} ${iface} down: ${r.stderr}`);
    down = true;
    await waitForHolder(ctx, other, 30, 250);
    await sleep(Math.max(0, times.downAt + LINK_DOWN_SEC * 1000 - Date.now()));
    times.upAt = Date.now();
    const u = sb.virsh('domif-setlink', master.domainName, iface, 'up');
    expect(u.status === 0, `virsh domif-setlink ${master.domainName} ${iface} up: ${u.stderr}`);
    down = false;
    if (lab.vrrp.nopreempt) {
      await sleep((3 * lab.vrrp.advertIntSec + 5) * 1000);
      expect(holdsVip(sb, lab, other, s0.vip), `with nopreempt ${other.name} lost the VIP when ${master.name}'s link returned`);
    } else {
      await waitForHolder(ctx, master, 60, 500, 'take ' + s0.vip + ' back');
    }
    await sleep(5000);
  } finally {
    if (down) sb.virsh('domif-setlink', master.domainName, iface, 'up');
  }
  return times;
}

async function waitForHolder({ sb, lab, s0 }: RunContext, d: ResolvedLab['directors'][number], timeoutSec: number, everyMs: number, what = `hold ${s0.vip}`) {
  await waitFor(`${d.name} to ${what}`, timeoutSec, () => (holdsVip(sb, lab, d, s0.vip) ? true : undefined), everyMs);
}

export const linkDown: E2eCheck = {
  id: 'link-down',
  appliesTo: ({ settings }) => settings.drills.has('link-down'),
  name(ctx) {
    const { master, other } = pair(ctx);
    const back = ctx.lab.vrrp.nopreempt ? `${other.name} keeps the VIP (nopreempt)` : `${master.name} takes the VIP back`;
    return `drill: link down: ${master.name}'s NIC loses its link for ${LINK_DOWN_SEC} s, ${other.name} takes over; it returns and ${back}`;
  },
  async run(ctx) {
    const { sb, lab, s0, result } = ctx;
    const { holderName, master, other } = named.get(ctx.state) ?? pair(ctx);
    expect(holderName !== undefined, `no director holds ${s0.vip}`);
    await keepalivedEverywhere(sb, lab);
    const list = sb.virsh('domiflist', master.domainName);
    const iface = domIfForMac(list.stdout, master.macAddress);
    expect(iface !== undefined, `no interface with ${master.macAddress} in virsh domiflist ${master.domainName}: ${list.stdout}${list.stderr}`);
    const before = vrrpTransitions(sb, lab);
    const probe = sb.startProbe(serviceUrl(s0), 'link-down', 100, 300);
    let probes: ProbeLine[] = [];
    let times = { downAt: 0, upAt: 0 };
    try {
      times = await pullTheCable(ctx, master, other, iface!);
    } finally {
      probes = await probe.stop();
    }
    const p = judgeLinkProbes(probes, times.downAt, times.upAt, master.name, other.name);
    result.figures.drills = {
      ...result.figures.drills,
      ...(p.takeoverMs !== undefined ? { linkDownTakeoverSec: round2(p.takeoverMs / 1000) } : {}),
      ...(p.returnMs !== undefined ? { linkUpGapSec: round2(p.returnMs / 1000) } : {}),
    };
    p.check();
    const moved = newTransitions(lab, before, vrrpTransitions(sb, lab));
    judgeLinkTransitions(lab, master.name, other.name, moved);
    const holder = lab.vrrp.nopreempt ? other : master;
    const arp = sb.clientArp(s0.vip);
    expect(arp === holder.macAddress, `${s0.vip} is-at ${arp}, expected ${holder.name} ${holder.macAddress}`);
    // With nopreempt the VIP stays on the director that took over.
    return {
      detail: `${iface} down: ${(p.takeoverMs! / 1000).toFixed(2)} s without an answer until ${other.name} served; up: ${(p.returnMs! / 1000).toFixed(2)} s; ` +
        `${[...moved].map(([name, states]) => `${name} ${states.join(' -> ')}`).join('; ')}; ${s0.vip} is-at ${holder.name}`,
      roles: rolesOf(lab, holder.name),
    };
  },
};
