/**
 * Tool output as the lab's VMs print it, for the operator commands' tests.
 *
 * - `ip` output was recorded with iproute2 6.1 (Debian 12, the lab's image) in network
 *   namespaces set up as a director (lab0 with its address and the VIP /32, as keepalived adds
 *   it), a real server (the VIP on lo with label lo:0, as lvs-real-server binds it) and a client;
 *   the IPv6 lines likewise (an IPv6 VIP added `nodad preferred_lft 0`, and the link-local or
 *   loopback address every interface has).
 * - `ipvsadm` output is rendered with ipvsadm 1.31's own format strings (`strings
 *   /usr/sbin/ipvsadm` on Debian 12): the machine these tests were written on has no IPVS in its
 *   kernel, so `ipvsadm -Ln` could only print its error there (recorded below too).
 */

/** An IPv6 VIP as `ip -o addr show` prints it once bound `nodad preferred_lft 0` (as the lab binds them). */
const inet6Vip = (device: string, vip: string) => `${device}    inet6 ${vip}/128 scope global nodad deprecated \\       valid_lft forever preferred_lft 0sec`;

/** `ip -o addr show dev lab0` of a director; with the VIPs when it is the MASTER (IPv4 lines first, as iproute2 prints them). */
export function directorAddresses(address: string, vips: readonly string[] = [], prefix = 24, broadcast = '192.168.20.255'): string {
  return [
    `2: lab0    inet ${address}/${prefix} brd ${broadcast} scope global lab0\\       valid_lft forever preferred_lft forever`,
    ...vips.filter((vip) => !vip.includes(':')).map((vip) => `2: lab0    inet ${vip}/32 scope global lab0\\       valid_lft forever preferred_lft forever`),
    ...vips.filter((vip) => vip.includes(':')).map((vip) => `2: ${inet6Vip('lab0', vip)}`),
    '2: lab0    inet6 fe80::5054:ff:fe3b:910e/64 scope link \\       valid_lft forever preferred_lft forever',
    '',
  ].join('\n');
}

/** `ip -o addr show dev lo` of a real server with its VIPs bound (IPv4 ones labelled lo:0, lo:1, ...). */
export function realServerLo(vips: readonly string[]): string {
  const v4 = vips.filter((vip) => !vip.includes(':'));
  return [
    '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
    ...v4.map((vip, i) => `1: lo    inet ${vip}/32 scope global lo:${i}\\       valid_lft forever preferred_lft forever`),
    ...vips.filter((vip) => vip.includes(':')).map((vip) => `1: ${inet6Vip('lo', vip)}`),
    '1: lo    inet6 ::1/128 scope host \\       valid_lft forever preferred_lft forever',
    '',
  ].join('\n');
}

/** One real server row of an IPVS service. */
export interface IpvsRow {
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly active?: number;
  readonly inactive?: number;
  readonly forward?: string;
}

/** One IPVS service as ipvsadm lists it. */
export interface IpvsServiceRows {
  readonly protocol: 'TCP' | 'UDP';
  readonly vip: string;
  readonly port: number;
  readonly scheduler: string;
  readonly persistenceSec?: number;
  readonly rows: readonly IpvsRow[];
}

/** `ipvsadm -Ln`: ipvsadm 1.31's banner, headers, `%-4s %s %s` service lines and `  -> %-28s %-7s %-6d %-10u %-10u` rows. */
export function ipvsadmList(services: readonly IpvsServiceRows[]): string {
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const s of services) {
    lines.push(`${s.protocol.padEnd(4)} ${s.vip}:${s.port} ${s.scheduler}${s.persistenceSec ? ` persistent ${s.persistenceSec}` : ''}`);
    for (const r of s.rows) {
      lines.push(`  -> ${`${r.address}:${r.port}`.padEnd(28)} ${(r.forward ?? 'Route').padEnd(7)} ${String(r.weight).padEnd(6)} ${String(r.active ?? 0).padEnd(10)} ${String(r.inactive ?? 0).padEnd(10)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `ipvsadm -L --daemon` with keepalived's lvs_sync_daemon on lab0 (syncid: the VRRP instance's router id). */
export function syncDaemons(role: 'master' | 'backup' | 'none', syncId = 51): string {
  if (role === 'none') return '';
  return `${role} sync daemon (mcast=lab0, syncid=${syncId}, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)\n`;
}

/** What `sudo -n ipvsadm -Ln` prints on a kernel without IPVS (recorded, Debian 12). */
export const IPVSADM_NO_IPVS = "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n";

/** What `sudo -n` prints when the user needs a password (sudo 1.9, Debian 12). */
export const SUDO_PASSWORD_REQUIRED = 'sudo: a password is required\n';

/** `ip neigh show to VIP` on the client after a request (recorded). */
export const neighbour = (ip: string, mac: string, state = 'REACHABLE', dev = 'eth0'): string => `${ip} dev ${dev} lladdr ${mac} ${state} \n`;

/** `ip route get VIP` from a machine on the lab segment (recorded), and from one that routes to it. */
export const routeOnLink = (ip: string, dev = 'eth0', src = '192.168.20.254'): string => `${ip} dev ${dev} src ${src} uid 0 \n    cache \n`;
export const routeVia = (ip: string, via: string, dev = 'eth0', src = '10.0.0.5'): string => `${ip} via ${via} dev ${dev} src ${src} uid 1000 \n    cache \n`;
