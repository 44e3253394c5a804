/**
 * A host bridge in the sandbox's lab namespace, made the way a LAN a user bridges into looks:
 * the bridge itself, and when the lab config names a gateway, a router at that address that
 * forwards to the internet stand-in and answers DNS there (forwarding to the stand-in), as a
 * home or office router does. Used for `network.mode: bridge` labs, and as the segment of the
 * no-terraform baseline and the direct-boot reference.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { ResolvedLab } from '../lab';

function ip(args: readonly string[]): void {
  const r = spawnSync('ip', [...args], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

export interface LanOptions {
  readonly ns: string;
  readonly wanNs: string;
  readonly wanIp: string;
  /** The lab namespace's address on the link to the internet stand-in. */
  readonly uplinkIp: string;
  readonly bridge: string;
  readonly lab: ResolvedLab;
  /** Where the DNS forwarder logs its queries. */
  readonly dnsLog: string;
}

/** The bridge's own MAC: locally administered, from the lab's subnet (02:00 and its four octets). */
export function lanBridgeMac(lab: ResolvedLab): string {
  return ['02', '00', ...lab.network.networkAddress.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

/**
 * Makes the bridge (if absent) and, with a gateway, the router and DNS forwarder. Idempotent:
 * a second call for the same bridge changes nothing. Throws when the config's DNS servers are
 * something the sandbox cannot provide (anything but the gateway).
 */
export function ensureLan(o: LanOptions): void {
  const { network } = o.lab;
  const strangers = network.dns.filter((d) => d !== network.gateway);
  if (strangers.length > 0) {
    throw new Error(
      `network.dns ${JSON.stringify(network.dns)}: the sandbox answers DNS only at the lab's gateway (${network.gateway ?? 'none set'}); ` +
        'set network.gateway and network.dns: [<gateway>] in a bridged e2e lab',
    );
  }
  const exists = spawnSync('ip', ['-n', o.ns, 'link', 'show', o.bridge], { encoding: 'utf8' }).status === 0;
  if (!exists) {
    ip(['-n', o.ns, 'link', 'add', o.bridge, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    // A bridge without an address of its own takes the lowest MAC of its ports, and changes it
    // when a port with a lower one joins (the client's veth, after the lab is up): the router's
    // MAC would change under the VMs' ARP caches, and the gateway (the directors' track script
    // pings it) would be unreachable for half a minute. A LAN's router keeps its MAC.
    ip(['-n', o.ns, 'link', 'set', o.bridge, 'address', lanBridgeMac(o.lab)]);
    ip(['-n', o.ns, 'link', 'set', o.bridge, 'up']);
  }
  if (network.gateway === undefined) return;
  const has = spawnSync('ip', ['-n', o.ns, '-4', '-o', 'addr', 'show', 'dev', o.bridge], { encoding: 'utf8' }).stdout.includes(` ${network.gateway}/`);
  if (has) return;
  ip(['-n', o.ns, 'addr', 'add', `${network.gateway}/${network.prefixLength}`, 'dev', o.bridge]);
  // The stand-in routes replies for the lab subnet back through the lab namespace (no NAT:
  // a LAN behind a router is routed as it is).
  ip(['-n', o.wanNs, 'route', 'replace', `${network.networkAddress}/${network.prefixLength}`, 'via', o.uplinkIp]);
  if (network.dns.length > 0) {
    const r = spawnSync(
      'ip',
      [
        'netns', 'exec', o.ns, 'dnsmasq', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
        `--listen-address=${network.gateway}`, `--server=${o.wanIp}`, '--log-queries', `--log-facility=${o.dnsLog}`,
        `--pid-file=${path.join(path.dirname(o.dnsLog), `dnsmasq-${o.bridge}.pid`)}`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (r.status !== 0) throw new Error(`DNS forwarder on ${network.gateway}: ${r.stderr.trim()}`);
  }
}

/** A tap on the LAN for a directly launched qemu. */
export function addTap(ns: string, bridge: string, tap: string): void {
  ip(['-n', ns, 'tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  ip(['-n', ns, 'link', 'set', tap, 'master', bridge, 'up']);
}

export function removeTap(ns: string, tap: string): void {
  spawnSync('ip', ['-n', ns, 'link', 'del', tap]);
}
