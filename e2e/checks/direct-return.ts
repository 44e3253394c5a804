/**
 * Direct return: a large response flows real server -> client without the director (its lab0
 * counters), and every reply from the VIP reaches the client with a real server's MAC.
 */
import type { ResolvedLab } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { type E2eCheck, expect } from '../context';
import { nameOfMac } from '../lab-state';
import { run } from '../sandbox';
import { BIG_FILE_MIB } from './big-file';
import { clientPcap } from './client-joins';

export const directReturn: E2eCheck = {
  id: 'direct-return',
  appliesTo: () => true,
  name: () => 'a large response flows real server -> client directly, not through the director',
  run({ sb, lab, tcpServices, result, roles: { master } }) {
    const counters = () => {
      const r = sb.ssh(lab.ssh.user, master.address, 'cat /sys/class/net/lab0/statistics/tx_bytes /sys/class/net/lab0/statistics/rx_bytes', 10);
      const [tx, rx] = r.stdout.trim().split('\n').map(Number);
      return { tx, rx };
    };
    const before = counters();
    const r = sb.client(['curl', '-sS', '--max-time', '120', '-o', '/dev/null', '-w', '%{size_download}', serviceUrl(tcpServices[0], 'big.bin')], 130);
    const after = counters();
    const served = Number(r.stdout);
    expect(r.status === 0 && served === BIG_FILE_MIB * 1024 * 1024, `download failed: curl ${r.status}, ${r.stdout} bytes, ${r.stderr}`);
    const directorTx = after.tx - before.tx;
    // The client's request and ACKs reach the real server through the MASTER: it must have
    // carried them, or this director is not the one forwarding (and the figure means nothing).
    const directorRx = after.rx - before.rx;
    expect(directorRx > 2000, `${master.name} received only ${directorRx} bytes during the download: it is not forwarding the client's packets`);
    const fraction = directorTx / served;
    result.figures.directorTxFraction = Number(fraction.toFixed(4));
    expect(fraction < 0.1, `the director transmitted ${directorTx} bytes for ${served} served (${(fraction * 100).toFixed(1)}%): replies pass through it`);
    return `${served} bytes served; the director transmitted ${directorTx} (${(fraction * 100).toFixed(2)}%) and received ${directorRx}`;
  },
};

/**
 * The verdict on `tcpdump -nn -e -tt -r client.pcap 'not arp'`: from `sinceSec` (readiness) on,
 * replies from the VIP carry real servers' MACs only. Before it, while no real server of a
 * service with sorryServer answers yet, the directors' sorry site rightly answers from the VIP.
 */
export function judgeReplyMacs(lab: ResolvedLab, tcpdumpOut: string, sinceSec: number, stderr = ''): string {
  const macs = new Map<string, number>();
  for (const m of tcpdumpOut.matchAll(/^(\d+\.\d+) ([0-9a-f:]{17}) > /gm)) {
    if (Number(m[1]) >= sinceSec) macs.set(m[2], (macs.get(m[2]) ?? 0) + 1);
  }
  const rsMacs = new Set(lab.realServers.map((x) => x.macAddress));
  const directorMacs = new Set(lab.directors.map((x) => x.macAddress));
  expect(macs.size > 0, `no reply from the VIP captured (${stderr.trim()})`);
  const fromDirector = [...macs.keys()].filter((m) => directorMacs.has(m));
  expect(fromDirector.length === 0, `replies from the VIP carried director MACs: ${fromDirector.join(', ')}`);
  const unknown = [...macs.keys()].filter((m) => !rsMacs.has(m));
  expect(unknown.length === 0, `replies from the VIP carried unknown MACs: ${unknown.join(', ')}`);
  return [...macs].map(([m, n]) => `${n} frames from ${nameOfMac(lab, m)}`).join(', ');
}

export const replyMacs: E2eCheck = {
  id: 'reply-macs',
  appliesTo: () => true,
  name: () => "replies from the VIP reach the client with a real server's MAC, never the director's",
  run({ settings, sb, lab, state }) {
    sb.client(['sh', '-c', 'sleep 1']);
    const r = run('tcpdump', ['-nn', '-e', '-tt', '-r', clientPcap(settings.runDir), 'not arp'], { timeoutSec: 60 });
    return judgeReplyMacs(lab, r.stdout, state.readyAt, r.stderr);
  },
};
