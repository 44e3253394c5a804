/**
 * The lab config: the user's interface (a YAML/JSON file named by LAB_CONFIG, or props).
 *
 * `LabConfig` is what a user writes: every field optional, the defaults reproduce the
 * reference topology. `ResolvedLab` is the same with every default applied and every
 * rule checked; constructs and renderers only ever see a `ResolvedLab`.
 */
import { createHash } from 'node:crypto';
import type { HealthCheck, Scheduler, ServiceProtocol, VrrpTransport, NotificationSettings, PackageSources } from '../cloud-init/model';
// lab-validation imports the defaults below back; it only reads them inside functions, so the cycle is safe.
import { formatIpv4, parseCidr, validateLabConfig, type LabProblem } from './lab-validation';

/** `kvm` needs hardware virtualization; `qemu` is software emulation (TCG). */
export type DomainType = 'kvm' | 'qemu';
export const DOMAIN_TYPES: readonly DomainType[] = ['kvm', 'qemu'];

/** `nat`/`isolated`: libvirt creates and owns the bridge. `bridge`: attach to an existing host bridge. */
export type NetworkMode = 'nat' | 'isolated' | 'bridge';
export const NETWORK_MODES: readonly NetworkMode[] = ['nat', 'isolated', 'bridge'];

export interface LabNetworkConfig {
  /** @default 'nat' */
  readonly mode?: NetworkMode;
  /** Name of an existing host bridge; required when mode is `bridge`. */
  readonly bridge?: string;
  /** @default '192.168.20.0/24' */
  readonly cidr?: string;
  /** @default - the first host address of the cidr for nat; none for isolated/bridge */
  readonly gateway?: string;
  /** @default - [gateway] for nat; [] for isolated/bridge */
  readonly dns?: readonly string[];
}

export interface LabImageConfig {
  /** URL or local path of a qcow2 cloud image.
   * @default 'https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2' */
  readonly source?: string;
  /** true: keepalived, ipvsadm and nginx are baked into the image; cloud-init installs nothing.
   * @default false */
  readonly preinstalled?: boolean;
}

/**
 * Where the VMs get their packages from (cloud-init's `apt` config). Useful behind a corporate
 * firewall: a Debian mirror inside the network, an HTTP proxy, or both. Applies to the first-boot
 * install (`image.preinstalled: false`) and to every later `apt-get` in the VMs.
 */
export interface LabPackagesConfig {
  /** A Debian archive mirror replacing the image's `deb.debian.org/debian`: suites
   * `bookworm` and `bookworm-updates`, component `main`.
   * @default - the image's own sources */
  readonly mirror?: string;
  /** A mirror of Debian's security archive (suite `bookworm-security`); only with `mirror`.
   * @default - `mirror` with its last path segment `debian` replaced by `debian-security` (the layout
   *   of deb.debian.org and most mirrors); otherwise http://security.debian.org/debian-security */
  readonly securityMirror?: string;
  /** An HTTP proxy for apt (http and https), e.g. http://proxy.example:3128 (apt-cacher-ng: port 3142).
   * @default - no proxy */
  readonly proxy?: string;
  /** The ASCII-armored OpenPGP public key that signs `mirror` and `securityMirror`, for a
   * repository not signed by Debian's own keys (a re-signed snapshot, an internal repository).
   * The sources then trust this key only (`signed-by`); only with `mirror`.
   * @default - Debian's archive keys (a plain mirror of Debian) */
  readonly signingKey?: string;
}

export interface LabSshConfig {
  /** @default 'lab' */
  readonly user?: string;
  /** @default [] (no login at all: no password is ever set, so give a key to use ssh) */
  readonly authorizedKeys?: readonly string[];
}

export interface LabVrrpConfig {
  /** @default 112 */
  readonly virtualRouterId?: number;
  /** @default 1 */
  readonly advertIntSec?: number;
  /** VRRP version; fractional advertIntSec needs 3. @default 2 */
  readonly version?: 2 | 3;
  /** @default 'unicast' */
  readonly transport?: VrrpTransport;
  /** PASS authentication, 1-8 printable ASCII characters (no whitespace, no `"`).
   * VRRPv3 has no authentication: with version 3 leave it unset.
   * @default - '1111' (the reference's) with version 2; none with version 3 */
  readonly authPass?: string;
  /** Do not take the VIP back when a higher-priority director returns. @default false */
  readonly nopreempt?: boolean;
  /** IPVS connection sync between the directors (lvs_sync_daemon). @default true */
  readonly connectionSync?: boolean;
}

export interface LabDirectorConfig {
  /** Lowercase letters, digits and '-', starting with a letter: the guest's hostname; `<lab>-<name>` is its libvirt domain name. */
  readonly name: string;
  readonly address: string;
  /** 1-254; the highest starts as MASTER. */
  readonly priority: number;
}

export interface LabHealthCheckConfig {
  /** @default 'tcp' */
  readonly type?: HealthCheck['type'];
  /** @default 3 */
  readonly connectTimeoutSec?: number;
  /** 0 allowed (fail on the first miss). @default 5 */
  readonly retry?: number;
  /** @default 3 */
  readonly delayBeforeRetrySec?: number;
  /** http only. @default '/' */
  readonly path?: string;
  /** http only. @default 200 */
  readonly statusCode?: number;
}

export interface LabServiceConfig {
  readonly vip: string;
  /** @default 80 */
  readonly port?: number;
  /** @default 'TCP' */
  readonly protocol?: ServiceProtocol;
  /** @default 'wrr' */
  readonly scheduler?: Scheduler;
  /** 0 = off. @default 0 */
  readonly persistenceTimeoutSec?: number;
  /** @default 6 */
  readonly delayLoopSec?: number;
  /** @default { type: 'tcp', connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3 } */
  readonly healthCheck?: LabHealthCheckConfig;
  /** Names of the real servers behind this service. @default - every real server */
  readonly realServers?: readonly string[];
}

export interface LabRealServerConfig {
  /** Lowercase letters, digits and '-', starting with a letter: the guest's hostname; `<lab>-<name>` is its libvirt domain name. */
  readonly name: string;
  readonly address: string;
  /** 0-65535; 0 drains the server. @default 100 */
  readonly weight?: number;
  /** DR cannot remap ports: if given it must equal every service's port. @default - the service port */
  readonly port?: number;
}

export interface LabVmSize {
  /** Integer 1-64. @default 1 */
  readonly vcpu?: number;
  /** Integer, at least 256. @default 512 */
  readonly memoryMiB?: number;
}

export interface LabSizesConfig {
  readonly director?: LabVmSize;
  readonly realServer?: LabVmSize;
}

export interface LabNotificationConfig {
  readonly email: readonly string[];
  readonly from: string;
  /** @default '127.0.0.1' */
  readonly smtpServer?: string;
  /** @default 30 */
  readonly smtpConnectTimeoutSec?: number;
}

/** A lab config as a user writes it. */
export interface LabConfig {
  /** Prefix of every libvirt object. @default 'lvs-lab' */
  readonly name?: string;
  /** @default 'qemu:///system' */
  readonly libvirtUri?: string;
  /** @default 'kvm' */
  readonly domainType?: DomainType;
  /** Directory of the libvirt storage pool the lab creates (must not exist yet or be empty).
   * @default - `/var/lib/libvirt/images/${name}` */
  readonly storagePoolPath?: string;
  readonly network?: LabNetworkConfig;
  readonly image?: LabImageConfig;
  readonly packages?: LabPackagesConfig;
  readonly ssh?: LabSshConfig;
  readonly vrrp?: LabVrrpConfig;
  /** When given, replaces the default pair wholesale (no merging by index or name).
   * @default the reference pair: director-1 .141 priority 180, director-2 .142 priority 80 */
  readonly directors?: readonly LabDirectorConfig[];
  /** When given, replaces the default service wholesale.
   * @default one service: VIP .140 port 80 TCP wrr with TCP checks */
  readonly services?: readonly LabServiceConfig[];
  /** When given, replaces the default real servers wholesale.
   * @default rs-1 .143 and rs-2 .144, weight 100 */
  readonly realServers?: readonly LabRealServerConfig[];
  readonly sizes?: LabSizesConfig;
  /** Optional SMTP alerting in keepalived's global_defs. */
  readonly notification?: LabNotificationConfig;
}

/** Interface name every VM's lab NIC is renamed to (network-config v2 `set-name`). */
export const LAB_INTERFACE = 'lab0';

export interface ResolvedNetwork {
  readonly mode: NetworkMode;
  readonly bridge?: string;
  readonly cidr: string;
  readonly networkAddress: string;
  readonly prefixLength: number;
  readonly gateway?: string;
  readonly dns: readonly string[];
}

export interface ResolvedVm {
  readonly name: string;
  /** `<lab>-<vm>`: the libvirt domain name (at most 63 characters); the guest's hostname is `name`. */
  readonly domainName: string;
  readonly address: string;
  /** Deterministic, derived from lab name + VM name. */
  readonly macAddress: string;
  readonly vcpu: number;
  readonly memoryMiB: number;
}

export interface ResolvedDirector extends ResolvedVm {
  readonly priority: number;
}

export interface ResolvedRealServer extends ResolvedVm {
  readonly weight: number;
}

export interface ResolvedService {
  readonly vip: string;
  readonly port: number;
  readonly protocol: ServiceProtocol;
  readonly scheduler: Scheduler;
  readonly persistenceTimeoutSec: number;
  readonly delayLoopSec: number;
  readonly healthCheck: HealthCheck;
  /** Names of the real servers behind it. */
  readonly realServers: readonly string[];
}

/** A lab config with every default applied and every rule checked. */
export interface ResolvedLab {
  readonly name: string;
  readonly libvirtUri: string;
  readonly domainType: DomainType;
  readonly storagePoolPath: string;
  readonly network: ResolvedNetwork;
  readonly image: { readonly source: string; readonly preinstalled: boolean };
  /** The apt sources and proxy; absent when the image's own sources are used without a proxy. */
  readonly packages?: PackageSources;
  readonly ssh: { readonly user: string; readonly authorizedKeys: readonly string[] };
  readonly vrrp: {
    readonly virtualRouterId: number;
    readonly advertIntSec: number;
    readonly version: 2 | 3;
    readonly transport: VrrpTransport;
    readonly authPass?: string;
    readonly nopreempt: boolean;
    readonly connectionSync: boolean;
  };
  /** Sorted by priority, highest (the initial MASTER) first. */
  readonly directors: readonly ResolvedDirector[];
  readonly services: readonly ResolvedService[];
  readonly realServers: readonly ResolvedRealServer[];
  readonly notification?: NotificationSettings;
}

// ---------------------------------------------------------------------------------------------
// Defaults: the reference topology (a keepalived pair in front of two nginx real servers).
// ---------------------------------------------------------------------------------------------

/** Debian 12 generic cloud image (cloud-init, no desktop, virtio drivers). */
export const DEFAULT_IMAGE_SOURCE = 'https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2';

/** The reference's `auth_pass`. Only a guard against a neighbouring VRRP setup, not a secret. */
export const DEFAULT_AUTH_PASS = '1111';

/** Per-service defaults, applied to every entry of `services` (user-given or default). */
export const DEFAULT_SERVICE = {
  port: 80,
  protocol: 'TCP',
  scheduler: 'wrr',
  persistenceTimeoutSec: 0,
  delayLoopSec: 6,
} as const satisfies Omit<LabServiceConfig, 'vip'>;

/** Health-check defaults; `retry 5` is the reference's `nb_get_retry 5` (keepalived 2.x spells it `retry`). */
export const DEFAULT_HEALTH_CHECK = {
  type: 'tcp',
  connectTimeoutSec: 3,
  retry: 5,
  delayBeforeRetrySec: 3,
  path: '/',
  statusCode: 200,
} as const satisfies LabHealthCheckConfig;

export const DEFAULT_REAL_SERVER_WEIGHT = 100;

/** Debian's own security archive: the security mirror when `packages.mirror` has another layout. */
export const DEBIAN_SECURITY_ARCHIVE = 'http://security.debian.org/debian-security';

/** `packages.securityMirror` when not given: `…/debian` -> `…/debian-security`, else Debian's own. */
export function defaultSecurityMirror(mirror: string): string {
  const trimmed = mirror.replace(/\/+$/, '');
  return /\/debian$/.test(trimmed) ? `${trimmed}-security` : DEBIAN_SECURITY_ARCHIVE;
}

export const DEFAULT_VM_SIZE = { vcpu: 1, memoryMiB: 512 } as const satisfies LabVmSize;

export const DEFAULT_NOTIFICATION = { smtpServer: '127.0.0.1', smtpConnectTimeoutSec: 30 } as const;

/**
 * Every literal default of a lab config. `resolveLabConfig({})` is the reference topology.
 *
 * Values derived from others are not here: the gateway (first host for nat), dns ([gateway]
 * for nat), storagePoolPath (`/var/lib/libvirt/images/<name>`), service real servers (every
 * one), MAC addresses. `directors`, `services` and `realServers` are replaced wholesale by a
 * user's list, so changing `network.cidr` means listing all three.
 */
export const DEFAULT_LAB = {
  name: 'lvs-lab',
  libvirtUri: 'qemu:///system',
  domainType: 'kvm',
  network: { mode: 'nat', cidr: '192.168.20.0/24' },
  image: { source: DEFAULT_IMAGE_SOURCE, preinstalled: false },
  ssh: { user: 'lab', authorizedKeys: [] },
  vrrp: {
    virtualRouterId: 112,
    advertIntSec: 1,
    version: 2,
    transport: 'unicast',
    authPass: DEFAULT_AUTH_PASS,
    nopreempt: false,
    connectionSync: true,
  },
  directors: [
    { name: 'director-1', address: '192.168.20.141', priority: 180 },
    { name: 'director-2', address: '192.168.20.142', priority: 80 },
  ],
  // Port 80, TCP, wrr, no persistence, delay_loop 6 and a TCP check come from DEFAULT_SERVICE
  // and DEFAULT_HEALTH_CHECK, which apply to user-given services too.
  services: [{ vip: '192.168.20.140' }],
  realServers: [
    { name: 'rs-1', address: '192.168.20.143', weight: DEFAULT_REAL_SERVER_WEIGHT },
    { name: 'rs-2', address: '192.168.20.144', weight: DEFAULT_REAL_SERVER_WEIGHT },
  ],
  sizes: { director: DEFAULT_VM_SIZE, realServer: DEFAULT_VM_SIZE },
} as const satisfies LabConfig;

/** `/var/lib/libvirt/images/<lab name>`. */
export function defaultStoragePoolPath(labName: string): string {
  return `/var/lib/libvirt/images/${labName}`;
}

/** nat: the first host of the cidr (libvirt puts the host's bridge address there). Otherwise none. */
export function defaultGateway(mode: NetworkMode, cidr: string): string | undefined {
  const parsed = parseCidr(cidr);
  if (mode !== 'nat' || !parsed) return undefined;
  return formatIpv4(parsed.networkAddress + 1);
}

/** nat: [gateway] (libvirt's dnsmasq answers there). isolated/bridge: none. */
export function defaultDns(mode: NetworkMode, gateway: string | undefined): string[] {
  return mode === 'nat' && gateway !== undefined ? [gateway] : [];
}

/** `<lab>-<vm>`: the libvirt domain name and hostname of a VM. */
export function vmDomainName(labName: string, vmName: string): string {
  return `${labName}-${vmName}`;
}

/**
 * A stable MAC in QEMU's locally administered 52:54:00 range: the first three bytes of
 * sha256(`<lab>/<vm>`). Stable MACs keep the network-config `match` and libvirt's DHCP-less
 * static addressing valid across re-creates.
 */
export function labMacAddress(labName: string, vmName: string): string {
  const digest = createHash('sha256').update(`${labName}/${vmName}`).digest();
  const tail = [...digest.subarray(0, 3)].map((byte) => byte.toString(16).padStart(2, '0'));
  return ['52', '54', '00', ...tail].join(':');
}

/** A lab config that failed validation; `problems` holds every problem found, not just the first. */
export class LabConfigError extends Error {
  public readonly problems: readonly LabProblem[];

  /** @param source - where the config came from (a file name), for the message */
  constructor(problems: readonly LabProblem[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super([`Invalid lab config${where} (${count}):`, ...problems.map((p) => `  - ${p.message}`)].join('\n'));
    this.name = 'LabConfigError';
    this.problems = problems;
  }
}

/**
 * Validates a lab config and applies every default.
 *
 * @throws LabConfigError listing every problem, when there is any
 */
export function resolveLabConfig(config: LabConfig): ResolvedLab {
  const problems = validateLabConfig(config);
  if (problems.length > 0) throw new LabConfigError(problems);

  const name = config.name ?? DEFAULT_LAB.name;
  const network = resolveNetwork(config.network ?? {});
  const realServerConfigs = config.realServers ?? DEFAULT_LAB.realServers;
  const allRealServers = realServerConfigs.map((rs) => rs.name);

  const vrrp = config.vrrp ?? {};
  const version = vrrp.version ?? DEFAULT_LAB.vrrp.version;
  // VRRPv3 (RFC 5798) dropped authentication, so the default PASS only applies to version 2.
  const authPass = vrrp.authPass ?? (version === 2 ? DEFAULT_LAB.vrrp.authPass : undefined);

  const vm = (vmName: string, size: LabVmSize | undefined, address: string): ResolvedVm => ({
    name: vmName,
    domainName: vmDomainName(name, vmName),
    address,
    macAddress: labMacAddress(name, vmName),
    vcpu: size?.vcpu ?? DEFAULT_VM_SIZE.vcpu,
    memoryMiB: size?.memoryMiB ?? DEFAULT_VM_SIZE.memoryMiB,
  });

  return {
    name,
    libvirtUri: config.libvirtUri ?? DEFAULT_LAB.libvirtUri,
    domainType: config.domainType ?? DEFAULT_LAB.domainType,
    storagePoolPath: config.storagePoolPath ?? defaultStoragePoolPath(name),
    network,
    image: {
      source: config.image?.source ?? DEFAULT_LAB.image.source,
      preinstalled: config.image?.preinstalled ?? DEFAULT_LAB.image.preinstalled,
    },
    ...resolvePackages(config.packages),
    ssh: {
      user: config.ssh?.user ?? DEFAULT_LAB.ssh.user,
      authorizedKeys: [...(config.ssh?.authorizedKeys ?? DEFAULT_LAB.ssh.authorizedKeys)],
    },
    vrrp: {
      virtualRouterId: vrrp.virtualRouterId ?? DEFAULT_LAB.vrrp.virtualRouterId,
      advertIntSec: vrrp.advertIntSec ?? DEFAULT_LAB.vrrp.advertIntSec,
      version,
      transport: vrrp.transport ?? DEFAULT_LAB.vrrp.transport,
      ...(authPass !== undefined ? { authPass } : {}),
      nopreempt: vrrp.nopreempt ?? DEFAULT_LAB.vrrp.nopreempt,
      connectionSync: vrrp.connectionSync ?? DEFAULT_LAB.vrrp.connectionSync,
    },
    directors: [...(config.directors ?? DEFAULT_LAB.directors)]
      .sort((a, b) => b.priority - a.priority)
      .map((d) => ({ ...vm(d.name, config.sizes?.director, d.address), priority: d.priority })),
    services: (config.services ?? DEFAULT_LAB.services).map((service) => resolveService(service, allRealServers)),
    realServers: realServerConfigs.map((rs) => ({
      ...vm(rs.name, config.sizes?.realServer, rs.address),
      weight: rs.weight ?? DEFAULT_REAL_SERVER_WEIGHT,
    })),
    ...(config.notification ? { notification: resolveNotification(config.notification) } : {}),
  };
}

function resolvePackages(packages: LabPackagesConfig | undefined): { packages?: PackageSources } {
  if (!packages || (packages.mirror === undefined && packages.proxy === undefined)) return {};
  return {
    packages: {
      ...(packages.mirror !== undefined
        ? {
            mirror: packages.mirror,
            securityMirror: packages.securityMirror ?? defaultSecurityMirror(packages.mirror),
            ...(packages.signingKey !== undefined ? { signingKey: packages.signingKey } : {}),
          }
        : {}),
      ...(packages.proxy !== undefined ? { proxy: packages.proxy } : {}),
    },
  };
}

function resolveNetwork(network: LabNetworkConfig): ResolvedNetwork {
  const mode = network.mode ?? DEFAULT_LAB.network.mode;
  const cidr = network.cidr ?? DEFAULT_LAB.network.cidr;
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`unreachable: ${cidr} passed validation`);
  const gateway = network.gateway ?? defaultGateway(mode, cidr);
  return {
    mode,
    ...(network.bridge !== undefined ? { bridge: network.bridge } : {}),
    cidr,
    networkAddress: formatIpv4(parsed.networkAddress),
    prefixLength: parsed.prefixLength,
    ...(gateway !== undefined ? { gateway } : {}),
    dns: [...(network.dns ?? defaultDns(mode, gateway))],
  };
}

function resolveService(service: LabServiceConfig, allRealServers: readonly string[]): ResolvedService {
  return {
    vip: service.vip,
    port: service.port ?? DEFAULT_SERVICE.port,
    protocol: service.protocol ?? DEFAULT_SERVICE.protocol,
    scheduler: service.scheduler ?? DEFAULT_SERVICE.scheduler,
    persistenceTimeoutSec: service.persistenceTimeoutSec ?? DEFAULT_SERVICE.persistenceTimeoutSec,
    delayLoopSec: service.delayLoopSec ?? DEFAULT_SERVICE.delayLoopSec,
    // UDP services have no active check by default: TCP/HTTP checks cannot probe them.
    healthCheck: resolveHealthCheck(service.healthCheck ?? ((service.protocol ?? DEFAULT_SERVICE.protocol) === 'UDP' ? { type: 'none' } : {})),
    realServers: [...(service.realServers ?? allRealServers)],
  };
}

function resolveHealthCheck(check: LabHealthCheckConfig): HealthCheck {
  const type = check.type ?? DEFAULT_HEALTH_CHECK.type;
  if (type === 'none') return { type };
  const timings = {
    connectTimeoutSec: check.connectTimeoutSec ?? DEFAULT_HEALTH_CHECK.connectTimeoutSec,
    retry: check.retry ?? DEFAULT_HEALTH_CHECK.retry,
    delayBeforeRetrySec: check.delayBeforeRetrySec ?? DEFAULT_HEALTH_CHECK.delayBeforeRetrySec,
  };
  if (type === 'tcp') return { type, ...timings };
  return {
    type,
    ...timings,
    path: check.path ?? DEFAULT_HEALTH_CHECK.path,
    statusCode: check.statusCode ?? DEFAULT_HEALTH_CHECK.statusCode,
  };
}

function resolveNotification(notification: LabNotificationConfig): NotificationSettings {
  return {
    email: [...notification.email],
    from: notification.from,
    smtpServer: notification.smtpServer ?? DEFAULT_NOTIFICATION.smtpServer,
    smtpConnectTimeoutSec: notification.smtpConnectTimeoutSec ?? DEFAULT_NOTIFICATION.smtpConnectTimeoutSec,
  };
}
