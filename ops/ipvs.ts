/**
 * The IPVS table and sync daemons as `ipvsadm` (1.31, Debian 12) prints them on a director.
 * One parser for the e2e harness and for `lvs-lab status | traffic | drill`: pure functions of
 * the text, unit-tested with output in ipvsadm's own format (__tests__/ops/ipvs.test.ts).
 */
import type { ResolvedLab, ResolvedService } from '../lab';
import { canonicalAddress } from './iproute';

/** One real server row of `ipvsadm -Ln`: `  -> 192.168.20.143:80  Route  1  0  3`. */
export interface IpvsDestination {
  readonly address: string;
  readonly port: number;
  /** `Route` (DR), `Masq` (NAT), `Tunnel`, `Local`. */
  readonly forward: string;
  readonly weight: number;
  readonly activeConns: number;
  readonly inactiveConns: number;
}

/**
 * One virtual service of `ipvsadm -Ln`: `TCP  192.168.20.140:80 wrr persistent 300`, or a
 * firewall-mark service `FWM  1 rr persistent 300` (protocol, VIP and port are then the marking
 * rules' business: `protocol` is `FWM`, `vip` empty, `port` 0).
 */
export interface IpvsService {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP' | 'FWM';
  readonly vip: string;
  readonly port: number;
  /** The firewall mark of an `FWM` service. */
  readonly fwmark?: number;
  readonly scheduler: string;
  /** The persistence timeout in seconds; 0 when the service is not persistent. */
  readonly persistenceSec: number;
  readonly destinations: readonly IpvsDestination[];
}

/** An IPv6 address as ipvsadm prints it (lowercase, zeros compressed) in brackets; an IPv4 one as is. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${canonicalAddress(address)}]:${port}` : `${address}:${port}`;
}

/** A service's URL of the demo web service (an IPv6 VIP in brackets). */
export const serviceUrl = (s: { readonly vip: string; readonly port: number }, file = ''): string => `http://${hostPort(s.vip, s.port)}/${file}`;

/** Every port of a service as a client reaches it: https on its TLS ports, http on the others (an IPv6 VIP in brackets). */
export const serviceUrls = (s: { readonly vip: string; readonly ports: readonly number[]; readonly tlsPorts: readonly number[] }): string[] =>
  s.ports.map((p) => `${s.tlsPorts.includes(p) ? 'https' : 'http'}://${hostPort(s.vip, p)}/`);

/** The address a real server has under a service: its IPv6 one under an IPv6 VIP. */
export function realServerAddress(s: { readonly vip: string }, rs: { readonly address: string; readonly address6?: string }): string {
  return s.vip.includes(':') && rs.address6 !== undefined ? canonicalAddress(rs.address6) : rs.address;
}

/**
 * The key the table uses for a service: `TCP 192.168.20.140:80`, `TCP [fd77::10]:8080`, or
 * `FWM 1` for a firewall-mark service.
 */
export const serviceKey = (s: { readonly protocol: string; readonly vip: string; readonly port: number; readonly fwmark?: number }): string =>
  s.fwmark !== undefined ? `FWM ${s.fwmark}` : `${s.protocol} ${hostPort(s.vip, s.port)}`;

/**
 * Parses `ipvsadm -Ln` into its services, in the order printed (IPv6 addresses without their
 * brackets). Lines of other shapes (the version banner, the two header lines) are passed over.
 */
export function parseIpvsServices(text: string): IpvsService[] {
  const services: { service: Omit<IpvsService, 'destinations'>; destinations: IpvsDestination[] }[] = [];
  for (const line of text.split('\n')) {
    const service = /^(TCP|UDP|SCTP)\s+(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):(\d+)\s+(\S+)(.*)$/.exec(line);
    if (service) {
      const persistent = /\bpersistent (\d+)/.exec(service[5]);
      services.push({
        service: {
          protocol: service[1] as IpvsService['protocol'],
          vip: service[2].replace(/^\[(.*)\]$/, '$1'),
          port: Number(service[3]),
          scheduler: service[4],
          persistenceSec: persistent ? Number(persistent[1]) : 0,
        },
        destinations: [],
      });
      continue;
    }
    const fwm = /^FWM\s+(\d+)\s+(\S+)(.*)$/.exec(line);
    if (fwm) {
      const persistent = /\bpersistent (\d+)/.exec(fwm[3]);
      services.push({
        service: { protocol: 'FWM', vip: '', port: 0, fwmark: Number(fwm[1]), scheduler: fwm[2], persistenceSec: persistent ? Number(persistent[1]) : 0 },
        destinations: [],
      });
      continue;
    }
    const real = /^\s+->\s+(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):(\d+)\s+(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)/.exec(line);
    const current = services[services.length - 1];
    if (real && current) {
      current.destinations.push({
        address: real[1].replace(/^\[(.*)\]$/, '$1'),
        port: Number(real[2]),
        forward: real[3],
        weight: Number(real[4]),
        activeConns: Number(real[5]),
        inactiveConns: Number(real[6]),
      });
    }
  }
  return services.map((s) => ({ ...s.service, destinations: s.destinations }));
}

/** The shape the e2e harness has always read: `PROTO VIP:PORT -> [{address, port, forward, weight, activeConns}]`. */
export interface IpvsRealServer {
  readonly address: string;
  readonly port: number;
  readonly forward: string;
  readonly weight: number;
  readonly activeConns: number;
}

/** Parses `ipvsadm -Ln` into `PROTO VIP:PORT -> [{address, port, forward, weight, activeConns}]`. */
export function ipvsTable(text: string): Map<string, IpvsRealServer[]> {
  return new Map(
    parseIpvsServices(text).map((s) => [
      serviceKey(s),
      s.destinations.map(({ address, port, forward, weight, activeConns }) => ({ address, port, forward, weight, activeConns })),
    ]),
  );
}

/** An IPVS table (ipvsadm -Ln, parsed) holds every service with every real server of the lab. */
export function ipvsComplete(lab: ResolvedLab, table: ReadonlyMap<string, readonly unknown[]>): boolean {
  return lab.services.every((s) => (table.get(serviceKey(s))?.length ?? 0) === s.realServers.length);
}

/** The real servers of `service` (by name) that the parsed table lists under it. */
export function realServersInTable(lab: ResolvedLab, service: ResolvedService, services: readonly IpvsService[]): string[] {
  const row = services.find((s) => serviceKey(s) === serviceKey(service));
  if (!row) return [];
  return service.realServers.filter((name) => {
    const rs = lab.realServers.find((r) => r.name === name);
    return rs !== undefined && row.destinations.some((d) => d.address === realServerAddress(service, rs));
  });
}

/** One connection-sync daemon of `ipvsadm -L --daemon`. */
export interface SyncDaemon {
  /** master: sends this director's connections; backup: receives the MASTER's. */
  readonly role: 'master' | 'backup';
  readonly interface: string;
  readonly syncId: number;
  /** `maxlen`, `group`, `port`, `ttl` as printed (newer kernels and ipvsadm only). */
  readonly options: Readonly<Record<string, string>>;
}

/**
 * Parses `ipvsadm -L --daemon`: one line per running daemon,
 * `master sync daemon (mcast=lab0, syncid=51, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)`;
 * nothing at all when none runs.
 */
export function parseSyncDaemons(text: string): SyncDaemon[] {
  const daemons: SyncDaemon[] = [];
  for (const line of text.split('\n')) {
    const m = /^(master|backup) sync daemon \(mcast=([^,)]+), syncid=(\d+)((?:, [a-z]+=[^,)]+)*)\)\s*$/.exec(line.trim());
    if (!m) continue;
    const options = Object.fromEntries([...m[4].matchAll(/, ([a-z]+)=([^,)]+)/g)].map((o) => [o[1], o[2]]));
    daemons.push({ role: m[1] as SyncDaemon['role'], interface: m[2], syncId: Number(m[3]), options });
  }
  return daemons;
}
