/**
 * The lab config: the user's interface (a YAML/JSON file named by LAB_CONFIG, or props).
 *
 * `LabConfig` is what a user writes: every field optional, the defaults reproduce the
 * reference topology. `ResolvedLab` is the same with every default applied and every
 * rule checked; constructs and renderers only ever see a `ResolvedLab`.
 */
import type { HealthCheck, Scheduler, ServiceProtocol, VrrpTransport, NotificationSettings } from '../cloud-init/model';

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

export interface LabSshConfig {
  /** @default 'lab' */
  readonly user?: string;
  /** @default [] (console-only access: no password is ever set) */
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
  readonly name: string;
  readonly address: string;
  /** 0-65535; 0 drains the server. @default 100 */
  readonly weight?: number;
  /** DR cannot remap ports: if given it must equal every service's port. @default - the service port */
  readonly port?: number;
}

export interface LabVmSize {
  /** @default 1 */
  readonly vcpu?: number;
  /** @default 512 */
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
  /** `<lab>-<vm>`: the libvirt domain name and the guest's hostname (at most 63 characters). */
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
