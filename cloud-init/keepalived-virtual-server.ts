import { block, directive } from './keepalived-text';
import type { HealthCheck, MiscCheckModel, QuorumModel, RealServerTarget, VirtualService } from './model';

/** One `virtual_server` block of keepalived.conf: an IPVS service in DR mode, its real servers and their checks. */
export function renderVirtualServer(service: VirtualService): string[] {
  const body = [
    `delay_loop ${service.delayLoopSec}`,
    `lb_algo ${service.scheduler}`,
    ...shFallback(service),
    '! DR: the director only rewrites the destination MAC, so replies go straight from the',
    '! real server to the client, each real server must own the VIP (on lo, ARP-silenced)',
    '! and the real port must equal the virtual port.',
    'lb_kind DR',
  ];
  if (service.persistenceTimeoutSec > 0) {
    body.push(`persistence_timeout ${service.persistenceTimeoutSec}`);
  }
  if (service.fwmark === undefined) {
    body.push(`protocol ${service.protocol}`);
  } else {
    // keepalived 2.2.7 warns (--config-test exit 5) on a protocol, or a port on a real or sorry
    // server, of a firewall-mark service: the mark alone selects the packets, any port.
    body.push(
      `! Firewall mark ${service.fwmark}: nftables on the directors marks ${service.protocol} packets to ${service.vip}`,
      `! on ports ${(service.ports ?? [service.port]).join(', ')}; the real servers get them on the port the client chose.`,
    );
  }
  if (service.quorum !== undefined) {
    body.push(...renderQuorum(service.quorum));
  }
  if (service.sorryServer) {
    body.push(
      '! When the quorum is lost, IPVS delivers to the director itself (a local destination):',
      '! its sorry site answers 503.',
      service.fwmark === undefined ? `sorry_server 127.0.0.1 ${service.port}` : 'sorry_server 127.0.0.1',
    );
  }
  for (const realServer of service.realServers) {
    body.push(...renderRealServer(service, realServer));
  }
  const header = service.fwmark === undefined ? `virtual_server ${service.vip} ${service.port}` : `virtual_server fwmark ${service.fwmark}`;
  return block(header, body);
}

/**
 * `sh-fallback` with the source-hashing scheduler. sh hashes a client to a bucket of its table,
 * and the table keeps naming a real server at weight 0 (inhibit_on_failure, a drained server, or
 * every server down while the sorry server is in): without the fallback IPVS finds no destination
 * for that client and answers ICMP port unreachable (connection refused), even when a live server
 * or the sorry server is in the table. With it (IP_VS_SVC_F_SCHED_SH_FALLBACK) such a client is
 * rehashed to an available destination; the others keep theirs.
 */
function shFallback(service: VirtualService): string[] {
  if (service.scheduler !== 'sh') return [];
  return [
    '! A client whose hashed server is at weight 0 (inhibited, drained) is rehashed to an',
    '! available one (or the sorry server) instead of refused.',
    'sh-fallback',
  ];
}

function renderQuorum(quorum: QuorumModel): string[] {
  const lines = [
    '! The service is up while its healthy real servers weigh at least quorum (up again at',
    '! quorum + hysteresis, down below quorum - hysteresis).',
    `quorum ${quorum.weight}`,
    `hysteresis ${quorum.hysteresis}`,
  ];
  for (const key of ['up', 'down'] as const) {
    const command = quorum[key];
    if (command !== undefined) lines.push(directive.quorumHook(key, command));
  }
  return lines;
}

function renderRealServer(service: VirtualService, realServer: RealServerTarget): string[] {
  const header = service.fwmark === undefined ? `real_server ${realServer.address} ${service.port}` : `real_server ${realServer.address}`;
  const body = [`weight ${realServer.weight}`];
  if (service.inhibitOnFailure) {
    body.push('inhibit_on_failure');
  }
  body.push(...renderHealthCheck(service.port, service.healthCheck));
  if (service.miscCheck !== undefined) {
    body.push(...renderMiscCheck(service.miscCheck, { address: realServer.address, port: service.port, name: realServer.name }));
  }
  return block(header, body);
}

function renderHealthCheck(port: number, check: HealthCheck): string[] {
  // `retry` is keepalived 2.x's spelling; the older `nb_get_retry` is an unknown keyword in 2.2.
  if (check.type === 'none') return [];
  const timings = [
    `connect_port ${check.connectPort ?? port}`,
    `connect_timeout ${check.connectTimeoutSec}`,
    `retry ${check.retry}`,
    `delay_before_retry ${check.delayBeforeRetrySec}`,
  ];
  switch (check.type) {
    case 'tcp':
      return block('TCP_CHECK', timings);
    case 'http':
      return block('HTTP_GET', [...block('url', [`path ${check.path}`, `status_code ${check.statusCode}`]), ...timings]);
    case 'https':
      // SSL_GET does not verify the certificate: the real servers' is self-signed.
      return block('SSL_GET', [...block('url', [`path ${check.path}`, `status_code ${check.statusCode}`]), ...timings]);
  }
}

/** The values a misc check's placeholders stand for, for one real server. */
interface MiscCheckTarget {
  readonly address: string;
  readonly port: number;
  readonly name: string;
}

/** The misc check's argv for one real server: `{address}`, `{host}`, `{port}`, `{name}` replaced. */
export function miscCheckCommand(check: MiscCheckModel, target: MiscCheckTarget): string[] {
  const values: Record<string, string> = {
    address: target.address,
    host: target.address.includes(':') ? `[${target.address}]` : target.address,
    port: String(target.port),
    name: target.name,
  };
  return check.command.map((word) => word.replace(/\{(address|host|port|name)\}/g, (_, key: string) => values[key]));
}

function renderMiscCheck(check: MiscCheckModel, target: MiscCheckTarget): string[] {
  return block('MISC_CHECK', [directive.miscPath(miscCheckCommand(check, target)), `misc_timeout ${check.timeoutSec}`]);
}
