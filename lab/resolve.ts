/**
 * The one entry point from a config as written to the lab the constructs build: parse
 * (schema field checks), apply the schema's defaults, check every cross-field rule, and
 * resolve the derived values (gateway, dns, MACs, domain names). Validation runs once.
 */
import { Value } from '@sinclair/typebox/value';
import { DEBIAN_RELEASE_FACTS, DEFAULT_DEBIAN_RELEASE, releaseNamedBy, type DebianRelease } from '../cloud-init/debian-release';
import type {
  HealthCheck, MiscCheckModel, NotificationSettings, PackageSources, QuorumModel, Scheduler, ServiceProtocol, TrackScriptModel, VrrpTransport,
} from '../cloud-init/model';
import { checkSchema, isMapping, MAX_CONFIG_CHARS, MAX_CONFIG_DEPTH, oversizeReason, SCHEMA_RULES } from './check-schema';
import {
  defaultAddress6, defaultAuthPass, defaultCheckPort, defaultCheckType, defaultDns, defaultFwmark, defaultGateway, defaultSecurityMirror, defaultStoragePoolPath, labMacAddress, vmDomainName,
} from './derive';
import { formatIpv4, parseCidr } from './ipv4';
import { canonicalIpv6, formatIpv6, parseCidr6 } from './ipv6';
import { LabConfigError, labProblem, type LabProblem } from './problems';
import { runRules } from './rules';
import {
  LabHealthCheckSchema, LabMiscCheckSchema, LabNotificationSchema, LabQuorumSchema, LabSchema, LabTrackScriptSchema, LabVmSizeSchema,
  type DomainType, type LabConfig, type LabHealthCheckConfig, type LabMiscCheckConfig, type LabPackagesConfig, type LabQuorumConfig,
  type LabServiceConfig, type LabTrackScriptConfig, type NetworkMode,
} from './schema';

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
  /** Dual stack: the lab's IPv6 prefix (`network.ipv6Cidr`); absent in an IPv4-only lab. */
  readonly ipv6?: ResolvedNetwork6;
}

/** The lab's IPv6 prefix. */
export interface ResolvedNetwork6 {
  /** Canonical (RFC 5952) CIDR text, e.g. `fd77::/64`. */
  readonly cidr: string;
  readonly prefixLength: number;
  /** The prefix's first address, canonical, e.g. `fd77::`. */
  readonly networkAddress: string;
}

export interface ResolvedVm {
  readonly name: string;
  /** `<lab>--<vm>`: the libvirt domain name (at most 63 characters); the guest's hostname is `name`. */
  readonly domainName: string;
  readonly address: string;
  /** Dual stack: its IPv6 address (canonical), given or derived (derive.ts); absent without `network.ipv6Cidr`. */
  readonly address6?: string;
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
  /** As written for IPv4; canonical (RFC 5952) for IPv6. */
  readonly vip: string;
  /** 6 for an IPv6 VIP; absent for IPv4 (so an IPv4-only lab resolves as before). See `serviceFamily`. */
  readonly family?: 6;
  /** The port, or the first of `ports` (URLs and checks use it). */
  readonly port: number;
  /** Every port of the service: `[port]` for a plain service, the config's `ports` for a firewall-mark one. */
  readonly ports: readonly number[];
  /** The firewall mark of a service with `ports` (given, or 1 + its index); absent for a plain service. */
  readonly fwmark?: number;
  /** The ports on which the real servers (and the sorry site) speak HTTPS; empty: plain http everywhere. */
  readonly tlsPorts: readonly number[];
  readonly protocol: ServiceProtocol;
  readonly scheduler: Scheduler;
  readonly persistenceTimeoutSec: number;
  readonly delayLoopSec: number;
  /** `connectPort` is present only when the check connects to another port than `port`. */
  readonly healthCheck: HealthCheck;
  /** An extra checker on every real server; absent when none is given. */
  readonly miscCheck?: MiscCheckModel;
  /** true: the directors answer 503 themselves (sorry_server) when the quorum is lost. */
  readonly sorryServer: boolean;
  /** true: a failed real server stays with weight 0 instead of being removed. */
  readonly inhibitOnFailure: boolean;
  /** The quorum; absent when none is given (keepalived's default: 1, no hysteresis). */
  readonly quorum?: QuorumModel;
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
  /** The image and the Debian release it runs (given, else the one its source names, else 13). */
  readonly image: { readonly source: string; readonly release: DebianRelease; readonly preinstalled: boolean };
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
    /** Sub-second failover tuning (VRRPv3, advert 0.1-0.5 s, priorities 192-254: checked). */
    readonly fastFailover: boolean;
    /** The user's director check; absent when none is given. */
    readonly trackScript?: TrackScriptModel;
  };
  /** Sorted by priority, highest (the initial MASTER) first. */
  readonly directors: readonly ResolvedDirector[];
  readonly services: readonly ResolvedService[];
  readonly realServers: readonly ResolvedRealServer[];
  readonly notification?: NotificationSettings;
}

/** The outcome of `parseLab`: the resolved lab, or every problem found. */
export type LabParseResult =
  | { readonly ok: true; readonly lab: ResolvedLab; readonly config: LabConfig }
  | { readonly ok: false; readonly problems: readonly LabProblem[] };

/** `config` with the schema's literal defaults filled in (a copy; `config` is not touched). */
function withDefaults<T>(schema: Parameters<typeof Value.Default>[0], config: unknown): T {
  return Value.Default(schema, structuredClone(config)) as T;
}

/** The optional mappings whose fields have defaults. */
const SECTIONS = ['network', 'image', 'ssh', 'vrrp', 'packages'] as const;

/** Checks a raw lab config and returns every problem found; an empty list means valid. */
export function validateLabConfig(config: unknown): LabProblem[] {
  const problems: LabProblem[] = [];
  const report = (rule: string, path: string, value: unknown, allowed: string, why?: string) =>
    problems.push(labProblem(rule, path, value, allowed, why));
  const oversize = oversizeReason(config);
  if (oversize) {
    const allowed = `a lab config of at most ${MAX_CONFIG_CHARS} characters (aliases expanded) and ${MAX_CONFIG_DEPTH} levels of nesting`;
    report(SCHEMA_RULES.size, '(root)', Array.isArray(config) ? [] : {}, allowed, oversize);
    return problems;
  }
  checkSchema(LabSchema, config, report);
  const raw = isMapping(config) ? config : {};
  // Broken sections (already reported) read as empty ones, so the rules see their defaults.
  const sections = Object.fromEntries(SECTIONS.map((key) => [key, isMapping(raw[key]) ? raw[key] : {}]));
  runRules({ raw, lab: withDefaults(LabSchema, { ...raw, ...sections }) }, report);
  return problems;
}

/**
 * Parses a lab config as written (a parsed YAML/JSON document or props): every field checked,
 * defaults applied, every rule checked. Returns the resolved lab, or every problem found.
 */
export function parseLab(config: unknown): LabParseResult {
  // Validated once here: the app, the doctor, the CLI and the constructs take the resolved lab
  // (loadLab, LvsDrCluster's `resolvedLab`) instead of parsing the config again.
  const problems = validateLabConfig(config);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: config as LabConfig, lab: resolveValid(config as LabConfig) };
}

/**
 * Validates a lab config and applies every default.
 *
 * @throws LabConfigError listing every problem, when there is any
 */
export function resolveLabConfig(config: LabConfig): ResolvedLab {
  const result = parseLab(config);
  if (!result.ok) throw new LabConfigError(result.problems);
  return result.lab;
}

/** Every literal default of the schema as a config (derived values such as the gateway are not in it). */
export function defaultLabConfig(): LabConfig {
  return withDefaults<LabConfig>(LabSchema, { network: {}, image: {}, ssh: {}, vrrp: {}, sizes: { director: {}, realServer: {} } });
}

type Filled = Required<{ -readonly [K in keyof LabConfig]-?: NonNullable<LabConfig[K]> }>;

/** A valid config to the resolved lab: literal defaults from the schema, derived ones from derive.ts. */
function resolveValid(config: LabConfig): ResolvedLab {
  const lab = withDefaults<Filled>(LabSchema, { network: {}, image: {}, ssh: {}, vrrp: {}, sizes: {}, ...config });
  const name = lab.name;
  const size = (which: 'director' | 'realServer') => withDefaults<{ vcpu: number; memoryMiB: number }>(LabVmSizeSchema, lab.sizes[which] ?? {});
  const ipv6Cidr = lab.network.ipv6Cidr;
  const vm = (vmName: string, which: 'director' | 'realServer', address: string, address6?: string): ResolvedVm => ({
    name: vmName,
    domainName: vmDomainName(name, vmName),
    address,
    ...(ipv6Cidr !== undefined ? { address6: canonicalIpv6(address6 ?? defaultAddress6(ipv6Cidr, address)) as string } : {}),
    macAddress: labMacAddress(name, vmName),
    ...size(which),
  });
  const allRealServers = lab.realServers.map((rs) => rs.name);
  const vrrp = lab.vrrp as Required<typeof lab.vrrp>;
  const authPass = vrrp.authPass ?? defaultAuthPass(vrrp.version);
  return {
    name,
    libvirtUri: lab.libvirtUri,
    domainType: lab.domainType,
    storagePoolPath: lab.storagePoolPath ?? defaultStoragePoolPath(name),
    network: resolveNetwork(lab.network as Required<Filled['network']>),
    image: resolveImage(lab.image),
    ...resolvePackages(config.packages),
    ssh: { user: lab.ssh.user as string, authorizedKeys: [...(lab.ssh.authorizedKeys ?? [])] },
    vrrp: {
      virtualRouterId: vrrp.virtualRouterId,
      advertIntSec: vrrp.advertIntSec,
      version: vrrp.version,
      transport: vrrp.transport,
      ...(authPass !== undefined ? { authPass } : {}),
      nopreempt: vrrp.nopreempt,
      connectionSync: vrrp.connectionSync,
      fastFailover: vrrp.fastFailover,
      ...(vrrp.trackScript !== undefined ? { trackScript: resolveTrackScript(vrrp.trackScript) } : {}),
    },
    directors: [...lab.directors]
      .sort((a, b) => b.priority - a.priority)
      .map((d) => ({ ...vm(d.name, 'director', d.address, d.address6), priority: d.priority })),
    services: lab.services.map((service, index) => resolveService(service, index, allRealServers)),
    realServers: lab.realServers.map((rs) => ({ ...vm(rs.name, 'realServer', rs.address, rs.address6), weight: rs.weight as number })),
    ...(config.notification ? { notification: withDefaults<NotificationSettings>(LabNotificationSchema, config.notification) } : {}),
  };
}

/** The release: given, else the one the source names, else the default; the source: given, else that release's genericcloud image. */
function resolveImage(image: Filled['image']): ResolvedLab['image'] {
  const release = image.release ?? (image.source !== undefined ? releaseNamedBy(image.source) : undefined) ?? DEFAULT_DEBIAN_RELEASE;
  return { source: image.source ?? DEBIAN_RELEASE_FACTS[release].genericCloudImage, release, preinstalled: image.preinstalled as boolean };
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

/** A service's VIP: IPv4 as written; IPv6 canonical, with its family. */
function resolveVip(vip: string): { vip: string; family?: 6 } {
  const v6 = canonicalIpv6(vip);
  return v6 === undefined ? { vip } : { vip: v6, family: 6 };
}

/** The address family of a service's VIP. */
export function serviceFamily(service: Pick<ResolvedService, 'family'>): 4 | 6 {
  return service.family ?? 4;
}

function resolveNetwork6(ipv6Cidr: string | undefined): { ipv6?: ResolvedNetwork6 } {
  const parsed = parseCidr6(ipv6Cidr);
  if (!parsed) return {};
  const networkAddress = formatIpv6(parsed.networkAddress);
  return { ipv6: { cidr: `${networkAddress}/${parsed.prefixLength}`, prefixLength: parsed.prefixLength, networkAddress } };
}

function resolveNetwork(network: { mode: NetworkMode; cidr: string; bridge?: string; gateway?: string; dns?: readonly string[]; ipv6Cidr?: string }): ResolvedNetwork {
  const parsed = parseCidr(network.cidr);
  if (!parsed) throw new Error(`unreachable: ${network.cidr} passed validation`);
  const gateway = network.gateway ?? defaultGateway(network.mode, network.cidr);
  return {
    mode: network.mode,
    ...(network.bridge !== undefined ? { bridge: network.bridge } : {}),
    cidr: network.cidr,
    networkAddress: formatIpv4(parsed.networkAddress),
    prefixLength: parsed.prefixLength,
    ...(gateway !== undefined ? { gateway } : {}),
    dns: [...(network.dns ?? defaultDns(network.mode, gateway))],
    ...resolveNetwork6(network.ipv6Cidr),
  };
}

/** A service with its schema defaults applied (the literal ones: `port`, `protocol`, ...). */
type FilledService = LabServiceConfig & Required<Pick<LabServiceConfig, 'port' | 'protocol' | 'scheduler' | 'persistenceTimeoutSec' | 'delayLoopSec'>>;

function resolveService(given: LabServiceConfig, index: number, allRealServers: readonly string[]): ResolvedService {
  const service = given as FilledService;
  // `port` has a schema default: with `ports` given it is the first of them.
  const ports = service.ports !== undefined ? [...service.ports] : [service.port];
  const tlsPorts = [...(service.tlsPorts ?? [])];
  const protocol = service.protocol as ServiceProtocol;
  return {
    ...resolveVip(service.vip),
    port: ports[0],
    ports,
    ...(service.ports !== undefined ? { fwmark: service.fwmark ?? defaultFwmark(index) } : {}),
    tlsPorts,
    protocol,
    scheduler: service.scheduler as Scheduler,
    persistenceTimeoutSec: service.persistenceTimeoutSec,
    delayLoopSec: service.delayLoopSec,
    healthCheck: resolveHealthCheck(service.healthCheck ?? {}, protocol, ports, tlsPorts),
    ...(service.miscCheck !== undefined ? { miscCheck: resolveMiscCheck(service.miscCheck) } : {}),
    sorryServer: service.sorryServer ?? false,
    inhibitOnFailure: service.inhibitOnFailure ?? false,
    ...(service.quorum !== undefined ? { quorum: resolveQuorum(service.quorum) } : {}),
    realServers: [...(service.realServers ?? allRealServers)],
  };
}

/**
 * The check as given, its type defaulted by protocol (stated once, in derive.ts), its fields by
 * the schema, its port by the service's ports (`defaultCheckPort`).
 */
function resolveHealthCheck(given: LabHealthCheckConfig, protocol: ServiceProtocol, ports: readonly number[], tlsPorts: readonly number[]): HealthCheck {
  const type = given.type ?? defaultCheckType(protocol);
  if (type === 'none') return { type };
  const check = withDefaults<Required<LabHealthCheckConfig>>(LabHealthCheckSchema, given);
  const connectPort = given.port ?? defaultCheckPort(type, ports, tlsPorts);
  const timings = {
    connectTimeoutSec: check.connectTimeoutSec,
    retry: check.retry,
    delayBeforeRetrySec: check.delayBeforeRetrySec,
    // Only when it differs from the service's port: every other lab resolves as before.
    ...(connectPort !== ports[0] ? { connectPort } : {}),
  };
  if (type === 'tcp') return { type, ...timings };
  return { type, ...timings, path: check.path, statusCode: check.statusCode };
}

function resolveQuorum(given: LabQuorumConfig): QuorumModel {
  const quorum = withDefaults<Required<LabQuorumConfig>>(LabQuorumSchema, given);
  return {
    weight: quorum.weight,
    hysteresis: quorum.hysteresis,
    ...(given.up !== undefined ? { up: [...given.up] } : {}),
    ...(given.down !== undefined ? { down: [...given.down] } : {}),
  };
}

function resolveMiscCheck(given: LabMiscCheckConfig): MiscCheckModel {
  const check = withDefaults<Required<LabMiscCheckConfig>>(LabMiscCheckSchema, given);
  return { command: [...check.command], timeoutSec: check.timeoutSec };
}

/** The check as given, its counts and weight defaulted by the schema, its timeout by its interval. */
function resolveTrackScript(given: LabTrackScriptConfig): TrackScriptModel {
  const check = withDefaults<Required<LabTrackScriptConfig>>(LabTrackScriptSchema, given);
  return {
    command: [...check.command],
    intervalSec: check.intervalSec,
    timeoutSec: given.timeoutSec ?? check.intervalSec,
    fall: check.fall,
    rise: check.rise,
    weight: check.weight,
  };
}
