/** The IPv6 VIP fails over with the IPv4 one (one sync group), timed by its own 100 ms prober. */
import { FAST_FAILOVER_BOUND_SEC } from '../../cloud-init/keepalived-limits';
import { serviceUrl } from '../../ops/ipvs';
import { failoverGap } from '../../ops/probe';
import { type E2eCheck, type RunContext, expect, round2, waitFor } from '../context';
import { rolesOf } from '../lab-state';
import { readProbes } from '../sandbox';

/** The director that took the VIP when the MASTER was killed. */
const taker = ({ lab, state, roles }: RunContext) => (state.failover ? rolesOf(lab, state.failover.killed.name).backup : roles.backup);

const goalSec = ({ lab }: RunContext) => (lab.vrrp.fastFailover ? FAST_FAILOVER_BOUND_SEC : 3 * lab.vrrp.advertIntSec + 1);

export const ipv6Failover: E2eCheck = {
  id: 'ipv6-failover',
  appliesTo: ({ s6 }) => s6 !== undefined,
  name: (ctx) => `IPv6: ${serviceUrl(ctx.s6!)} fails over with the IPv4 VIP (gap under ${goalSec(ctx)} s); its neighbour entry now names ${taker(ctx).name}`,
  async run(ctx) {
    const { sb, s6, state, result } = ctx;
    const to = taker(ctx);
    const failover = state.failover;
    failover?.probe6?.kill();
    expect(failover !== undefined, 'the MASTER was not killed (see the director failure check)');
    const killedAtMs = failover!.killedAtMs;
    const probes = readProbes(failover!.probeLog6).filter((p) => p.t >= killedAtMs - 2000);
    const gap = failoverGap(probes, killedAtMs);
    result.figures.ipv6FailoverGapSec = gap === undefined ? undefined : round2(gap / 1000);
    expect(gap !== undefined, `no successful IPv6 probe after the kill (${probes.length} probes)`);
    const after = probes.filter((p) => p.t > killedAtMs + gap! + 1000);
    expect(after.every((p) => p.ok), `${after.filter((p) => !p.ok).length}/${after.length} IPv6 probes failed after the takeover`);
    const mac = await waitFor(`the client's neighbour entry for ${s6!.vip} to name ${to.name}`, 15, () => (sb.clientArp(s6!.vip) === to.macAddress ? to.macAddress : undefined), 1000,
      () => `${s6!.vip} lladdr ${sb.clientArp(s6!.vip)}`);
    expect(gap! < goalSec(ctx) * 1000, `the IPv6 VIP was unanswered for ${(gap! / 1000).toFixed(2)} s, goal under ${goalSec(ctx)} s`);
    const v4 = failover!.gapMs;
    return `${(gap! / 1000).toFixed(2)} s without an answer (100 ms probes, IPv4: ${v4 !== undefined ? (v4 / 1000).toFixed(2) : '?'} s); ${after.length} probes after it all OK; ${s6!.vip} lladdr ${mac} (${to.name})`;
  },
};
