/**
 * Issue 8, features 3-5 on a firewall-mark service: each director marks the service's packets
 * with nftables (from Debian's nftables.service, so it survives a reboot) and its table lists
 * every real server; persistence holds a client to one server across the service's ports.
 */
import type { ResolvedLab, ResolvedService } from '../../lab';
import { serviceKey, serviceUrls } from '../../ops/ipvs';
import { type E2eCheck, type RunContext, type ServiceCheck, expect } from '../context';
import { ipvsRow, vipHolder } from '../lab-state';
import type { Sandbox } from '../sandbox';


/** The service's live real servers. */
export const liveMembers = (lab: ResolvedLab, s: ResolvedService) =>
  s.realServers.map((n) => lab.realServers.find((r) => r.name === n)!).filter((r) => r.weight > 0);

/** The director holding the service's VIP now (the first when none does). */
export const holderOf = ({ sb, lab }: RunContext, s: ResolvedService) => lab.directors.find((d) => d.name === vipHolder(sb, lab, s.vip)) ?? lab.directors[0];

/** `ip daddr VIP tcp dport { 8080, 8443 } meta mark set 0x00000002`, as `nft list` prints the rule the lab installs. */
export const markRule = (s: ResolvedService) =>
  new RegExp(`ip daddr ${s.vip.replace(/\./g, '\\.')} ${s.protocol.toLowerCase()} dport \\{ ${s.ports.join(', ')} \\} meta mark set 0x0*${s.fwmark!.toString(16)}\\b`);

/** The verdict on one director's `systemctl is-enabled nftables.service; nft list table ip lvs_lab`. */
export function judgeMarking(s: ResolvedService, director: string, out: string): void {
  expect(/^enabled$/m.test(out), `${director}: nftables.service is not enabled: ${out}`);
  expect(markRule(s).test(out), `${director}: no rule marking ${s.vip} ports ${s.ports.join(', ')} with ${s.fwmark} in table ip lvs_lab: ${out}`);
}

/** Each director marks the service's packets with nftables, from Debian's nftables.service. */
export function fwmarkRulesCheck(sb: Sandbox, lab: ResolvedLab, s: ResolvedService, directors: readonly { name: string; address: string }[]): string {
  const seen: string[] = [];
  for (const d of directors) {
    const r = sb.ssh(lab.ssh.user, d.address, 'systemctl is-enabled nftables.service; sudo nft list table ip lvs_lab', 15);
    judgeMarking(s, d.name, `${r.stdout}${r.stderr}`);
    seen.push(d.name);
  }
  return `${seen.join(', ')}: nftables.service enabled, ${s.vip} ${s.protocol.toLowerCase()} ports {${s.ports.join(', ')}} marked ${s.fwmark}`;
}

export const fwmarkRules: ServiceCheck = {
  id: 'fwmark-rules',
  appliesTo: () => true,
  name: (_ctx, s) => `fwmark: every director marks ${s.vip} ports ${s.ports.join(', ')} with ${s.fwmark} (nftables.service); ${serviceKey(s)} lists every real server`,
  run(ctx, s) {
    const { sb, lab } = ctx;
    const members = liveMembers(lab, s);
    const detail = fwmarkRulesCheck(sb, lab, s, lab.directors);
    const holder = holderOf(ctx, s);
    const row = ipvsRow(sb, lab, holder, s);
    expect(row !== undefined && members.every((m) => row.destinations.some((d) => d.address === m.address && d.weight === m.weight)),
      `${holderOf(ctx, s).name}'s ${serviceKey(s)}: ${JSON.stringify(row?.destinations ?? 'missing')}`);
    const h = holderOf(ctx, s);
    return `${detail}; ${h.name}: ${serviceKey(s)} ${row!.scheduler}${row!.persistenceSec ? ` persistent ${row!.persistenceSec}` : ''} -> ${row!.destinations.map((d) => `${d.address} w${d.weight}`).join(', ')}`;
  },
};

/** Each client's answers (server names) across the ports all from one server, and every server reached. */
export function judgePersistence(members: readonly { name: string }[], bySource: ReadonlyMap<string, readonly string[]>, requestsEach: number): string {
  const split = [...bySource].filter(([, n]) => new Set(n).size > 1);
  expect(split.length === 0, `not one server per client across the ports: ${split.map(([src, n]) => `${src} -> ${n.join('/')}`).join('; ')}`);
  const used = new Set([...bySource.values()].map((n) => n[0]));
  const missing = members.filter((m) => !used.has(m.name));
  expect(missing.length === 0, `${missing.map((m) => m.name).join(', ')} chosen for none of ${bySource.size} clients`);
  return `${bySource.size} clients, ${requestsEach} requests each, every client on one server across the ports: ` +
    [...bySource].map(([src, n]) => `${src.split('.').pop()}->${n[0]}`).join(', ');
}

export const fwmarkPersistence: ServiceCheck = {
  id: 'fwmark-persistence',
  appliesTo: (_ctx, s) => s.persistenceTimeoutSec > 0,
  name: (_ctx, s) => `fwmark persistence: each client's connections to ${serviceUrls(s).join(' and ')} land on one real server; the clients reach every real server`,
  run({ sb, lab, client }, s) {
    const urls = serviceUrls(s);
    const bySource = new Map<string, string[]>();
    for (const source of [client.ip, ...client.extra].slice(0, 8)) {
      const names: string[] = [];
      for (const url of urls) for (let i = 0; i < 2; i++) {
        const r = sb.fetchFrom(url, source);
        expect(r.name !== undefined, `${url} from ${source}: ${r.code} ${r.body.slice(0, 80)}`);
        names.push(r.name!);
      }
      bySource.set(source, names);
    }
    return judgePersistence(liveMembers(lab, s), bySource, urls.length * 2);
  },
};

export const fwmarkAfterRestart: E2eCheck = {
  id: 'fwmark-after-restart',
  appliesTo: ({ lab, state }) => state.standbyRestartedAt !== undefined && lab.services.some((x) => x.fwmark !== undefined),
  name: ({ state }) => `fwmark: after its crash and restart ${state.drillRoles!.standby.name} marks the services' packets again (nftables.service)`,
  run: ({ sb, lab, state }) => lab.services.filter((x) => x.fwmark !== undefined).map((x) => fwmarkRulesCheck(sb, lab, x, [state.drillRoles!.standby])).join('; '),
};
