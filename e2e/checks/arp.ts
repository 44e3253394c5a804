/**
 * The VIP's ARP, the heart of direct routing: the client resolves each VIP to the MASTER's MAC,
 * and no real server ever answers ARP for it — asked with arping now, and in the client's capture
 * of the whole run.
 */
import type { ResolvedLab } from '../../lab';
import { type E2eCheck, expect } from '../context';
import { nameOfMac } from '../lab-state';
import { run, type Sandbox } from '../sandbox';
import { clientPcap } from './client-joins';

/** MACs announced in every ARP reply for one of the VIPs in `tcpdump -nn -r <pcap> arp` output. */
export function arpRepliesIn(tcpdumpOut: string, vips: readonly string[]): string[] {
  const macs: string[] = [];
  for (const m of tcpdumpOut.matchAll(/Reply (\S+) is-at ([0-9a-f:]{17})/g)) {
    if (vips.includes(m[1])) macs.push(m[2]);
  }
  return macs;
}

/** MACs announced in every ARP reply for one of the VIPs in the client's capture so far. */
export function arpRepliesFor(sb: Sandbox, vips: readonly string[]): string[] {
  return arpRepliesIn(run('tcpdump', ['-nn', '-r', clientPcap(sb.settings.runDir), 'arp'], { timeoutSec: 60 }).stdout, vips);
}

/** The MACs that answered `arping` (its `Unicast reply from ... [MAC]` lines), lower case. */
export const arpingReplies = (arpingOut: string): string[] => [...arpingOut.matchAll(/from ([0-9a-f:]{17})/gi)].map((m) => m[1].toLowerCase());

/** No ARP reply for the VIP from a real server among `replies` (MACs); at least one reply. */
export function judgeNoRealServerReply(lab: ResolvedLab, replies: readonly string[], what: string): string[] {
  const rsMacs = new Set(lab.realServers.map((r) => r.macAddress));
  expect(replies.length > 0, `no ARP reply for the VIP ${what}`);
  return replies.filter((m) => rsMacs.has(m));
}

export const arpIsMaster: E2eCheck = {
  id: 'arp-master',
  appliesTo: () => true,
  name: () => "the VIP's ARP entry is the MASTER director's MAC",
  run({ sb, vips, roles: { master } }) {
    const observed = vips.map((vip) => [vip, sb.clientArp(vip)] as const);
    for (const [vip, mac] of observed) {
      expect(mac === master.macAddress, `${vip} is-at ${mac}, expected ${master.name} ${master.macAddress}`);
    }
    return observed.map(([vip, mac]) => `${vip} is-at ${mac} (${master.name})`).join(', ');
  },
};

export const arpSilent: E2eCheck = {
  id: 'arp-silent',
  appliesTo: () => true,
  name: () => 'no real server answers ARP for the VIP',
  run({ sb, lab, vips }) {
    const replies: string[] = [];
    for (const vip of vips) replies.push(...arpingReplies(sb.client(['arping', '-c', '3', '-w', '4', '-I', 'eth0', vip], 10).stdout));
    const bad = judgeNoRealServerReply(lab, replies, 'at all');
    expect(bad.length === 0, `real server MACs answered ARP for the VIP: ${bad.join(', ')}`);
    const seen = arpRepliesFor(sb, vips);
    const rsMacs = new Set(lab.realServers.map((r) => r.macAddress));
    const rsInCapture = seen.filter((m) => rsMacs.has(m));
    expect(rsInCapture.length === 0, `the capture holds ARP replies for the VIP from real servers: ${rsInCapture.join(', ')}`);
    return `arping: ${replies.length} replies, all from ${[...new Set(replies)].map((m) => nameOfMac(lab, m)).join(', ')}; capture so far: ${seen.length} replies, none from a real server`;
  },
};

export const arpSilentWholeRun: E2eCheck = {
  id: 'arp-whole-run',
  appliesTo: () => true,
  name: () => 'no real server answered ARP for the VIP during the whole run',
  run({ sb, lab, vips }) {
    const seen = arpRepliesFor(sb, vips);
    const bad = judgeNoRealServerReply(lab, seen, 'captured at all');
    expect(bad.length === 0, `ARP replies for the VIP from real servers: ${bad.map((m) => nameOfMac(lab, m)).join(', ')}`);
    return `${seen.length} ARP replies for the VIP captured, from ${[...new Set(seen)].map((m) => nameOfMac(lab, m)).join(', ')}`;
  },
};
