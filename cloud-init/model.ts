import type { DebianRelease } from './debian-release';

/**
 * Plain, fully-resolved data that the renderers in this folder turn into text.
 *
 * Nothing here knows about cdktf or libvirt: the constructs resolve a lab config into
 * these shapes (defaults applied, validated) and the renderers only format them.
 */

/** IPVS scheduling algorithms keepalived accepts as `lb_algo`. */
export type Scheduler = 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'dh' | 'sh' | 'sed' | 'nq';
export const SCHEDULERS: readonly Scheduler[] = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq'];

/** Transport protocol of a virtual service. */
export type ServiceProtocol = 'TCP' | 'UDP';
export const SERVICE_PROTOCOLS: readonly ServiceProtocol[] = ['TCP', 'UDP'];

/** How VRRP advertisements travel between the directors. */
export type VrrpTransport = 'unicast' | 'multicast';
export const VRRP_TRANSPORTS: readonly VrrpTransport[] = ['unicast', 'multicast'];

/** Initial VRRP state of a director. */
export type VrrpState = 'MASTER' | 'BACKUP';

/** Timings shared by the active health checks. */
export interface CheckTimings {
  readonly connectTimeoutSec: number;
  readonly retry: number;
  readonly delayBeforeRetrySec: number;
  /** The port the check connects to (`connect_port`); omitted means the service's (first) port. */
  readonly connectPort?: number;
}

/** A TCP connect check (`TCP_CHECK`). */
export interface TcpHealthCheck extends CheckTimings {
  readonly type: 'tcp';
}

/** An HTTP GET check (`HTTP_GET`) expecting a status code. */
export interface HttpHealthCheck extends CheckTimings {
  readonly type: 'http';
  readonly path: string;
  readonly statusCode: number;
}

/** No active check: the real server is always considered up. */
export interface NoHealthCheck {
  readonly type: 'none';
}

/** An HTTPS GET check (`SSL_GET`) expecting a status code; the certificate is not verified. */
export interface HttpsHealthCheck extends CheckTimings {
  readonly type: 'https';
  readonly path: string;
  readonly statusCode: number;
}

export type HealthCheck = TcpHealthCheck | HttpHealthCheck | HttpsHealthCheck | NoHealthCheck;
export const HEALTH_CHECK_TYPES: readonly HealthCheck['type'][] = ['tcp', 'http', 'https', 'none'];

/**
 * A service's quorum (keepalived `quorum`/`hysteresis`): the service is up while the weights of
 * its healthy real servers add up to at least `weight`; `up`/`down` run when that changes.
 */
export interface QuorumModel {
  readonly weight: number;
  /** The service goes up at weight + hysteresis and down below weight - hysteresis. */
  readonly hysteresis: number;
  /** argv run (as root, no shell) when the quorum is gained; omitted means none. */
  readonly up?: readonly string[];
  /** argv run (as root, no shell) when the quorum is lost; omitted means none. */
  readonly down?: readonly string[];
}

/**
 * An extra checker on every real server of a service (`MISC_CHECK`): keepalived runs `command`
 * (no shell, as root) and removes the server when it fails, like any other of its checkers.
 * Words may hold `{address}`, `{host}` (bracketed for IPv6), `{port}` and `{name}`, replaced per real server when rendered.
 */
export interface MiscCheckModel {
  readonly command: readonly string[];
  readonly timeoutSec: number;
}

/** One real server behind a virtual service. DR cannot remap ports, so it serves on the virtual port. */
export interface RealServerTarget {
  readonly name: string;
  readonly address: string;
  readonly weight: number;
}

/** One IPVS virtual service (`virtual_server VIP PORT`, or `virtual_server fwmark MARK`). */
export interface VirtualService {
  readonly vip: string;
  /** The port (with `fwmark`: the first of `ports`; health checks connect to it by default). */
  readonly port: number;
  /**
   * A firewall-mark service: the directors' nftables mark the packets to the VIP on `ports` and
   * IPVS balances by the mark. Omitted means a plain `virtual_server VIP PORT`.
   */
  readonly fwmark?: number;
  /** Every port of a firewall-mark service (the first is `port`); omitted without `fwmark`. */
  readonly ports?: readonly number[];
  readonly protocol: ServiceProtocol;
  readonly scheduler: Scheduler;
  /** 0 disables persistence. */
  readonly persistenceTimeoutSec: number;
  readonly delayLoopSec: number;
  readonly healthCheck: HealthCheck;
  readonly realServers: readonly RealServerTarget[];
  /** true: `sorry_server 127.0.0.1`, the director itself answers when the quorum is lost. */
  readonly sorryServer?: boolean;
  /** true: a failed real server stays with weight 0 (`inhibit_on_failure`) instead of being removed. */
  readonly inhibitOnFailure?: boolean;
  /** Omitted means keepalived's default (quorum 1, no hysteresis, no hooks). */
  readonly quorum?: QuorumModel;
  /** Omitted means no extra checker. */
  readonly miscCheck?: MiscCheckModel;
}

/** Optional SMTP alerting, as in the reference's `global_defs`. */
export interface NotificationSettings {
  readonly email: readonly string[];
  readonly from: string;
  readonly smtpServer: string;
  readonly smtpConnectTimeoutSec: number;
}

/** A VRRP instance as one director sees it. */
export interface VrrpInstanceModel {
  /** keepalived instance name, e.g. `VI_LAB`. */
  readonly name: string;
  readonly state: VrrpState;
  readonly virtualRouterId: number;
  readonly priority: number;
  readonly advertIntSec: number;
  /** VRRP protocol version; fractional advert intervals need 3. */
  readonly version: 2 | 3;
  readonly transport: VrrpTransport;
  /** PASS authentication, 1-8 printable characters; omitted means no authentication block. */
  readonly authPass?: string;
  readonly nopreempt: boolean;
  /** Addresses owned by this instance, rendered as /32 on the lab interface. */
  readonly vips: readonly string[];
  /**
   * 6: an IPv6 instance (dual stack): its vips are IPv6, rendered as deprecated /128s, and with
   * unicast it speaks from the director's address6 to the peers6. Absent: IPv4.
   */
  readonly family?: 6;
}

/**
 * A user-given check keepalived runs periodically on the director (`vrrp_script`, tracked by every
 * VRRP instance). keepalived runs `command` directly (execve, no shell) as `script_user` root.
 */
export interface TrackScriptModel {
  /** argv: an absolute path of an executable on the director, then its arguments. */
  readonly command: readonly string[];
  readonly intervalSec: number;
  readonly timeoutSec: number;
  /** Consecutive failures before the check counts as failed. */
  readonly fall: number;
  /** Consecutive successes before a failed check counts as passing again. */
  readonly rise: number;
  /** 0: a failed check puts the director in FAULT; otherwise its priority changes by this much (negative: on failure). */
  readonly weight: number;
}

/** Everything `renderKeepalivedConf` needs for one director. */
export interface DirectorKeepalivedModel {
  /** Distinct per director (`router_id`). */
  readonly routerId: string;
  /** Stable interface name (set by network-config), e.g. `lab0`. */
  readonly interfaceName: string;
  /** This director's own address on the lab segment (unicast_src_ip). */
  readonly address: string;
  /** The other directors' addresses (unicast_peer). */
  readonly peers: readonly string[];
  /** Dual stack: this director's IPv6 address (unicast_src_ip of an IPv6 instance). */
  readonly address6?: string;
  /** Dual stack: the other directors' IPv6 addresses (unicast_peer of an IPv6 instance). */
  readonly peers6?: readonly string[];
  readonly instances: readonly VrrpInstanceModel[];
  /** When true, `lvs_sync_daemon <iface> <first instance>` goes into global_defs. */
  readonly connectionSync: boolean;
  readonly notification?: NotificationSettings;
  /** Absolute path of the state-change notify script; omitted means no notify hook. */
  readonly notifyScriptPath?: string;
  /**
   * Sub-second failover tuning in global_defs (gratuitous ARP timing, the yielding MASTER's last
   * advert); needs VRRPv3 instances with advert_int 0.1-0.5 and priorities of 192 or more.
   * Omitted means keepalived's defaults.
   */
  readonly fastFailover?: boolean;
  /** A user-given check every instance tracks; omitted means none. */
  readonly trackScript?: TrackScriptModel;
  readonly services: readonly VirtualService[];
}

/** A static IPv4 interface for network-config v2. */
export interface StaticInterface {
  /** The Debian release whose cloud-init reads the network-config (how the default route is written). */
  readonly release: DebianRelease;
  /** Stable name the NIC is renamed to, e.g. `lab0`. */
  readonly name: string;
  readonly macAddress: string;
  readonly address: string;
  readonly prefixLength: number;
  readonly gateway?: string;
  readonly dns: readonly string[];
  /** Dual stack: the NIC's IPv6 address (no IPv6 gateway is configured). */
  readonly address6?: string;
  /** Prefix length of address6. */
  readonly prefixLength6?: number;
}

/** The login user cloud-init creates. Keys only: no password is ever set. */
export interface SshUser {
  readonly name: string;
  readonly authorizedKeys: readonly string[];
}

/** A file for cloud-init's write_files. */
export interface CloudFile {
  readonly path: string;
  readonly content: string;
  /** Quoted octal, e.g. '0644'. */
  readonly permissions: string;
  readonly owner?: string;
  /** Write after packages are installed (the file depends on a package's user or directory). */
  readonly defer?: boolean;
}

/** Common input of both user-data renderers. */
/** apt's package sources and proxy in the VMs (cloud-init's `apt` module). */
export interface PackageSources {
  /** Debian archive mirror: suites `<release>` and `<release>-updates`. */
  readonly mirror?: string;
  /** Debian security archive mirror: suite `<release>-security`; set whenever `mirror` is. */
  readonly securityMirror?: string;
  /** ASCII-armored key the mirrors are signed with (trusted for them only). */
  readonly signingKey?: string;
  /** apt's HTTP/HTTPS proxy. */
  readonly proxy?: string;
}

export interface UserDataBase {
  readonly hostname: string;
  /** The Debian release the image runs: its apt suites and the sources format its cloud-init writes. */
  readonly release: DebianRelease;
  /** Fully-qualified name for `fqdn` (and /etc/hosts); omitted means hostname only. */
  readonly fqdn?: string;
  readonly ssh: SshUser;
  /** true: the image already has keepalived/ipvsadm/nginx; install nothing. */
  readonly preinstalled: boolean;
  /** apt sources and proxy; omitted means the image's own sources, no proxy. */
  readonly packages?: PackageSources;
}

/** The packets nftables marks for one firewall-mark service (`ip daddr VIP tcp dport { ... }`). */
export interface FirewallMarkRule {
  readonly vip: string;
  readonly protocol: ServiceProtocol;
  readonly ports: readonly number[];
  readonly fwmark: number;
}

/** The directors' sorry site: answers 503 on every port of the services with a sorry server. */
export interface SorrySiteModel {
  readonly ports: readonly number[];
  /** The ports that speak TLS (a self-signed certificate generated at first boot). */
  readonly tlsPorts: readonly number[];
}

export interface DirectorUserDataModel extends UserDataBase {
  readonly keepalived: DirectorKeepalivedModel;
  /** Packets nftables marks for the firewall-mark services; omitted or empty means no nftables ruleset. */
  readonly firewallMarks?: readonly FirewallMarkRule[];
  /** Omitted means no sorry site (and no nginx on the directors). */
  readonly sorrySite?: SorrySiteModel;
}

export interface RealServerUserDataModel extends UserDataBase {
  /** This real server's own lab address, shown by the demo web service; omitted means hostname only. */
  readonly address?: string;
  /** Every VIP this real server must accept traffic for (bound on lo as /32). */
  readonly vips: readonly string[];
  /** Dual stack: every IPv6 VIP it must accept traffic for (bound on lo as /128); omitted means none. */
  readonly vips6?: readonly string[];
  /** Ports the demo web service listens on (one per distinct service port); `tls`: HTTPS there. */
  readonly webPorts: readonly { readonly port: number; readonly protocol: ServiceProtocol; readonly tls?: boolean }[];
  /** true: the web root holds `ready` (`GET /ready` answers 200 until an operator removes it). */
  readonly readyFile?: boolean;
  /** Health-check path that must answer 200 (http checks). */
  readonly healthPaths: readonly string[];
}
