/**
 * The VMs reached nothing but the stand-in: every packet a VM sent off the lab subnet went to the
 * stand-in's HTTP port; every DNS query went to the lab's DNS servers and asked for a name the
 * stand-in serves. And where the lab has a gateway and DNS, they work from a VM.
 */
import type { ResolvedLab } from '../../lab';
import { type E2eCheck, expect } from '../context';
import { parsePacketLine } from '../parse';
import { run } from '../sandbox';
import { egressPcap } from './stand-in';

/** The verdict on `tcpdump -nn -r egress.pcap` output. */
export function judgeEgress(lab: ResolvedLab, ownHosts: readonly string[], wanIp: string, tcpdumpOut: string): string {
  const vms = new Set([...lab.directors, ...lab.realServers].map((v) => v.address));
  const allowedNames = new Set(ownHosts);
  const strays = new Map<string, number>();
  const names = new Map<string, number>();
  let offSubnet = 0;
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const line of tcpdumpOut.split('\n')) {
    const p = parsePacketLine(line);
    if (!p || !vms.has(p.src)) continue;
    if (p.dport === 53) {
      const name = p.query?.name ?? '(unparsed query)';
      // apt looks up SRV records (`_http._tcp.<mirror>`) before it connects.
      const host = name.replace(/^_https?\._tcp\./, '');
      bump(names, `${p.query?.type ?? '?'} ${name}`);
      if (!lab.network.dns.includes(p.dst)) bump(strays, `${p.src} -> ${p.dst}:53 (not a lab DNS server)`);
      else if (!allowedNames.has(host)) bump(strays, `${p.src} asked for ${name}`);
    } else {
      offSubnet++;
      if (!(p.dst === wanIp && p.dport === 80)) bump(strays, `${p.src} -> ${p.dst}${p.dport !== undefined ? `:${p.dport}` : ''}`);
    }
  }
  const shown = (mp: Map<string, number>) => [...mp].map(([k, n]) => `${k} (${n}×)`).join(', ');
  expect(strays.size === 0, `traffic to elsewhere: ${shown(strays)}`);
  return `${offSubnet ? `${offSubnet} packets off the subnet, all to ${wanIp}:80` : 'no packet off the subnet'}; DNS: ${shown(names) || 'no query'}`;
}

export const egress: E2eCheck = {
  id: 'egress',
  appliesTo: () => true,
  name: () => 'the VMs reached nothing but the stand-in: only its address, only its names',
  run({ settings, lab, ownHosts }) {
    const pcap = egressPcap(settings.runDir);
    const r = run('tcpdump', ['-nn', '-r', pcap], { timeoutSec: 60 });
    expect(r.status === 0, `tcpdump -r ${pcap}: ${r.stderr.trim()}`);
    return judgeEgress(lab, ownHosts, settings.wanIp, r.stdout);
  },
};

/** A VM's default route, name resolution and HTTP to the stand-in (`ip route; getent; curl` output). */
export function judgeRouteAndDns(lab: ResolvedLab, vm: string, host: string, wanIp: string, out: string): string {
  expect(new RegExp(`^default via ${lab.network.gateway!.replace(/\./g, '\\.')} `, 'm').test(out), `${vm} has no default route via ${lab.network.gateway}: ${out}`);
  expect(new RegExp(`^${wanIp.replace(/\./g, '\\.')}\\s`, 'm').test(out), `${vm} did not resolve ${host} to ${wanIp}: ${out}`);
  expect(/^HTTP [1-5]\d\d$/m.test(out), `${vm} got no HTTP answer from ${host}: ${out}`);
  return `${vm}: default via ${lab.network.gateway}, ${host} resolves through ${lab.network.dns.join(', ')} and answers (${/HTTP \d+/.exec(out)![0]})`;
}

export const gatewayAndDns: E2eCheck = {
  id: 'gateway-dns',
  appliesTo: ({ lab, ownHosts }) => lab.network.gateway !== undefined && lab.network.dns.length > 0 && ownHosts.length > 0,
  name: ({ lab }) => `the VMs' default route and DNS work (${lab.network.mode} network)`,
  run({ settings, sb, lab, ownHosts }) {
    const host = ownHosts[0];
    const vm = lab.realServers[0];
    const r = sb.ssh(lab.ssh.user, vm.address, `ip -4 route show default; getent ahostsv4 ${host} | head -n 1; curl -sS -o /dev/null -w 'HTTP %{http_code}\\n' --max-time 10 http://${host}/`, 30);
    return judgeRouteAndDns(lab, vm.name, host, settings.wanIp, `${r.stdout}${r.stderr}`);
  },
};
