// Generated from lab/schema.ts by `npm run schema` (lab/config-types-gen.ts); do not edit.
// The lab config as a user writes it: every field with its description and default.

/** An LVS-DR keepalived lab on libvirt. Every field is optional; directors, services and realServers replace the defaults wholesale. */
export interface LabConfig {
  /**
   * Prefix of every libvirt object: <name>-net, <name>-pool, <name>-base.qcow2, and <name>--<VM name> for the VMs. The app names the lab's state file after it too (terraform.<name>.tfstate).
   * @default "lvs-lab"
   */
  readonly name?: string;
  /**
   * The libvirt connection the provider creates the lab through (qemu:///system: the system libvirtd of this machine).
   * @default "qemu:///system"
   */
  readonly libvirtUri?: string;
  /**
   * kvm | qemu (software emulation, for hosts without KVM).
   * @default "kvm"
   */
  readonly domainType?: 'kvm' | 'qemu';
  /**
   * Directory of the libvirt storage pool the lab creates: a directory of its own, not a system or shared one (/, /etc, /home, /tmp, /var/lib/libvirt/images, ...); if it exists, it must be empty or hold only this lab's volumes (<name>-…).
   * @default - /var/lib/libvirt/images/<name>
   */
  readonly storagePoolPath?: string;
  /**
   * The L2 segment of the lab: every VM and every VIP in one subnet (DR delivers by MAC).
   * @default - every field at its default
   */
  readonly network?: LabNetworkConfig;
  /**
   * The cloud image every VM boots from (each VM gets a copy-on-write volume over it).
   * @default - every field at its default
   */
  readonly image?: LabImageConfig;
  /**
   * Where the VMs get packages (first-boot install and later apt).
   * @default - every field at its default
   */
  readonly packages?: LabPackagesConfig;
  /**
   * The login cloud-init sets up on every VM: a user and its SSH keys (no password).
   * @default - every field at its default
   */
  readonly ssh?: LabSshConfig;
  /**
   * The directors' VRRP instance that moves the VIPs between them (keepalived's vrrp_instance).
   * @default - every field at its default
   */
  readonly vrrp?: LabVrrpConfig;
  /**
   * Replaces the default pair wholesale. VRRP failover needs a MASTER and a BACKUP.
   * @default [{"name":"director-1","address":"192.168.20.141","priority":180},{"name":"director-2","address":"192.168.20.142","priority":80}]
   */
  readonly directors?: readonly LabDirectorConfig[];
  /**
   * Replaces the default service wholesale.
   * @default [{"vip":"192.168.20.140"}]
   */
  readonly services?: readonly LabServiceConfig[];
  /**
   * Replaces the default real servers wholesale.
   * @default [{"name":"rs-1","address":"192.168.20.143","weight":100},{"name":"rs-2","address":"192.168.20.144","weight":100}]
   */
  readonly realServers?: readonly LabRealServerConfig[];
  /**
   * The VM sizes, by role (directors, real servers).
   * @default - every field at its default
   */
  readonly sizes?: LabSizesConfig;
  /**
   * keepalived's SMTP alerts (global_defs).
   * @default - none
   */
  readonly notification?: LabNotificationConfig;
}

/** The L2 segment of the lab: every VM and every VIP in one subnet (DR delivers by MAC). */
export interface LabNetworkConfig {
  /**
   * nat | isolated (libvirt creates the bridge) | bridge (an existing host bridge)
   * @default "nat"
   */
  readonly mode?: 'nat' | 'isolated' | 'bridge';
  /**
   * Name of an existing host bridge; required when mode is bridge (Linux interface names: at most 15 bytes).
   * @default - none
   */
  readonly bridge?: string;
  /**
   * The lab subnet (prefix 1-30; not loopback, link-local, multicast, reserved or 0.0.0.0/8).
   * @default "192.168.20.0/24"
   */
  readonly cidr?: string;
  /**
   * The VMs' default route.
   * @default - the subnet's first host for nat (libvirt holds it); none for isolated/bridge
   */
  readonly gateway?: string;
  /**
   * The VMs' DNS servers.
   * @default - [gateway] for nat; [] for isolated/bridge
   */
  readonly dns?: readonly string[];
  /**
   * Dual stack: the lab's IPv6 prefix (not link-local, multicast, loopback or unspecified); every VM gets an address6 in it and services may have IPv6 VIPs (vrrp.version 3). Bridge mode only for now.
   * @default - none (IPv4 only)
   */
  readonly ipv6Cidr?: string;
}

/** The cloud image every VM boots from (each VM gets a copy-on-write volume over it). */
export interface LabImageConfig {
  /**
   * The Debian release the image runs: 13 (trixie) or 12 (bookworm). It decides the apt suites of packages.mirror and what the VMs' cloud-init is given.
   * @default - the release image.source names (debian-12-… or /bookworm/, debian-13-… or /trixie/), else 13
   */
  readonly release?: 13 | 12;
  /**
   * An http(s) URL or a path of a qcow2 cloud image (in a file, relative paths are relative to the file).
   * @default - Debian's genericcloud image of image.release (13: https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2; 12: https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2)
   */
  readonly source?: string;
  /**
   * true: keepalived, ipvsadm and nginx (and nftables for firewall-mark services, openssl for TLS ports) are baked into the image; cloud-init installs nothing.
   * @default false
   */
  readonly preinstalled?: boolean;
}

/** Where the VMs get packages (first-boot install and later apt). */
export interface LabPackagesConfig {
  /**
   * A Debian mirror replacing the image's apt sources (deb.debian.org/debian): suites <codename> and <codename>-updates of image.release (trixie, or bookworm for 12).
   * @default - the image's own sources
   */
  readonly mirror?: string;
  /**
   * A mirror of Debian's security archive (suite <codename>-security, e.g. trixie-security); only with mirror.
   * @default - mirror's .../debian -> .../debian-security, else http://security.debian.org/debian-security
   */
  readonly securityMirror?: string;
  /**
   * apt's http and https proxy (apt-cacher-ng: port 3142).
   * @default - no proxy
   */
  readonly proxy?: string;
  /**
   * The ASCII-armored key that signs mirror and securityMirror, for a repository not signed by Debian's keys; only with mirror.
   * @default - none
   */
  readonly signingKey?: string;
}

/** The login cloud-init sets up on every VM: a user and its SSH keys (no password). */
export interface LabSshConfig {
  /**
   * The login user cloud-init creates (not an account the image already has).
   * @default "lab"
   */
  readonly user?: string;
  /**
   * OpenSSH public keys. Default: none (and no password is ever set); the app (npm run deploy) then authorizes the first of your ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_rsa.pub, and says so.
   * @default []
   */
  readonly authorizedKeys?: readonly string[];
}

/** The directors' VRRP instance that moves the VIPs between them (keepalived's vrrp_instance). */
export interface LabVrrpConfig {
  /**
   * The VRID: unique on the segment.
   * @default 112
   */
  readonly virtualRouterId?: number;
  /**
   * Whole seconds 1-255 with version 2; 0.01-40.95 in steps of 0.01 with version 3.
   * @default 1
   */
  readonly advertIntSec?: number;
  /**
   * VRRP version; fractional advertIntSec needs 3.
   * @default 2
   */
  readonly version?: 2 | 3;
  /**
   * unicast: advertisements go to the other directors' addresses (unicast_peer); multicast: to VRRP's multicast group.
   * @default "unicast"
   */
  readonly transport?: 'unicast' | 'multicast';
  /**
   * VRRPv2 PASS authentication.
   * @default - '1111' (the reference's) with version 2; none with version 3, which has no authentication
   */
  readonly authPass?: string;
  /**
   * true: every director starts BACKUP; a returning director does not take the VIP back.
   * @default false
   */
  readonly nopreempt?: boolean;
  /**
   * IPVS connection sync between the directors (lvs_sync_daemon).
   * @default true
   */
  readonly connectionSync?: boolean;
  /**
   * true: the service answers again within 1 s of the MASTER's last advert. Needs version 3, advertIntSec of at least 0.1 s, and every director, as a BACKUP, to take over within 1 s of the MASTER's last advert: 3 × advertIntSec + (256 - priority) / 256 × advertIntSec (RFC 5798's master-down interval) + 0.2 s (the new MASTER's gratuitous ARPs and the client's retry): e.g. advertIntSec 0.2 with priorities 250 and 240 takes over 0.61 s after the last advert; adverts of at most 0.26 s even at priority 254. Renders the gratuitous ARP timing for it.
   * @default false
   */
  readonly fastFailover?: boolean;
  /**
   * A user-given check on the directors (keepalived's vrrp_script, tracked by the VRRP instance).
   * @default - none
   */
  readonly trackScript?: LabTrackScriptConfig;
}

/** A user-given check on the directors (keepalived's vrrp_script, tracked by the VRRP instance). Default: none. */
export interface LabTrackScriptConfig {
  /** The check as argv, e.g. [/usr/bin/ping, -c, "1", -W, "1", 192.168.20.1]: keepalived runs it directly, no shell, as root (script security: the executable and its directories writable by root only). Exit 0 passes. */
  readonly command: readonly string[];
  /**
   * Seconds between two runs.
   * @default 2
   */
  readonly intervalSec?: number;
  /**
   * A run that takes longer fails; at most intervalSec.
   * @default - intervalSec
   */
  readonly timeoutSec?: number;
  /**
   * Failures in a row that fail the check.
   * @default 2
   */
  readonly fall?: number;
  /**
   * Successes in a row that pass a failed check again.
   * @default 2
   */
  readonly rise?: number;
  /**
   * 0: a director whose check fails goes FAULT and gives up the VIP (if it fails on every director, none holds the VIP). Negative: its priority drops by -weight instead, positive: a passing check raises it; |weight| must exceed the directors' priority spread, so the VIP moves; with nopreempt only 0 moves it (no BACKUP preempts a MASTER whose priority dropped).
   * @default 0
   */
  readonly weight?: number;
}

export interface LabDirectorConfig {
  /** The guest hostname; <lab name>--<name> is its libvirt domain name (at most 63 characters) and the prefix of its volumes. */
  readonly name: string;
  /** A host address of network.cidr. */
  readonly address: string;
  /**
   * An address of network.ipv6Cidr; only with it.
   * @default - the prefix plus address's last octet, same digits (10.77.0.21 in fd77::/64 -> fd77::21)
   */
  readonly address6?: string;
  /** VRRP priority, distinct per director; the highest starts as MASTER (255 is reserved for the VIP owner). */
  readonly priority: number;
}

export interface LabServiceConfig {
  /** A host address of network.cidr that no VM owns (DR delivers by MAC: one L2 segment), or an address of network.ipv6Cidr (needs vrrp.version 3). */
  readonly vip: string;
  /**
   * Not with ports. Not a port the lab uses itself: 22/TCP (sshd on every VM: the lab is operated over ssh) nor 53/TCP (systemd-resolved's stub resolver on every VM (127.0.0.53)) nor 5355/TCP (systemd-resolved's LLMNR on every VM) nor 5355/UDP (systemd-resolved's LLMNR on every VM) nor 8848/UDP (the IPVS connection sync daemon on the directors, with vrrp.connectionSync).
   * @default 80
   */
  readonly port?: number;
  /**
   * Instead of port: one service over several ports, grouped by a firewall mark (nftables on the directors marks the packets to the VIP on these ports; keepalived's virtual_server fwmark). The first port is the service's port (URLs, checks). Not 22/TCP (sshd on every VM: the lab is operated over ssh) nor 53/TCP (systemd-resolved's stub resolver on every VM (127.0.0.53)) nor 5355/TCP (systemd-resolved's LLMNR on every VM) nor 5355/UDP (systemd-resolved's LLMNR on every VM) nor 8848/UDP (the IPVS connection sync daemon on the directors, with vrrp.connectionSync).
   * @default - none
   */
  readonly ports?: readonly number[];
  /**
   * The firewall mark of a service with ports (only with ports), unique across services.
   * @default - 1 + the index of the service in services
   */
  readonly fwmark?: number;
  /**
   * TCP only: the service's ports on which the real servers' demo web service (and the directors' sorry site) speak HTTPS, with a self-signed certificate generated at first boot.
   * @default - none, plain http
   */
  readonly tlsPorts?: readonly number[];
  /**
   * The transport protocol of the service.
   * @default "TCP"
   */
  readonly protocol?: 'TCP' | 'UDP';
  /**
   * The IPVS scheduling algorithm (keepalived's lb_algo); wrr and wlc use the real servers' weights.
   * @default "wrr"
   */
  readonly scheduler?: 'rr' | 'wrr' | 'lc' | 'wlc' | 'lblc' | 'lblcr' | 'dh' | 'sh' | 'sed' | 'nq';
  /**
   * 0 = off; an idle timeout, not a hard limit (keepalived's maximum: 31 days).
   * @default 0
   */
  readonly persistenceTimeoutSec?: number;
  /**
   * Seconds between health checks.
   * @default 6
   */
  readonly delayLoopSec?: number;
  /**
   * How the directors check each real server of the service (keepalived's checker of a real_server).
   * @default - every field at its default
   */
  readonly healthCheck?: LabHealthCheckConfig;
  /**
   * An extra checker on every real server of the service (keepalived's MISC_CHECK), beside healthCheck: a server is removed when any of its checks fails.
   * @default - none
   */
  readonly miscCheck?: LabMiscCheckConfig;
  /**
   * TCP only. true: when the quorum is lost (every real server down), the directors answer themselves (sorry_server 127.0.0.1): an nginx site on every port of the service answers 503 "sorry-from <director>".
   * @default false
   */
  readonly sorryServer?: boolean;
  /**
   * true: a real server whose check fails stays in IPVS with weight 0 (inhibit_on_failure) instead of being removed, so its connections drain. Not with scheduler dh, which cannot skip a server at weight 0 (with sh the directors rehash its clients: sh-fallback).
   * @default false
   */
  readonly inhibitOnFailure?: boolean;
  /**
   * keepalived's quorum of the service (quorum, hysteresis, quorum_up, quorum_down).
   * @default - quorum 1, no hysteresis, no hooks
   */
  readonly quorum?: LabQuorumConfig;
  /**
   * Names of the real servers behind this service.
   * @default - every real server
   */
  readonly realServers?: readonly string[];
}

/** How the directors check each real server of the service (keepalived's checker of a real_server). */
export interface LabHealthCheckConfig {
  /**
   * https: an HTTPS GET (SSL_GET, certificate not verified) to a port of tlsPorts.
   * @default - tcp for a TCP service, none for a UDP service (the only choice there)
   */
  readonly type?: 'tcp' | 'http' | 'https' | 'none';
  /**
   * tcp/http/https only: the port the check connects to (connect_port), one of the service's ports; http not a port of tlsPorts, https one of them.
   * @default - for https the first port of tlsPorts, otherwise the service's first port
   */
  readonly port?: number;
  /**
   * tcp/http/https only.
   * @default 3
   */
  readonly connectTimeoutSec?: number;
  /**
   * Misses before removal (0: fail on the first). tcp/http/https only.
   * @default 5
   */
  readonly retry?: number;
  /**
   * tcp/http/https only.
   * @default 3
   */
  readonly delayBeforeRetrySec?: number;
  /**
   * http/https only. The demo web service answers every health path with 200.
   * @default "/"
   */
  readonly path?: string;
  /**
   * http/https only. The real servers' demo web service answers health paths with 200.
   * @default 200
   */
  readonly statusCode?: number;
}

/** An extra checker on every real server of the service (keepalived's MISC_CHECK), beside healthCheck: a server is removed when any of its checks fails. Default: none. */
export interface LabMiscCheckConfig {
  /** The check as argv, run by the directors for every real server of the service (no shell, as root); exit 0 passes. Words may hold {address}, {host}, {port} and {name}: the real server's address, the same as a URL's host (an IPv6 address in brackets, [fd77::21]; an IPv4 one as is), the service's first port and the real server's name, e.g. [/usr/bin/curl, -fsS, -o, /dev/null, --max-time, "2", "http://{host}:{port}/ready"], which works for IPv4 and IPv6 services alike. */
  readonly command: readonly string[];
  /**
   * A run that takes longer fails (misc_timeout).
   * @default 5
   */
  readonly timeoutSec?: number;
}

/** keepalived's quorum of the service (quorum, hysteresis, quorum_up, quorum_down). Default: quorum 1, no hysteresis, no hooks. */
export interface LabQuorumConfig {
  /**
   * The service is up while its healthy real servers' weights add up to at least this; at most the sum of the service's real servers' weights.
   * @default 1
   */
  readonly weight?: number;
  /**
   * Less than weight: the service goes up again at weight + hysteresis and down below weight - hysteresis.
   * @default 0
   */
  readonly hysteresis?: number;
  /**
   * Run on the directors when the quorum is gained, as argv (like vrrp.trackScript.command: no shell, as root).
   * @default - none
   */
  readonly up?: readonly string[];
  /**
   * Run on the directors when the quorum is lost, e.g. [/usr/bin/logger, -t, lvs-lab-quorum, down].
   * @default - none
   */
  readonly down?: readonly string[];
}

export interface LabRealServerConfig {
  /** The guest hostname; <lab name>--<name> is its libvirt domain name (at most 63 characters) and the prefix of its volumes. */
  readonly name: string;
  /** A host address of network.cidr. */
  readonly address: string;
  /**
   * An address of network.ipv6Cidr; only with it.
   * @default - the prefix plus address's last octet, same digits (10.77.0.21 in fd77::/64 -> fd77::21)
   */
  readonly address6?: string;
  /**
   * 0 drains the server.
   * @default 100
   */
  readonly weight?: number;
  /**
   * DR cannot remap ports: if given it must equal every service's port.
   * @default - the service port
   */
  readonly port?: number;
}

/** The VM sizes, by role (directors, real servers). */
export interface LabSizesConfig {
  /**
   * The size of every VM of one role.
   * @default - every field at its default
   */
  readonly director?: LabVmSize;
  /**
   * The size of every VM of one role.
   * @default - every field at its default
   */
  readonly realServer?: LabVmSize;
}

/** The size of every VM of one role. */
export interface LabVmSize {
  /**
   * Virtual CPUs of each VM of the role.
   * @default 1
   */
  readonly vcpu?: number;
  /**
   * Memory of each VM of the role, in MiB.
   * @default 512
   */
  readonly memoryMiB?: number;
}

/** keepalived's SMTP alerts (global_defs). */
export interface LabNotificationConfig {
  /** Where the alerts go (notification_email). */
  readonly email: readonly string[];
  /** The sender of the alerts (notification_email_from). */
  readonly from: string;
  /**
   * An IPv4 address: keepalived resolves a host name when it reads its config, and refuses the whole config when that fails (no DNS yet at first boot).
   * @default "127.0.0.1"
   */
  readonly smtpServer?: string;
  /**
   * Seconds.
   * @default 30
   */
  readonly smtpConnectTimeoutSec?: number;
}
