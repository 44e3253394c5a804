/**
 * Validation of a lab config, as a user wrote it (a parsed YAML/JSON file or props).
 *
 * Two passes, so that every problem is reported at once and nothing crashes on odd input:
 * 1. `readLab` walks the raw value: mappings must be mappings, lists lists, and every key
 *    must be known (typo protection). Defaults fill absent keys, so cross-field rules also see
 *    the values the lab would really get (e.g. the default directors vs. a user's cidr).
 * 2. `LAB_RULES`: small pure rules, one concern each (cdk-nag style). Leaf values are still
 *    `unknown` there: each rule checks the type of the fields it owns, so a string where a
 *    number is expected gets one clear message, and skips values another rule reports.
 *
 * Every problem names the field path, shows the value received and says what is allowed.
 */
import { HEALTH_CHECK_TYPES, SCHEDULERS, SERVICE_PROTOCOLS, VRRP_TRANSPORTS } from '../cloud-init/model';
import { HEALTH_PATH_PATTERN, HEALTH_STATUS_CODE } from '../cloud-init/web-service';
import {
  DEFAULT_LAB,
  DEFAULT_NOTIFICATION,
  DEFAULT_SERVICE,
  DEFAULT_VM_SIZE,
  DOMAIN_TYPES,
  NETWORK_MODES,
  defaultDns,
  defaultGateway,
  labMacAddress,
  vmDomainName,
  type LabConfig,
  type LabDirectorConfig,
  type LabHealthCheckConfig,
  type LabImageConfig,
  type LabNetworkConfig,
  type LabNotificationConfig,
  type LabPackagesConfig,
  type LabRealServerConfig,
  type LabServiceConfig,
  type LabSizesConfig,
  type LabSshConfig,
  type LabVmSize,
  type LabVrrpConfig,
  type NetworkMode,
} from './lab-config';

/** One thing wrong with a lab config. */
export interface LabProblem {
  /** Field path, e.g. `directors[1].priority`. */
  readonly path: string;
  /** The value received (`undefined` when a required field is missing). */
  readonly value: unknown;
  /** What would have been accepted, e.g. `an integer 1-254`. */
  readonly allowed: string;
  /** `<path>: got <value>, expected <allowed>[; why]`. */
  readonly message: string;
}

/** Checks a raw lab config and returns every problem found; an empty list means valid. */
export function validateLabConfig(config: unknown): LabProblem[] {
  const problems: LabProblem[] = [];
  const report: Report = (path, value, allowed, why) => problems.push(labProblem(path, value, allowed, why));
  const lab = readLab(config, report);
  for (const rule of LAB_RULES) rule(lab, report);
  return problems;
}

/** Builds a problem with the standard message. */
export function labProblem(path: string, value: unknown, allowed: string, why?: string): LabProblem {
  const message = `${path}: got ${describeValue(value)}, expected ${allowed}${why ? `; ${why}` : ''}`;
  return { path, value, allowed, message };
}

/** A value as it appears in a message: strings quoted, long lists and mappings summarized. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    // "300" vs 300: say so when a string could be mistaken for another YAML type.
    return /^(-?\d+(\.\d+)?|true|false|yes|no|on|off|null)$/i.test(value) ? `${shown} (a string)` : shown;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const json = Array.isArray(value) || typeof value === 'object' ? JSON.stringify(value) : undefined;
  if (json !== undefined && json.length <= 60) return json;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

// ---------------------------------------------------------------------------------------------
// IPv4 helpers (pure arithmetic: no bit operators, so no sign surprises above 2^31).
// ---------------------------------------------------------------------------------------------

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4_PATTERN = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);

/** A dotted-quad IPv4 address (no leading zeros) as an unsigned number, else undefined. */
export function parseIpv4(text: unknown): number | undefined {
  if (typeof text !== 'string' || !IPV4_PATTERN.test(text)) return undefined;
  return text.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function formatIpv4(address: number): string {
  return [2 ** 24, 2 ** 16, 2 ** 8, 1].map((unit) => Math.floor(address / unit) % 256).join('.');
}

export interface Ipv4Network {
  /** The address as written (host bits possibly set). */
  readonly address: number;
  readonly prefixLength: number;
  readonly networkAddress: number;
  readonly broadcastAddress: number;
}

/** `a.b.c.d/n` with n 0-32, else undefined. Host bits may be set: compare address and networkAddress. */
export function parseCidr(text: unknown): Ipv4Network | undefined {
  const match = typeof text === 'string' ? /^([0-9.]+)\/(0|[1-9]\d?)$/.exec(text) : null;
  const address = match ? parseIpv4(match[1]) : undefined;
  const prefixLength = match ? Number(match[2]) : NaN;
  if (address === undefined || prefixLength > 32) return undefined;
  const size = 2 ** (32 - prefixLength);
  const networkAddress = address - (address % size);
  return { address, prefixLength, networkAddress, broadcastAddress: networkAddress + size - 1 };
}

// ---------------------------------------------------------------------------------------------
// Pass 1: structure. The raw config becomes a CheckedLab whose leaves are still `unknown`.
// ---------------------------------------------------------------------------------------------

/** How rules hand in a problem. */
type Report = (path: string, value: unknown, allowed: string, why?: string) => void;

/** The fields of a config interface, every one present and of unknown type. */
type Loose<T> = { readonly [K in keyof T]-?: unknown };

/** One entry of a list, with its path; `fromDefault` when it came from DEFAULT_LAB. */
type Entry<T> = Loose<T> & { readonly at: string; readonly fromDefault: boolean };

interface EntryList<T> {
  /** Entries that are mappings (others were reported by pass 1). */
  readonly entries: readonly Entry<T>[];
  /** Length of the list as given, broken entries included. */
  readonly count: number;
  /** false when the list itself was not a list (already reported): skip list-level rules. */
  readonly usable: boolean;
  readonly fromDefault: boolean;
}

type CheckedService = Entry<Omit<LabServiceConfig, 'healthCheck'>> & {
  /** User fields only, plus the default type (path/statusCode matter only when given). */
  readonly healthCheck: Loose<LabHealthCheckConfig>;
};

/** A lab config as the rules see it: structure checked, defaults filled in, leaves unknown. */
interface CheckedLab {
  readonly name: unknown;
  readonly libvirtUri: unknown;
  readonly domainType: unknown;
  readonly storagePoolPath: unknown;
  readonly network: Loose<LabNetworkConfig> & {
    /** True when the gateway is the nat default (the first host), not user-given. */
    readonly gatewayIsDefault: boolean;
  };
  readonly image: Loose<LabImageConfig>;
  readonly packages: Loose<LabPackagesConfig>;
  readonly ssh: Loose<LabSshConfig>;
  /** `authPass` is only the user's: its default depends on the version. */
  readonly vrrp: Loose<LabVrrpConfig>;
  readonly directors: EntryList<LabDirectorConfig>;
  readonly services: EntryList<Omit<LabServiceConfig, 'healthCheck'>> & { readonly entries: readonly CheckedService[] };
  readonly realServers: EntryList<LabRealServerConfig>;
  readonly sizes: { readonly director: Loose<LabVmSize>; readonly realServer: Loose<LabVmSize> };
  readonly notification?: Loose<LabNotificationConfig>;
}

/** The keys each mapping accepts; `Record<keyof T, true>` makes the compiler keep them complete. */
const LAB_KEYS: Record<keyof LabConfig, true> = {
  name: true, libvirtUri: true, domainType: true, storagePoolPath: true, network: true, image: true, packages: true,
  ssh: true, vrrp: true, directors: true, services: true, realServers: true, sizes: true, notification: true,
};
const NETWORK_KEYS: Record<keyof LabNetworkConfig, true> = { mode: true, bridge: true, cidr: true, gateway: true, dns: true };
const IMAGE_KEYS: Record<keyof LabImageConfig, true> = { source: true, preinstalled: true };
const PACKAGES_KEYS: Record<keyof LabPackagesConfig, true> = { mirror: true, securityMirror: true, proxy: true, signingKey: true };
const SSH_KEYS: Record<keyof LabSshConfig, true> = { user: true, authorizedKeys: true };
const VRRP_KEYS: Record<keyof LabVrrpConfig, true> = {
  virtualRouterId: true, advertIntSec: true, version: true, transport: true, authPass: true, nopreempt: true, connectionSync: true,
};
const DIRECTOR_KEYS: Record<keyof LabDirectorConfig, true> = { name: true, address: true, priority: true };
const SERVICE_KEYS: Record<keyof LabServiceConfig, true> = {
  vip: true, port: true, protocol: true, scheduler: true, persistenceTimeoutSec: true, delayLoopSec: true,
  healthCheck: true, realServers: true,
};
const HEALTH_CHECK_KEYS: Record<keyof LabHealthCheckConfig, true> = {
  type: true, connectTimeoutSec: true, retry: true, delayBeforeRetrySec: true, path: true, statusCode: true,
};
const REAL_SERVER_KEYS: Record<keyof LabRealServerConfig, true> = { name: true, address: true, weight: true, port: true };
const SIZES_KEYS: Record<keyof LabSizesConfig, true> = { director: true, realServer: true };
const VM_SIZE_KEYS: Record<keyof LabVmSize, true> = { vcpu: true, memoryMiB: true };
const NOTIFICATION_KEYS: Record<keyof LabNotificationConfig, true> = {
  email: true, from: true, smtpServer: true, smtpConnectTimeoutSec: true,
};

const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The known, present keys of a mapping (unknown keys reported); undefined if `raw` is not a
 * mapping (reported). A key whose value is `undefined` counts as absent; `null` does not.
 */
function readMapping<T>(raw: unknown, at: string, keys: Record<keyof T, true>, report: Report): Partial<Loose<T>> | undefined {
  const allowed = Object.keys(keys);
  if (!isMapping(raw)) {
    report(at || '(root)', raw, `a mapping with the keys ${allowed.join(', ')}`);
    return undefined;
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!allowed.includes(key)) {
      const guess = closestKey(key, allowed);
      report(join(at, key), value, `one of the keys ${allowed.join(', ')}`, guess ? `unknown key, did you mean ${guess}?` : 'unknown key');
    } else if (value !== undefined) {
      fields[key] = value;
    }
  }
  return fields as Partial<Loose<T>>;
}

/** An optional mapping: absent or broken ones read as `{}` (a broken one is reported). */
function readSection<T>(raw: unknown, at: string, keys: Record<keyof T, true>, report: Report): Partial<Loose<T>> {
  return raw === undefined ? {} : (readMapping(raw, at, keys, report) ?? {});
}

/** A field that must be a list: anything else is reported and dropped. */
function listField(fields: Record<string, unknown>, key: string, at: string, of: string, report: Report): void {
  const value = fields[key];
  if (value !== undefined && !Array.isArray(value)) {
    report(join(at, key), value, `a list of ${of}`);
    delete fields[key];
  }
}

function readEntries<T>(
  raw: unknown,
  at: string,
  keys: Record<keyof T, true>,
  defaults: readonly object[],
  entryDefaults: object,
  of: string,
  report: Report,
): EntryList<T> {
  if (raw === undefined) {
    const entries = defaults.map((d, i) => ({ ...entryDefaults, ...d, at: `${at}[${i}]`, fromDefault: true }) as Entry<T>);
    return { entries, count: entries.length, usable: true, fromDefault: true };
  }
  if (!Array.isArray(raw)) {
    report(at, raw, `a list of ${of}`);
    return { entries: [], count: 0, usable: false, fromDefault: false };
  }
  const entries: Entry<T>[] = [];
  raw.forEach((item, i) => {
    const fields = readMapping(item, `${at}[${i}]`, keys, report);
    if (fields) entries.push({ ...entryDefaults, ...fields, at: `${at}[${i}]`, fromDefault: false } as Entry<T>);
  });
  return { entries, count: raw.length, usable: true, fromDefault: false };
}

function readLab(config: unknown, report: Report): CheckedLab {
  const top = readMapping<LabConfig>(config, '', LAB_KEYS, report) ?? {};

  const networkFields = readSection<LabNetworkConfig>(top.network, 'network', NETWORK_KEYS, report);
  listField(networkFields, 'dns', 'network', 'IPv4 addresses', report);
  const network = { ...DEFAULT_LAB.network, ...networkFields } as Loose<LabNetworkConfig>;
  const mode = NETWORK_MODES.includes(network.mode as NetworkMode) ? (network.mode as NetworkMode) : undefined;
  const cidrOk = usableNetwork(network.cidr) !== undefined;
  const gatewayIsDefault = !('gateway' in networkFields);
  const gateway = gatewayIsDefault ? (mode && cidrOk ? defaultGateway(mode, network.cidr as string) : undefined) : network.gateway;
  const dns = 'dns' in networkFields ? network.dns : mode ? defaultDns(mode, parseIpv4(gateway) !== undefined ? (gateway as string) : undefined) : [];

  const sshFields = readSection<LabSshConfig>(top.ssh, 'ssh', SSH_KEYS, report);
  listField(sshFields, 'authorizedKeys', 'ssh', 'OpenSSH public keys', report);

  const services = readEntries<LabServiceConfig>(
    top.services, 'services', SERVICE_KEYS, DEFAULT_LAB.services, DEFAULT_SERVICE, 'services (mappings with at least a vip)', report,
  );
  const checkedServices = services.entries.map((service): CheckedService => {
    const fields = { ...service } as Record<string, unknown>;
    listField(fields, 'realServers', service.at, 'real server names', report);
    const check = readSection<LabHealthCheckConfig>(service.healthCheck, join(service.at, 'healthCheck'), HEALTH_CHECK_KEYS, report);
    // The default check type follows resolveLabConfig: tcp, or none for a UDP service.
    const defaultType = (fields as { protocol?: unknown }).protocol === 'UDP' ? 'none' : 'tcp';
    return { ...(fields as Entry<LabServiceConfig>), healthCheck: { type: defaultType, ...check } as Loose<LabHealthCheckConfig> };
  });

  const sizes = readSection<LabSizesConfig>(top.sizes, 'sizes', SIZES_KEYS, report);
  const size = (key: keyof LabSizesConfig): Loose<LabVmSize> =>
    ({ ...DEFAULT_VM_SIZE, ...readSection<LabVmSize>(sizes[key], join('sizes', key), VM_SIZE_KEYS, report) }) as Loose<LabVmSize>;

  let notification: Loose<LabNotificationConfig> | undefined;
  if (top.notification !== undefined) {
    const fields = readMapping<LabNotificationConfig>(top.notification, 'notification', NOTIFICATION_KEYS, report);
    if (fields) {
      listField(fields, 'email', 'notification', 'email addresses', report);
      notification = { ...DEFAULT_NOTIFICATION, ...fields } as Loose<LabNotificationConfig>;
    }
  }

  const { authPass: _defaultPass, ...vrrpDefaults } = DEFAULT_LAB.vrrp;
  return {
    name: 'name' in top ? top.name : DEFAULT_LAB.name,
    libvirtUri: 'libvirtUri' in top ? top.libvirtUri : DEFAULT_LAB.libvirtUri,
    domainType: 'domainType' in top ? top.domainType : DEFAULT_LAB.domainType,
    storagePoolPath: top.storagePoolPath,
    network: { ...network, gateway, dns, gatewayIsDefault },
    image: { ...DEFAULT_LAB.image, ...readSection<LabImageConfig>(top.image, 'image', IMAGE_KEYS, report) } as Loose<LabImageConfig>,
    packages: readSection<LabPackagesConfig>(top.packages, 'packages', PACKAGES_KEYS, report) as Loose<LabPackagesConfig>,
    ssh: { ...DEFAULT_LAB.ssh, ...sshFields } as Loose<LabSshConfig>,
    vrrp: { ...vrrpDefaults, ...readSection<LabVrrpConfig>(top.vrrp, 'vrrp', VRRP_KEYS, report) } as Loose<LabVrrpConfig>,
    directors: readEntries<LabDirectorConfig>(
      top.directors, 'directors', DIRECTOR_KEYS, DEFAULT_LAB.directors, {}, 'directors (mappings with name, address, priority)', report,
    ),
    services: { ...services, entries: checkedServices },
    realServers: readEntries<LabRealServerConfig>(
      top.realServers, 'realServers', REAL_SERVER_KEYS, DEFAULT_LAB.realServers, {}, 'real servers (mappings with name, address)', report,
    ),
    sizes: { director: size('director'), realServer: size('realServer') },
    ...(notification ? { notification } : {}),
  };
}

/** The closest allowed key (case-insensitive equal, or at most 2 edits away). */
function closestKey(key: string, allowed: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

// ---------------------------------------------------------------------------------------------
// Pass 2: rules. Each owns the type and value checks of its fields.
// ---------------------------------------------------------------------------------------------

/** A pure check of one concern; reports through `report`, never throws. */
export type LabRule = (lab: CheckedLab, report: Report) => void;

const DR_SEPARATE_HOSTS =
  'DR forwards by rewriting the destination MAC address, so directors and real servers must be separate hosts';
const DEFAULT_ADDRESS_HINT =
  'this is a default; directors, services and realServers replace the defaults wholesale, so list all three when you change network.cidr';

const isIntegerIn = (value: unknown, min: number, max = Infinity): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

function integerText(min: number, max = Infinity): string {
  if (max !== Infinity) return `an integer ${min}-${max}`;
  return min === 1 ? 'a positive integer' : `an integer >= ${min}`;
}

/** Reports `value` unless it is an integer in [min, max]; `undefined` passes when optional. */
function checkInteger(report: Report, at: string, value: unknown, min: number, max = Infinity, optional = true, unit = ''): void {
  if (optional && value === undefined) return;
  if (!isIntegerIn(value, min, max)) report(at, value, `${integerText(min, max)}${unit}`);
}

function checkOneOf(report: Report, at: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) report(at, value, `one of ${allowed.join(', ')}`);
}

function checkBoolean(report: Report, at: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') report(at, value, 'true or false');
}

const asList = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);

/** The lab subnet when `cidr` is usable (valid, prefix 1-30); host bits are masked off. */
function usableNetwork(cidr: unknown): Ipv4Network | undefined {
  const network = parseCidr(cidr);
  return network && network.prefixLength >= 1 && network.prefixLength <= 30 ? network : undefined;
}

function subnetText(network: Ipv4Network): string {
  const cidr = `${formatIpv4(network.networkAddress)}/${network.prefixLength}`;
  return `an address inside ${cidr} other than its network (${formatIpv4(network.networkAddress)}) and broadcast (${formatIpv4(network.broadcastAddress)}) addresses`;
}

const IPV4_TEXT = 'a dotted-quad IPv4 address such as 192.168.20.10 (no leading zeros)';

/** A host address on the lab segment: well-formed, inside the subnet, not network/broadcast. */
function checkHostAddress(report: Report, lab: CheckedLab, at: string, value: unknown, why?: string): void {
  const address = parseIpv4(value);
  if (address === undefined) {
    report(at, value, IPV4_TEXT);
    return;
  }
  const network = usableNetwork(lab.network.cidr);
  if (network && !subnetHolds(network, address)) report(at, value, subnetText(network), why);
}

/** True for a host address of the network (not its network or broadcast address). */
function subnetHolds(network: Ipv4Network, address: number): boolean {
  return address > network.networkAddress && address < network.broadcastAddress;
}

const NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
const NAME_TEXT = "a name of lowercase letters, digits and '-' that starts with a letter and does not end with '-'";
const MAX_HOSTNAME = 63;

/** Leaves room for `-<vm>` within the 63-character hostname. */
const isLabName = (name: unknown): name is string =>
  typeof name === 'string' && NAME_PATTERN.test(name) && name.length <= MAX_HOSTNAME - 2;

/** `name`: prefix of every libvirt object. */
export const labNameRule: LabRule = (lab, report) => {
  if (!isLabName(lab.name)) {
    report('name', lab.name, `${NAME_TEXT}, at most ${MAX_HOSTNAME - 2} characters`, 'it prefixes every libvirt object');
  }
};

/** `libvirtUri`: a connection URI such as qemu:///system. */
export const libvirtUriRule: LabRule = (lab, report) => {
  const uri = lab.libvirtUri;
  if (typeof uri !== 'string' || !uri.includes('://') || /\s/.test(uri) || uri.startsWith('://')) {
    report('libvirtUri', uri, 'a libvirt connection URI such as qemu:///system (a non-empty string containing "://")');
  }
};

/** `domainType`: kvm or qemu. */
export const domainTypeRule: LabRule = (lab, report) => checkOneOf(report, 'domainType', lab.domainType, DOMAIN_TYPES);

/** `storagePoolPath`: absolute, since libvirt resolves pool paths on the host, not relative to us. */
export const storagePoolPathRule: LabRule = (lab, report) => {
  const path = lab.storagePoolPath;
  if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/') || /[\0\n\r]/.test(path))) {
    report('storagePoolPath', path, 'an absolute path such as /var/lib/libvirt/images/lvs-lab');
  }
};

/** `network.mode`, and `network.bridge` required in bridge mode. */
export const networkModeRule: LabRule = (lab, report) => {
  checkOneOf(report, 'network.mode', lab.network.mode, NETWORK_MODES);
  if (lab.network.mode === 'bridge' && lab.network.bridge === undefined) {
    report('network.bridge', undefined, 'the name of an existing host bridge such as br0', 'required when network.mode is bridge');
  }
};

const INTERFACE_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/** Interface names (the host bridge): Linux allows at most 15 bytes (IFNAMSIZ 16 with the NUL). */
export const interfaceNameRule: LabRule = (lab, report) => {
  const bridge = lab.network.bridge;
  if (bridge !== undefined && (typeof bridge !== 'string' || !INTERFACE_PATTERN.test(bridge))) {
    report('network.bridge', bridge, "an interface name of 1-15 characters: letters, digits, '_', '.' and '-', not starting with '.' or '-'");
  }
};

/** `network.cidr`: IPv4, prefix 1-30 (a /31 or /32 has no room for directors, servers and VIPs), host bits zero. */
export const cidrRule: LabRule = (lab, report) => {
  const cidr = lab.network.cidr;
  const network = parseCidr(cidr);
  if (!network || network.prefixLength < 1 || network.prefixLength > 30) {
    report('network.cidr', cidr, 'an IPv4 network in CIDR notation such as 192.168.20.0/24, prefix length 1-30');
  } else if (network.address !== network.networkAddress) {
    const fixed = `${formatIpv4(network.networkAddress)}/${network.prefixLength}`;
    report('network.cidr', cidr, `a network address with every host bit zero, i.e. ${fixed}`);
  }
};

/**
 * `network.gateway` (user-given): a host of the subnet. In nat mode libvirt gives the host the
 * first address of the cidr and routes from there, so the gateway can only be that address.
 */
export const gatewayRule: LabRule = (lab, report) => {
  if (lab.network.gatewayIsDefault) return;
  const { gateway, mode, cidr } = lab.network;
  checkHostAddress(report, lab, 'network.gateway', gateway);
  const network = usableNetwork(cidr);
  const address = parseIpv4(gateway);
  if (mode === 'nat' && network && address !== undefined && address !== network.networkAddress + 1 && subnetHolds(network, address)) {
    const firstHost = formatIpv4(network.networkAddress + 1);
    report('network.gateway', gateway, `${firstHost}, the first host, in nat mode`, `libvirt's nat network puts the host, the only way out, at ${firstHost}`);
  }
};

/** `network.dns`: IPv4 addresses (they may be anywhere). */
export const dnsRule: LabRule = (lab, report) => {
  asList(lab.network.dns).forEach((server, i) => {
    if (parseIpv4(server) === undefined) report(`network.dns[${i}]`, server, IPV4_TEXT);
  });
};

/** `image`: a source and the preinstalled flag. */
export const imageRule: LabRule = (lab, report) => {
  const source = lab.image.source;
  if (typeof source !== 'string' || !/^(https?:\/\/\S+|\/\S*)$/.test(source)) {
    // The provider opens a relative path from terraform's working directory (cdktf.out/...):
    // relative paths in a config file are resolved against the file by loadLabConfig.
    report('image.source', source, 'an http(s):// URL or an absolute path of a qcow2 cloud image');
  }
  checkBoolean(report, 'image.preinstalled', lab.image.preinstalled);
};

/**
 * A mirror URL as it goes into an apt sources line: http(s), a host, an optional port and a
 * plain path. No whitespace, quotes, `$` (cloud-init substitutes `$VARS` in the sources list),
 * `[`/`]` (apt's option brackets) or `#`.
 */
const MIRROR_URL_PATTERN = /^https?:\/\/[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\d{1,5})?(?:\/[A-Za-z0-9._~%+-]*)*$/;
const MIRROR_URL_TEXT = 'an http(s):// URL of a Debian mirror such as http://mirror.example/debian (host, optional port, plain path)';
/** A proxy: http(s)://[user[:password]@]host[:port][/]. */
const PROXY_URL_PATTERN = /^https?:\/\/(?:[A-Za-z0-9._~%!*'()+,;=-]+(?::[A-Za-z0-9._~%!*'()+,;=-]*)?@)?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\d{1,5})?\/?$/;
const PGP_KEY_PATTERN = /^-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n[A-Za-z0-9+/=:\s.,()@<>'_-]+\r?\n-----END PGP PUBLIC KEY BLOCK-----\s*$/;
const MAX_SIGNING_KEY_CHARS = 64 * 1024;

/** `packages`: mirror URLs, a proxy, a signing key; the security mirror and key only with a mirror. */
export const packagesRule: LabRule = (lab, report) => {
  const { mirror, securityMirror, proxy, signingKey } = lab.packages;
  if (mirror !== undefined && (typeof mirror !== 'string' || !MIRROR_URL_PATTERN.test(mirror))) {
    report('packages.mirror', mirror, MIRROR_URL_TEXT);
  }
  if (securityMirror !== undefined) {
    if (typeof securityMirror !== 'string' || !MIRROR_URL_PATTERN.test(securityMirror)) {
      report('packages.securityMirror', securityMirror, MIRROR_URL_TEXT.replace('/debian', '/debian-security'));
    } else if (mirror === undefined) {
      report('packages.securityMirror', securityMirror, 'no securityMirror without a mirror', 'set packages.mirror too, or the image keeps Debian\'s own archive beside this one');
    }
  }
  if (proxy !== undefined && (typeof proxy !== 'string' || !PROXY_URL_PATTERN.test(proxy))) {
    report('packages.proxy', proxy, 'an http(s):// proxy URL such as http://proxy.example:3128 (optionally with user:password@)');
  }
  if (signingKey !== undefined) {
    if (typeof signingKey !== 'string' || signingKey.length > MAX_SIGNING_KEY_CHARS || !PGP_KEY_PATTERN.test(signingKey.trim())) {
      report('packages.signingKey', typeof signingKey === 'string' && signingKey.length > 80 ? `${signingKey.slice(0, 40)}…` : signingKey,
        `an ASCII-armored OpenPGP public key block (-----BEGIN PGP PUBLIC KEY BLOCK----- … -----END PGP PUBLIC KEY BLOCK-----), at most ${MAX_SIGNING_KEY_CHARS} characters`);
    } else if (mirror === undefined) {
      report('packages.signingKey', '-----BEGIN PGP PUBLIC KEY BLOCK----- …', 'no signingKey without a mirror', 'the key is trusted for packages.mirror only');
    }
  }
};

const LINUX_USER_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;
/** Accounts a Debian cloud image already has (cloud-init would modify them, not create ours). */
const SYSTEM_USERS = ['root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy',
  'www-data', 'backup', 'list', 'irc', 'nobody', 'messagebus', 'sshd', '_apt', 'debian'];

/** `ssh.user`: a valid, new, non-root Linux user. */
export const sshUserRule: LabRule = (lab, report) => {
  const user = lab.ssh.user;
  if (typeof user !== 'string' || !LINUX_USER_PATTERN.test(user)) {
    report('ssh.user', user, "a Linux user name: a lowercase letter or '_', then up to 31 lowercase letters, digits, '_' or '-'");
  } else if (SYSTEM_USERS.includes(user)) {
    report('ssh.user', user, `a new, unprivileged user (not ${SYSTEM_USERS.join(', ')})`, 'cloud-init creates this user; an existing account would be modified instead');
  }
};

const SSH_KEY_TYPES = [
  'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** True for a one-line OpenSSH public key whose base64 blob starts with its own type name. */
export function isOpenSshPublicKey(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = /^(\S+) ([A-Za-z0-9+/]{16,}={0,2})( [^\r\n]*)?$/.exec(value.trim());
  if (!match || !SSH_KEY_TYPES.includes(match[1])) return false;
  const blob = Buffer.from(match[2], 'base64');
  return blob.length > 4 && blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') === match[1];
}

/** `ssh.authorizedKeys`: OpenSSH public key lines. */
export const sshKeysRule: LabRule = (lab, report) => {
  asList(lab.ssh.authorizedKeys).forEach((key, i) => {
    if (!isOpenSshPublicKey(key)) {
      report(`ssh.authorizedKeys[${i}]`, key, `an OpenSSH public key line "<type> <base64> [comment]", type one of ${SSH_KEY_TYPES.join(', ')}`);
    }
  });
};

/** `vrrp.virtualRouterId`: 1-255 (one byte in the VRRP header). */
export const virtualRouterIdRule: LabRule = (lab, report) =>
  checkInteger(report, 'vrrp.virtualRouterId', lab.vrrp.virtualRouterId, 1, 255);

/** `vrrp.version`: 2 or 3. */
export const vrrpVersionRule: LabRule = (lab, report) => {
  const version = lab.vrrp.version;
  if (version !== 2 && version !== 3) report('vrrp.version', version, '2 or 3');
};

/**
 * `vrrp.advertIntSec`: VRRPv2 carries whole seconds in one byte (1-255); VRRPv3 carries
 * centiseconds in 12 bits (0.01-40.95).
 */
export const advertIntervalRule: LabRule = (lab, report) => {
  const interval = lab.vrrp.advertIntSec;
  const version = lab.vrrp.version;
  const at = 'vrrp.advertIntSec';
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval <= 0 || interval > 255) {
    report(at, interval, 'a number of seconds > 0 and <= 255');
  } else if (version === 2 && !Number.isInteger(interval)) {
    report(at, interval, 'whole seconds 1-255 with VRRP version 2', 'fractional advert intervals need vrrp.version 3');
  } else if (version === 3 && (Math.abs(interval * 100 - Math.round(interval * 100)) > 1e-6 || interval > 40.95)) {
    report(at, interval, 'seconds 0.01-40.95 in steps of 0.01 with VRRP version 3');
  }
};

/** `vrrp.transport`: unicast or multicast. */
export const transportRule: LabRule = (lab, report) => checkOneOf(report, 'vrrp.transport', lab.vrrp.transport, VRRP_TRANSPORTS);

/**
 * `vrrp.authPass`: keepalived's PASS auth takes at most 8 characters. Whitespace, '"', '#' and
 * '!' would be split or read as a comment by keepalived's parser. VRRPv3 has no authentication.
 */
export const authPassRule: LabRule = (lab, report) => {
  const pass = lab.vrrp.authPass;
  if (pass === undefined) return;
  if (typeof pass !== 'string' || !/^[\x21-\x7e]{1,8}$/.test(pass) || /["#!]/.test(pass)) {
    report('vrrp.authPass', pass, 'a string of 1-8 printable ASCII characters without whitespace, \'"\', \'#\' or \'!\'');
  } else if (lab.vrrp.version === 3) {
    report('vrrp.authPass', pass, 'no authPass with vrrp.version 3', 'VRRPv3 (RFC 5798) has no authentication');
  }
};

/** Boolean switches. */
export const flagsRule: LabRule = (lab, report) => {
  checkBoolean(report, 'vrrp.nopreempt', lab.vrrp.nopreempt);
  checkBoolean(report, 'vrrp.connectionSync', lab.vrrp.connectionSync);
};

interface Vm {
  readonly at: string;
  readonly kind: 'director' | 'real server';
  readonly name: unknown;
  readonly address: unknown;
  readonly fromDefault: boolean;
}

function vmsOf(lab: CheckedLab): Vm[] {
  return [
    ...lab.directors.entries.map((d) => ({ ...d, kind: 'director' as const })),
    ...lab.realServers.entries.map((r) => ({ ...r, kind: 'real server' as const })),
  ];
}

/** VM names: the hostname, and `<lab>-<vm>` is the libvirt domain name (at most 63 characters). */
export const vmNameRule: LabRule = (lab, report) => {
  for (const vm of vmsOf(lab)) {
    const at = join(vm.at, 'name');
    if (typeof vm.name !== 'string' || !NAME_PATTERN.test(vm.name)) {
      report(at, vm.name, NAME_TEXT, `the name is the hostname and "<lab name>-<name>" the libvirt domain name`);
    } else if (isLabName(lab.name)) {
      const domain = vmDomainName(lab.name, vm.name);
      if (domain.length > MAX_HOSTNAME) {
        report(at, vm.name, `a name for which the hostname "${domain}" is at most ${MAX_HOSTNAME} characters (it is ${domain.length})`);
      }
    }
  }
};

/** VM names are unique; a director may not double as a real server. */
export const uniqueNamesRule: LabRule = (lab, report) => {
  const seen = new Map<string, Vm>();
  for (const vm of vmsOf(lab)) {
    if (typeof vm.name !== 'string') continue;
    const first = seen.get(vm.name);
    if (!first) seen.set(vm.name, vm);
    else if (first.kind !== vm.kind) {
      report(join(vm.at, 'name'), vm.name, `a real server that is not also a director (${first.at}.name)`, DR_SEPARATE_HOSTS);
    } else report(join(vm.at, 'name'), vm.name, `a name no other VM has (${first.at}.name has it)`);
  }
};

/** Director and real-server addresses: hosts of the lab subnet. */
export const nodeAddressRule: LabRule = (lab, report) => {
  for (const vm of vmsOf(lab)) {
    checkHostAddress(report, lab, join(vm.at, 'address'), vm.address, vm.fromDefault ? DEFAULT_ADDRESS_HINT : undefined);
  }
};

/** VIPs: inside the subnet too, since DR needs directors, real servers and VIPs on one L2 segment. */
export const vipRule: LabRule = (lab, report) => {
  for (const service of lab.services.entries) {
    const why = service.fromDefault ? DEFAULT_ADDRESS_HINT : 'DR delivers by MAC, so the VIP must be on the lab segment';
    checkHostAddress(report, lab, join(service.at, 'vip'), service.vip, why);
  }
};

/** No address used twice: gateway, directors, real servers, VIPs. */
export const uniqueAddressesRule: LabRule = (lab, report) => {
  const owners = new Map<number, { at: string; kind: 'gateway' | Vm['kind'] }>();
  const gateway = parseIpv4(lab.network.gateway);
  if (gateway !== undefined) {
    const at = lab.network.gatewayIsDefault ? 'the nat gateway, the first host of network.cidr,' : 'network.gateway';
    owners.set(gateway, { at, kind: 'gateway' });
  }
  for (const vm of vmsOf(lab)) {
    const address = parseIpv4(vm.address);
    if (address === undefined) continue;
    const owner = owners.get(address);
    const at = join(vm.at, 'address');
    if (!owner) owners.set(address, { at, kind: vm.kind });
    else if (owner.kind === 'director' && vm.kind === 'real server') {
      report(at, vm.address, `a real server address that is not a director's (${owner.at})`, DR_SEPARATE_HOSTS);
    } else report(at, vm.address, `an address not already used (${owner.at} has it)`);
  }
  const vips = new Set<number>();
  for (const service of lab.services.entries) {
    const vip = parseIpv4(service.vip);
    if (vip === undefined || vips.has(vip)) continue; // services may share a VIP
    vips.add(vip);
    const owner = owners.get(vip);
    const at = join(service.at, 'vip');
    if (owner?.kind === 'gateway') report(at, service.vip, `an address not already used (${owner.at} has it)`);
    else if (owner) {
      report(at, service.vip, `an address no VM owns (${owner.at} has it)`,
        'keepalived moves the VIP between directors and real servers bind it on lo, so it must be a separate address');
    }
  }
};

/** At least two directors: VRRP fails over from a MASTER to a BACKUP. */
export const directorCountRule: LabRule = (lab, report) => {
  const list = lab.directors;
  if (list.usable && !list.fromDefault && list.count < 2) {
    report('directors', [...list.entries].map((d) => d.name), 'at least 2 directors', 'VRRP failover needs a MASTER and a BACKUP');
  }
};

/** Priorities: 1-254 (255 is reserved for the address owner), distinct so the MASTER is unambiguous. */
export const priorityRule: LabRule = (lab, report) => {
  const seen = new Map<number, string>();
  for (const director of lab.directors.entries) {
    const at = join(director.at, 'priority');
    if (!isIntegerIn(director.priority, 1, 254)) {
      report(at, director.priority, 'an integer 1-254', director.priority === 255 ? '255 is reserved for the owner of the VIPs' : undefined);
      continue;
    }
    const first = seen.get(director.priority);
    if (first) report(at, director.priority, `a priority no other director has (${first} has it)`, 'the initial MASTER must be unambiguous');
    else seen.set(director.priority, at);
  }
};

/** Service ports, protocol, scheduler and timers. */
export const serviceSettingsRule: LabRule = (lab, report) => {
  for (const service of lab.services.entries) {
    checkInteger(report, join(service.at, 'port'), service.port, 1, 65535);
    checkOneOf(report, join(service.at, 'protocol'), service.protocol, SERVICE_PROTOCOLS);
    checkOneOf(report, join(service.at, 'scheduler'), service.scheduler, SCHEDULERS);
    checkInteger(report, join(service.at, 'persistenceTimeoutSec'), service.persistenceTimeoutSec, 0, Infinity, true, ' (seconds, 0 = off)');
    checkInteger(report, join(service.at, 'delayLoopSec'), service.delayLoopSec, 1, Infinity, true, ' (seconds)');
  }
};

/** Health checks: type, timers, and the http-only path/statusCode. */
export const healthCheckRule: LabRule = (lab, report) => {
  for (const service of lab.services.entries) {
    const check = service.healthCheck;
    const at = join(service.at, 'healthCheck');
    checkOneOf(report, join(at, 'type'), check.type, HEALTH_CHECK_TYPES);
    checkInteger(report, join(at, 'connectTimeoutSec'), check.connectTimeoutSec, 1, Infinity, true, ' (seconds)');
    checkInteger(report, join(at, 'retry'), check.retry, 0);
    checkInteger(report, join(at, 'delayBeforeRetrySec'), check.delayBeforeRetrySec, 1, Infinity, true, ' (seconds)');
    const notHttp = check.type !== 'http' && HEALTH_CHECK_TYPES.includes(check.type as 'http');
    for (const key of ['path', 'statusCode'] as const) {
      if (notHttp && check[key] !== undefined) {
        report(join(at, key), check[key], `no ${key} with a ${String(check.type)} check`, 'it only applies to type http');
      }
    }
    if (!notHttp && check.path !== undefined && (typeof check.path !== 'string' || !HEALTH_PATH_PATTERN.test(check.path))) {
      report(join(at, 'path'), check.path, "a plain URL path: '/' then letters, digits, '.', '_', '~', '-' and '/'");
    }
    if (!notHttp && check.statusCode !== undefined && check.statusCode !== HEALTH_STATUS_CODE) {
      report(join(at, 'statusCode'), check.statusCode, String(HEALTH_STATUS_CODE), 'the real servers\' demo web service answers health paths with 200');
    }
    // A UDP service cannot be probed by a TCP connect or an HTTP GET, and the demo real servers
    // have no UDP responder: only `none` keeps its real servers in the table.
    if (service.protocol === 'UDP' && (check.type === 'tcp' || check.type === 'http')) {
      report(join(at, 'type'), check.type, 'none for a UDP service', 'TCP and HTTP checks cannot probe a UDP service');
    }
    if (check.type === 'none') {
      for (const key of ['connectTimeoutSec', 'retry', 'delayBeforeRetrySec'] as const) {
        if (check[key] !== undefined) report(join(at, key), check[key], `no ${key} with type none`, 'there is no active check to time');
      }
    }
  }
};

/** Service members: known real servers, at least one, no repeats; and at least one real server in the lab. */
export const serviceMembersRule: LabRule = (lab, report) => {
  if (lab.realServers.usable && lab.realServers.count === 0) {
    report('realServers', [], 'at least one real server');
  }
  const known = lab.realServers.entries.map((r) => r.name).filter((n): n is string => typeof n === 'string');
  for (const service of lab.services.entries) {
    if (service.realServers === undefined) continue; // every real server
    const at = join(service.at, 'realServers');
    const names = asList(service.realServers);
    if (names.length === 0) report(at, service.realServers, 'at least one real server name', 'a service without real servers drops every connection');
    const seen = new Set<unknown>();
    names.forEach((name, i) => {
      if (lab.realServers.usable && !known.includes(name as string)) {
        report(`${at}[${i}]`, name, `the name of a real server (${known.join(', ') || 'none defined'})`);
      } else if (seen.has(name)) report(`${at}[${i}]`, name, 'each real server listed once');
      seen.add(name);
    });
  }
};

/** No two services with the same (vip, port, protocol): keepalived would merge or reject them. */
export const uniqueServicesRule: LabRule = (lab, report) => {
  const seen = new Map<string, string>();
  for (const service of lab.services.entries) {
    if (parseIpv4(service.vip) === undefined || !isIntegerIn(service.port, 1, 65535) || typeof service.protocol !== 'string') continue;
    const key = `${String(service.vip)}:${service.port}/${service.protocol}`;
    const first = seen.get(key);
    if (first) report(service.at, key, `a (vip, port, protocol) no other service has (${first} has it)`);
    else seen.set(key, service.at);
  }
};

/** Real-server weight 0-65535 (0 drains) and port. */
export const realServerSettingsRule: LabRule = (lab, report) => {
  for (const rs of lab.realServers.entries) {
    checkInteger(report, join(rs.at, 'weight'), rs.weight, 0, 65535);
    checkInteger(report, join(rs.at, 'port'), rs.port, 1, 65535);
  }
};

/** A real server's `port`, when given, must equal the port of every service it belongs to. */
export const realServerPortRule: LabRule = (lab, report) => {
  for (const rs of lab.realServers.entries) {
    if (!isIntegerIn(rs.port, 1, 65535)) continue;
    for (const service of lab.services.entries) {
      const members = service.realServers === undefined ? undefined : asList(service.realServers);
      const belongs = members === undefined || members.includes(rs.name);
      if (belongs && isIntegerIn(service.port, 1, 65535) && service.port !== rs.port) {
        report(join(rs.at, 'port'), rs.port, `${service.port}, the port of ${service.at} it belongs to`,
          'DR forwards packets unchanged (only the MAC is rewritten), so it cannot remap ports');
      }
    }
  }
};

/** VM sizes. */
export const sizesRule: LabRule = (lab, report) => {
  for (const key of ['director', 'realServer'] as const) {
    checkInteger(report, `sizes.${key}.vcpu`, lab.sizes[key].vcpu, 1, 64);
    checkInteger(report, `sizes.${key}.memoryMiB`, lab.sizes[key].memoryMiB, 256, Infinity, true, ' (MiB)');
  }
};

const EMAIL_PATTERN = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;
const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** `notification`: keepalived's SMTP alerting. */
export const notificationRule: LabRule = (lab, report) => {
  const n = lab.notification;
  if (!n) return;
  if (n.email === undefined || asList(n.email).length === 0) report('notification.email', n.email, 'a list of at least one email address');
  asList(n.email).forEach((email, i) => {
    if (typeof email !== 'string' || !EMAIL_PATTERN.test(email)) report(`notification.email[${i}]`, email, 'an email address such as ops@example.com');
  });
  if (typeof n.from !== 'string' || !EMAIL_PATTERN.test(n.from)) report('notification.from', n.from, 'an email address such as keepalived@example.com');
  const server = n.smtpServer;
  const looksNumeric = typeof server === 'string' && /^[\d.]+$/.test(server);
  if (typeof server !== 'string' || (looksNumeric ? parseIpv4(server) === undefined : !HOSTNAME_PATTERN.test(server))) {
    report('notification.smtpServer', server, 'an IPv4 address or host name');
  }
  checkInteger(report, 'notification.smtpConnectTimeoutSec', n.smtpConnectTimeoutSec, 1, Infinity, true, ' (seconds)');
};

/** Derived MACs (sha256 of `<lab>/<vm>`, 24 bits) must differ within the lab. */
export const macCollisionRule: LabRule = (lab, report) => {
  if (typeof lab.name !== 'string') return;
  const seen = new Map<string, string>();
  for (const vm of vmsOf(lab)) {
    if (typeof vm.name !== 'string') continue;
    const mac = labMacAddress(lab.name, vm.name);
    const first = seen.get(mac);
    if (first && first !== vm.name) {
      report(join(vm.at, 'name'), vm.name, `a name whose derived MAC differs from ${first}'s (both are ${mac})`, 'rename either VM');
    } else seen.set(mac, vm.name);
  }
};

/** Every rule, in the order problems are listed. */
export const LAB_RULES: readonly LabRule[] = [
  labNameRule, libvirtUriRule, domainTypeRule, storagePoolPathRule,
  networkModeRule, interfaceNameRule, cidrRule, gatewayRule, dnsRule,
  imageRule, packagesRule, sshUserRule, sshKeysRule,
  virtualRouterIdRule, vrrpVersionRule, advertIntervalRule, transportRule, authPassRule, flagsRule,
  vmNameRule, uniqueNamesRule, nodeAddressRule, vipRule, uniqueAddressesRule,
  directorCountRule, priorityRule,
  serviceSettingsRule, healthCheckRule, serviceMembersRule, uniqueServicesRule,
  realServerSettingsRule, realServerPortRule,
  sizesRule, notificationRule, macCollisionRule,
];
