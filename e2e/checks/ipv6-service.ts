/**
 * Dual-stack (issue 8, feature 2): an IPv6 service answers from every real server and balances;
 * its VIP resolves to the MASTER's MAC and no real server ever advertises it (the IPv6 form of
 * the reference's `arp -an` lesson): neighbour advertisements captured at the client while it
 * solicits the VIP afresh.
 */
import * as path from 'node:path';
import type { ResolvedLab } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { servedBy } from '../../ops/traffic';
import { type ServiceCheck, expect, waitFor } from '../context';
import { nameOfMac } from '../lab-state';
import { run, sleep } from '../sandbox';
import { balanceCheck } from './balance';

const members = (lab: ResolvedLab, s: ResolvedLab['services'][number]) =>
  s.realServers.map((n) => lab.realServers.find((r) => r.name === n)!).filter((r) => r.weight > 0);

export const ipv6Answers: ServiceCheck = {
  id: 'ipv6-answers',
  gate: true,
  appliesTo: () => true,
  name: (_ctx, s) => `IPv6: every real server answers through ${serviceUrl(s)}`,
  async run({ sb, lab, client }, s) {
    const url = serviceUrl(s);
    const sources = client.v6;
    const seen = new Set<string>();
    let i = 0;
    await waitFor(`every real server to answer through ${url}`, 120, () => {
      const r = sb.httpGet(url, { source: sources[i++ % sources.length], maxTimeSec: 2 });
      const name = r.ok ? servedBy(r.body) : undefined;
      if (name) seen.add(name);
      return members(lab, s).every((m) => seen.has(m.name)) ? true : undefined;
    }, 200, () => `answered from [${[...seen].join(', ')}]`);
    return `answered from ${[...seen].join(', ')} (client sources ${sources.slice(0, 3).join(', ')}, ...)`;
  },
};

export const ipv6Balance: ServiceCheck = {
  id: 'ipv6-balance',
  appliesTo: () => true,
  name: (_ctx, s) => `IPv6: ${serviceUrl(s)} balances as ${s.scheduler}`,
  run: ({ sb, lab, client, roles }, s) => balanceCheck(sb, lab, s, client.v6[0], [...client.v6.slice(1)], roles.master),
};

/** The MACs that sent a neighbour advertisement for `vip` in `tcpdump -e -nn -r` output. */
export function advertisersOf(tcpdumpOut: string, vip: string): string[] {
  return tcpdumpOut.split('\n').filter((l) => l.includes(`tgt is ${vip},`) || l.endsWith(`tgt is ${vip}`))
    .map((l) => /^\S+ ([0-9a-f:]{17}) > /.exec(l)?.[1]).filter((m): m is string => m !== undefined);
}

export const ipv6Neighbour: ServiceCheck = {
  id: 'ipv6-neighbour',
  appliesTo: () => true,
  name: (_ctx, s) => `IPv6: ${s.vip}'s neighbour entry is the MASTER's MAC; no real server advertises it`,
  async run({ settings, sb, lab, roles: { master } }, s) {
    const cap = path.join(settings.runDir, `ndp-${Date.now()}.pcap`);
    const dump = sb.spawnClient(['tcpdump', '-i', 'eth0', '-nn', '-e', '-U', '-w', cap, 'icmp6 and ip6[40] == 136']);
    let mac: string | undefined;
    try {
      await sleep(1500);
      for (let i = 0; i < 3; i++) mac = sb.clientArp(s.vip);
      await sleep(1000);
    } finally {
      dump.kill('SIGINT');
      await new Promise((r) => dump.on('close', r));
    }
    const vip = s.vip; // resolved: the canonical spelling tcpdump prints
    const out = run('tcpdump', ['-e', '-nn', '-r', cap], { timeoutSec: 30 }).stdout;
    const advertisers = advertisersOf(out, vip);
    const rsMacs = new Set(lab.realServers.map((r) => r.macAddress));
    expect(mac === master.macAddress, `${s.vip} lladdr ${mac}, expected ${master.name} ${master.macAddress}`);
    expect(advertisers.length > 0, `no neighbour advertisement for ${vip} captured (${out.split('\n').length} lines)`);
    const bad = advertisers.filter((m) => rsMacs.has(m));
    expect(bad.length === 0, `real servers advertised ${vip}: ${bad.map((m) => nameOfMac(lab, m)).join(', ')}`);
    // The IPv6 instance's first address is the virtual router's link-local one (RFC 5798).
    for (const d of lab.directors) {
      const j = sb.ssh(lab.ssh.user, d.address, 'sudo journalctl -b -u keepalived --no-pager -o cat', 20);
      expect(j.status === 0 && !/should be link local/.test(j.stdout), `${d.name}'s keepalived: ${j.stdout.split('\n').find((l) => /link local/.test(l)) ?? j.stderr}`);
    }
    return `${s.vip} lladdr ${mac} (${master.name}); ${advertisers.length} advertisements for it, all from ${[...new Set(advertisers)].map((m) => nameOfMac(lab, m)).join(', ')}`;
  },
};
