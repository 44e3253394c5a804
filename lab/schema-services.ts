/** The lab schema's service sections: a virtual service, its health check, quorum and misc check. */
import { Type } from '@sinclair/typebox';
import { MAX_FWMARK, MAX_PERSISTENCE_SEC, MAX_TIMER_SEC, MISC_CHECK_ARG_PATTERN } from '../cloud-init/keepalived-limits';
import { HEALTH_CHECK_TYPES, SCHEDULERS, SERVICE_PROTOCOLS } from '../cloud-init/model';
import { HEALTH_PATH_PATTERN, HEALTH_STATUS_CODE } from '../cloud-init/web-service';
import { argv, integer, ipAddress, oneOf, seconds } from './schema-fields';

export const LabHealthCheckSchema = Type.Object(
  {
    type: Type.Optional(oneOf(HEALTH_CHECK_TYPES, {
      description: 'Default: tcp for a TCP service, none for a UDP service (the only choice there). https: an HTTPS GET (SSL_GET, certificate not verified) to a port of tlsPorts.',
    })),
    port: Type.Optional(integer(1, 65535, {
      description: "tcp/http/https only: the port the check connects to (connect_port), one of the service's ports; http not a port of tlsPorts, https one of them. Default: for https the first port of tlsPorts, otherwise the service's first port.",
    })),
    connectTimeoutSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 3, 'tcp/http/https only.')),
    retry: Type.Optional(integer(0, 100, { default: 5, description: 'Misses before removal (0: fail on the first). tcp/http/https only.' })),
    delayBeforeRetrySec: Type.Optional(seconds(1, MAX_TIMER_SEC, 3, 'tcp/http/https only.')),
    path: Type.Optional(Type.String({
      maxLength: 255,
      pattern: HEALTH_PATH_PATTERN.source,
      allowed: "a plain URL path of at most 255 characters: '/' then letters, digits, '.', '_', '~', '-' and '/'",
      default: '/',
      description: 'http/https only. The demo web service answers every health path with 200.',
    })),
    statusCode: Type.Optional(Type.Integer({
      const: HEALTH_STATUS_CODE,
      default: HEALTH_STATUS_CODE,
      description: "http/https only. The real servers' demo web service answers health paths with 200.",
    })),
  },
  { additionalProperties: false, description: "How the directors check each real server of the service (keepalived's checker of a real_server)." },
);

/** A firewall-mark service groups 2-8 ports. */
export const MAX_SERVICE_PORTS = 8;

const MISC_CHECK_WORD_TEXT = "a word of at most 128 letters, digits, '.', '_', '/', ':', '=', '@', '%', '+', ',', '-' and the placeholders {address}, {host}, {port}, {name} (no spaces, quotes, brackets, other braces or shell characters)";

export const LabQuorumSchema = Type.Object(
  {
    weight: Type.Optional(integer(1, 65535, {
      default: 1,
      description: "The service is up while its healthy real servers' weights add up to at least this; at most the sum of the service's real servers' weights.",
    })),
    hysteresis: Type.Optional(integer(0, 65535, {
      default: 0,
      description: 'Less than weight: the service goes up again at weight + hysteresis and down below weight - hysteresis.',
    })),
    up: Type.Optional(argv('Run on the directors when the quorum is gained, as argv (like vrrp.trackScript.command: no shell, as root). Default: none.')),
    down: Type.Optional(argv('Run on the directors when the quorum is lost, e.g. [/usr/bin/logger, -t, lvs-lab-quorum, down]. Default: none.')),
  },
  { additionalProperties: false, description: "keepalived's quorum of the service (quorum, hysteresis, quorum_up, quorum_down). Default: quorum 1, no hysteresis, no hooks." },
);

export const LabMiscCheckSchema = Type.Object(
  {
    command: argv(
      'The check as argv, run by the directors for every real server of the service (no shell, as root); exit 0 passes. Words may hold {address}, {host}, {port} and {name}: the real server\'s address, the same as a URL\'s host (an IPv6 address in brackets, [fd77::21]; an IPv4 one as is), the service\'s first port and the real server\'s name, e.g. [/usr/bin/curl, -fsS, -o, /dev/null, --max-time, "2", "http://{host}:{port}/ready"], which works for IPv4 and IPv6 services alike.',
      { pattern: MISC_CHECK_ARG_PATTERN, allowed: MISC_CHECK_WORD_TEXT },
    ),
    timeoutSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 5, 'A run that takes longer fails (misc_timeout).')),
  },
  {
    additionalProperties: false,
    description: "An extra checker on every real server of the service (keepalived's MISC_CHECK), beside healthCheck: a server is removed when any of its checks fails. Default: none.",
  },
);

/**
 * Ports the lab's own machinery listens on, which the rule reserved-port refuses for services
 * (as `ss -tulpn` lists them on the lab's VMs): sshd on every VM (TCP 22: the lab is deployed,
 * checked and operated over ssh); systemd-resolved on every VM, its stub resolver on
 * 127.0.0.53:53 and 127.0.0.54:53 (TCP: nginx's wildcard bind of 53 fails beside it) and LLMNR on
 * every address (TCP and UDP 5355); with connection sync the IPVS sync daemon on the directors
 * (UDP 8848, IP_VS_SYNC_PORT, keepalived's lvs_sync_daemon default). VRRP is IP protocol 112, no
 * port; keepalived runs without an SNMP agent.
 */
export const RESERVED_PORTS: readonly { port: number; protocol: 'TCP' | 'UDP'; what: string; withConnectionSync?: true }[] = [
  { port: 22, protocol: 'TCP', what: 'sshd on every VM: the lab is operated over ssh' },
  { port: 53, protocol: 'TCP', what: "systemd-resolved's stub resolver on every VM (127.0.0.53)" },
  { port: 5355, protocol: 'TCP', what: "systemd-resolved's LLMNR on every VM" },
  { port: 5355, protocol: 'UDP', what: "systemd-resolved's LLMNR on every VM" },
  { port: 8848, protocol: 'UDP', what: 'the IPVS connection sync daemon on the directors, with vrrp.connectionSync', withConnectionSync: true },
];
/** The reserved ports in words: `22/TCP (...) nor 8848/UDP (...)`. */
export const RESERVED_PORTS_TEXT = RESERVED_PORTS.map((r) => `${r.port}/${r.protocol} (${r.what})`).join(' nor ');

const servicePort = (options: Record<string, unknown> = {}) => integer(1, 65535, options);

export const LabServiceSchema = Type.Object(
  {
    vip: ipAddress({ description: 'A host address of network.cidr that no VM owns (DR delivers by MAC: one L2 segment), or an address of network.ipv6Cidr (needs vrrp.version 3).' }),
    port: Type.Optional(servicePort({ default: 80, description: `Not with ports. Not a port the lab uses itself: ${RESERVED_PORTS_TEXT}.` })),
    ports: Type.Optional(Type.Array(servicePort(), {
      minItems: 2,
      maxItems: MAX_SERVICE_PORTS,
      allowed: `a list of 2-${MAX_SERVICE_PORTS} distinct ports 1-65535`,
      description: `Instead of port: one service over several ports, grouped by a firewall mark (nftables on the directors marks the packets to the VIP on these ports; keepalived's virtual_server fwmark). The first port is the service's port (URLs, checks). Not ${RESERVED_PORTS_TEXT}.`,
    })),
    fwmark: Type.Optional(integer(1, MAX_FWMARK, {
      description: 'The firewall mark of a service with ports (only with ports), unique across services. Default: 1 + the index of the service in services.',
    })),
    tlsPorts: Type.Optional(Type.Array(servicePort(), {
      minItems: 1,
      maxItems: MAX_SERVICE_PORTS,
      allowed: `a list of 1-${MAX_SERVICE_PORTS} distinct ports of the service (its port or ports)`,
      description: "TCP only: the service's ports on which the real servers' demo web service (and the directors' sorry site) speak HTTPS, with a self-signed certificate generated at first boot. Default: none, plain http.",
    })),
    protocol: Type.Optional(oneOf(SERVICE_PROTOCOLS, { default: 'TCP', description: 'The transport protocol of the service.' })),
    scheduler: Type.Optional(oneOf(SCHEDULERS, { default: 'wrr', description: "The IPVS scheduling algorithm (keepalived's lb_algo); wrr and wlc use the real servers' weights." })),
    persistenceTimeoutSec: Type.Optional(integer(0, MAX_PERSISTENCE_SEC, {
      default: 0, unit: 'seconds, 0 = off', description: "0 = off; an idle timeout, not a hard limit (keepalived's maximum: 31 days).",
    })),
    delayLoopSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 6, 'Seconds between health checks.')),
    healthCheck: Type.Optional(LabHealthCheckSchema),
    miscCheck: Type.Optional(LabMiscCheckSchema),
    sorryServer: Type.Optional(Type.Boolean({
      default: false,
      description: 'TCP only. true: when the quorum is lost (every real server down), the directors answer themselves (sorry_server 127.0.0.1): an nginx site on every port of the service answers 503 "sorry-from <director>".',
    })),
    inhibitOnFailure: Type.Optional(Type.Boolean({
      default: false,
      description: 'true: a real server whose check fails stays in IPVS with weight 0 (inhibit_on_failure) instead of being removed, so its connections drain. Not with scheduler dh, which cannot skip a server at weight 0 (with sh the directors rehash its clients: sh-fallback).',
    })),
    quorum: Type.Optional(LabQuorumSchema),
    realServers: Type.Optional(Type.Array(Type.String(), {
      minItems: 1,
      allowed: 'at least one real server name',
      description: 'Names of the real servers behind this service. Default: every real server.',
    })),
  },
  { additionalProperties: false },
);
