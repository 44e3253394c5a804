/**
 * The IPVS table and sync daemons as `ipvsadm` (1.31, Debian 12) prints them on a director.
 * One parser for the e2e harness and for `lvs-lab status | traffic | drill`: pure functions of
 * the text, unit-tested with output in ipvsadm's own format (__tests__/ops/ipvs.test.ts).
 */
import type { ResolvedLab, ResolvedService } from '../lab';

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

/** One virtual service of `ipvsadm -Ln`: `TCP  192.168.20.140:80 wrr persistent 300`. */
export interface IpvsService {
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  readonly vip: string;
  readonly port: number;
  readonly scheduler: string;
  /** The persistence timeout in seconds; 0 when the service is not persistent. */
  readonly persistenceSec: number;
  readonly destinations: readonly IpvsDestination[];
}

/** The key the table uses for a service: `TCP 192.168.20.140:80`. */
export const serviceKey = (s: { readonly protocol: string; readonly vip: string; readonly port: number }): string =>
  `${s.protocol} ${s.vip}:${s.port}`;

/**
 * Parses `ipvsadm -Ln` into its services, in the order printed. Lines of other shapes (the
 * version banner, the two header lines, firewall-mark services, IPv6) are passed over.
 */
export function parseIpvsServices(text: string): IpvsService[] {
  const services: { service: Omit<IpvsService, 'destinations'>; destinations: IpvsDestination[] }[] = [];
  for (const line of text.split('\n')) {
    const service = /^(TCP|UDP|SCTP)\s+(\d+\.\d+\.\d+\.\d+):(\d+)\s+(\S+)(.*)$/.exec(line);
    if (service) {
      const persistent = /\bpersistent (\d+)/.exec(service[5]);
      services.push({
        service: {
          protocol: service[1] as IpvsService['protocol'],
          vip: service[2],
          port: Number(service[3]),
          scheduler: service[4],
          persistenceSec: persistent ? Number(persistent[1]) : 0,
        },
        destinations: [],
      });
      continue;
    }
    if (/^(FWM|TCP|UDP|SCTP)\s/.test(line)) {
      // a service this lab does not make (fwmark, IPv6): its destinations are not ours either
      services.push({ service: { protocol: 'TCP', vip: '', port: 0, scheduler: '', persistenceSec: 0 }, destinations: [] });
      continue;
    }
    const real = /^\s+->\s+(\d+\.\d+\.\d+\.\d+):(\d+)\s+(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)/.exec(line);
    const current = services[services.length - 1];
    if (real && current) {
      current.destinations.push({
        address: real[1],
        port: Number(real[2]),
        forward: real[3],
        weight: Number(real[4]),
        activeConns: Number(real[5]),
        inactiveConns: Number(real[6]),
      });
    }
  }
  return services.filter((s) => s.service.vip !== '').map((s) => ({ ...s.service, destinations: s.destinations }));
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
    return rs !== undefined && row.destinations.some((d) => d.address === rs.address);
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
