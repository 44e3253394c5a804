/**
 * The rules that tie fields together, one concern each (cdk-nag style): each has a stable id,
 * is pure and reports through `report`. The field checks (types, bounds, forms, unknown keys)
 * come from the schema (`check-schema.ts`), so a rule only looks at values of the right type:
 * whatever else is wrong was reported there.
 *
 * Rules see the config with the schema's defaults applied (`lab`), so cross-field rules also
 * see the values the lab would really get (e.g. the default directors vs. a user's cidr), and
 * the config as written (`raw`), for what the user gave.
 */
import {
  FAST_FAILOVER_MIN_ADVERT_SEC, FAST_FAILOVER_RULE_TEXT, KEEPALIVED_MAX_LINE, keepalivedLine, miscCheckCommand, fastFailoverMaxAdvertSec, fastFailoverMinPriority, fastFailoverTakeoverSec, keepsFastFailoverBound,
  masterDownIntervalSec, MISC_CHECK_ARG_PATTERN, TRACK_SCRIPT_ARG_PATTERN, TRACK_SCRIPT_PATH_PATTERN,
} from '../cloud-init/keepalived-conf';
import { formatIpv4, overlaps, parseCidr, parseIpv4, type Ipv4Network } from './ipv4';
import { isMapping, type Report } from './check-schema';
import {
  DEBIAN_SECURITY_ARCHIVE, defaultAddress6, defaultCheckPort, defaultCheckType, defaultDns, defaultFwmark, defaultGateway, defaultSecurityMirror, labMacAddress, vmDomainName,
} from './derive';
import { canonicalIpv6, formatIpv6, ipv6NetworkHolds, overlaps6, parseCidr6, parseIpv6, IPV6_PREFIX, type Ipv6Network } from './ipv6';
import { LIBVIRT_URI_ALLOWED, libvirtUriReason } from './libvirt-uri';
import { POOL_DIRECTORY_ALLOWED, POOL_DIRECTORY_WHY, systemDirectoryReason } from './pool-directory';
import { LabSchema, MAX_FWMARK, RESERVED_PORTS, RESERVED_PORTS_TEXT, MAX_HOSTNAME, MAX_LAB_NAME, NAME_PATTERN, NETWORK_MODES, SSH_KEY_PATTERN, SSH_KEY_TYPES, type NetworkMode } from './schema';

/** A mapping read leniently: any field may be missing or of the wrong type. */
type Loose = Readonly<Record<string, unknown>>;

export interface RuleInput {
  /** The config with the schema's literal defaults applied. */
  readonly lab: Loose;
  /** The config as written (`{}` when it was not a mapping). */
  readonly raw: Loose;
}

export interface LabRule {
  /** Stable id, reported with every problem of this rule. */
  readonly id: string;
  readonly check: (input: RuleInput, report: RuleReport) => void;
}

/** A rule's report: the rule id is added for it. */
export type RuleReport = (path: string, value: unknown, allowed: string, why?: string) => void;

const section = (value: unknown): Loose => (isMapping(value) ? value : {});
const list = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);
const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

interface Vm {
  readonly at: string;
  readonly kind: 'director' | 'real server';
  readonly name: unknown;
  readonly address: unknown;
  readonly fromDefault: boolean;
}

function entries(input: RuleInput, key: 'directors' | 'realServers' | 'services'): (Loose & { at: string; fromDefault: boolean })[] {
  const fromDefault = input.raw[key] === undefined;
  return list(input.lab[key]).flatMap((item, i) => (isMapping(item) ? [{ ...item, at: `${key}[${i}]`, fromDefault }] : []));
}

function vmsOf(input: RuleInput): Vm[] {
  return [
    ...entries(input, 'directors').map((d) => ({ at: d.at, kind: 'director' as const, name: d.name, address: d.address, fromDefault: d.fromDefault })),
    ...entries(input, 'realServers').map((r) => ({ at: r.at, kind: 'real server' as const, name: r.name, address: r.address, fromDefault: r.fromDefault })),
  ];
}

/** The lab subnet when `cidr` is usable (valid, prefix 1-30); host bits are masked off. */
function usableNetwork(cidr: unknown): Ipv4Network | undefined {
  const network = parseCidr(cidr);
  return network && network.prefixLength >= 1 && network.prefixLength <= 30 ? network : undefined;
}

/** The gateway the lab gets: the user's, or the nat default. */
function gatewayOf(input: RuleInput): { value: unknown; isDefault: boolean } {
  const network = section(input.lab.network);
  if (section(input.raw.network).gateway !== undefined) return { value: network.gateway, isDefault: false };
  const mode = NETWORK_MODES.includes(network.mode as NetworkMode) ? (network.mode as NetworkMode) : undefined;
  const value = mode && usableNetwork(network.cidr) ? defaultGateway(mode, network.cidr as string) : undefined;
  return { value, isDefault: true };
}

const DR_SEPARATE_HOSTS =
  'DR forwards by rewriting the destination MAC address, so directors and real servers must be separate hosts';
const DEFAULT_ADDRESS_HINT =
  'this is a default; directors, services and realServers replace the defaults wholesale, so list all three when you change network.cidr';

/** True for a host address of the network (not its network or broadcast address). */
function subnetHolds(network: Ipv4Network, address: number): boolean {
  return address > network.networkAddress && address < network.broadcastAddress;
}

function subnetText(network: Ipv4Network): string {
  const cidr = `${formatIpv4(network.networkAddress)}/${network.prefixLength}`;
  return `an address inside ${cidr} other than its network (${formatIpv4(network.networkAddress)}) and broadcast (${formatIpv4(network.broadcastAddress)}) addresses`;
}

/** Ranges that cannot be a lab segment: the host's own, or never unicast on a link. */
const RESERVED_NETWORKS: readonly { cidr: string; what: string }[] = [
  { cidr: '0.0.0.0/8', what: '"this network" (0.0.0.0/8)' },
  { cidr: '127.0.0.0/8', what: 'loopback (127.0.0.0/8)' },
  { cidr: '169.254.0.0/16', what: 'link-local (169.254.0.0/16)' },
  { cidr: '224.0.0.0/4', what: 'multicast (224.0.0.0/4)' },
  { cidr: '240.0.0.0/4', what: 'reserved (240.0.0.0/4, broadcast included)' },
];

/** `network.cidr`: host bits zero, and a range a lab segment can use. */
export const cidrRule: LabRule = {
  id: 'cidr',
  check: ({ lab }, report) => {
    const cidr = section(lab.network).cidr;
    const network = usableNetwork(cidr);
    if (!network) return; // malformed: a schema problem
    if (network.address !== network.networkAddress) {
      const fixed = `${formatIpv4(network.networkAddress)}/${network.prefixLength}`;
      report('network.cidr', cidr, `a network address with every host bit zero, i.e. ${fixed}`);
      return;
    }
    const reserved = RESERVED_NETWORKS.find((r) => overlaps(network, parseCidr(r.cidr) as Ipv4Network));
    if (reserved) {
      report('network.cidr', cidr, 'a unicast network outside 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16 and 224.0.0.0/3',
        `it overlaps ${reserved.what}, which no lab segment can use`);
    }
  },
};

/** `network.bridge` is required in bridge mode. */
export const bridgeRequiredRule: LabRule = {
  id: 'bridge-required',
  check: ({ lab }, report) => {
    const network = section(lab.network);
    if (network.mode === 'bridge' && network.bridge === undefined) {
      report('network.bridge', undefined, 'the name of an existing host bridge such as br0', 'required when network.mode is bridge');
    }
  },
};

/** Addresses (gateway, directors, real servers, VIPs) are hosts of the lab subnet. */
export const addressInSubnetRule: LabRule = {
  id: 'address-in-subnet',
  check: (input, report) => {
    const network = usableNetwork(section(input.lab.network).cidr);
    if (!network) return;
    const check = (at: string, value: unknown, why?: string) => {
      const address = parseIpv4(value);
      if (address !== undefined && !subnetHolds(network, address)) report(at, value, subnetText(network), why);
    };
    const gateway = gatewayOf(input);
    if (!gateway.isDefault) check('network.gateway', gateway.value);
    for (const vm of vmsOf(input)) check(join(vm.at, 'address'), vm.address, vm.fromDefault ? DEFAULT_ADDRESS_HINT : undefined);
    for (const service of entries(input, 'services')) {
      check(join(service.at, 'vip'), service.vip,
        service.fromDefault ? DEFAULT_ADDRESS_HINT : 'DR delivers by MAC, so the VIP must be on the lab segment');
    }
  },
};

/** nat: libvirt gives the host the first address of the cidr and routes from there; the gateway can only be that. */
export const natGatewayRule: LabRule = {
  id: 'nat-gateway',
  check: (input, report) => {
    const network = section(input.lab.network);
    const gateway = gatewayOf(input);
    const subnet = usableNetwork(network.cidr);
    const address = parseIpv4(gateway.value);
    if (gateway.isDefault || network.mode !== 'nat' || !subnet || address === undefined) return;
    if (address !== subnet.networkAddress + 1 && subnetHolds(subnet, address)) {
      const firstHost = formatIpv4(subnet.networkAddress + 1);
      report('network.gateway', gateway.value, `${firstHost}, the first host, in nat mode`, `libvirt's nat network puts the host, the only way out, at ${firstHost}`);
    }
  },
};

/** `packages.securityMirror` and `packages.signingKey` only with `packages.mirror`. */
export const packagesNeedMirrorRule: LabRule = {
  id: 'packages-need-mirror',
  check: ({ lab }, report) => {
    const { mirror, securityMirror, signingKey } = section(lab.packages);
    if (mirror !== undefined) return;
    if (typeof securityMirror === 'string') {
      report('packages.securityMirror', securityMirror, 'no securityMirror without a mirror', 'set packages.mirror too, or the image keeps Debian\'s own archive beside this one');
    }
    if (typeof signingKey === 'string') {
      report('packages.signingKey', '-----BEGIN PGP PUBLIC KEY BLOCK----- …', 'no signingKey without a mirror', 'the key is trusted for packages.mirror only');
    }
  },
};

/** Where apt goes at first boot when the config names no mirror or proxy: the Debian cloud image's own sources. */
export const IMAGE_SOURCES_HOST = 'deb.debian.org';

/** One place apt connects to at first boot: a proxy, a mirror, or a default. */
interface PackageSource {
  /** The field that sets it (for a default: the field that would replace it). */
  readonly at: string;
  /** The value as written; undefined for a default. */
  readonly value: unknown;
  readonly host: string;
  /** A host off every lab segment: Debian's own archives, reached only through a gateway. */
  readonly public: boolean;
}

const urlHost = (url: string): string => /^https?:\/\/(?:[^@/]*@)?([^:/]+)/.exec(url)?.[1] ?? url;

/**
 * What the VMs need to install their packages at first boot (`image.preinstalled` false): the
 * hosts apt connects to (with a proxy, only the proxy: it resolves and fetches the archives), the
 * lab's resolvers and whether the VMs have a way off the segment (a gateway). Undefined when
 * nothing is installed at first boot, or the network is malformed (a schema problem).
 */
function firstBootPackages(input: RuleInput): { sources: PackageSource[]; subnet: Ipv4Network; wayOut: boolean; dns: readonly unknown[]; dnsGiven: boolean } | undefined {
  if (section(input.lab.image).preinstalled !== false) return undefined;
  const network = section(input.lab.network);
  const subnet = usableNetwork(network.cidr);
  if (!subnet || !NETWORK_MODES.includes(network.mode as NetworkMode)) return undefined;
  const { mirror, securityMirror, proxy } = section(input.lab.packages);
  const source = (at: string, url: unknown): PackageSource[] =>
    typeof url === 'string' ? [{ at, value: url, host: urlHost(url), public: false }] : [];
  let sources: PackageSource[];
  if (proxy !== undefined) sources = source('packages.proxy', proxy);
  else if (typeof mirror === 'string') {
    const security = typeof securityMirror === 'string' ? securityMirror : defaultSecurityMirror(mirror);
    sources = source('packages.mirror', mirror);
    if (security === DEBIAN_SECURITY_ARCHIVE) sources.push({ at: 'packages.securityMirror', value: undefined, host: urlHost(security), public: true });
    else if (urlHost(security) !== urlHost(mirror)) sources.push(...source('packages.securityMirror', security));
  } else sources = [{ at: 'packages.mirror', value: undefined, host: IMAGE_SOURCES_HOST, public: true }];
  const given = gatewayOf(input);
  const gateway = parseIpv4(given.value);
  if (given.value !== undefined && gateway === undefined) return undefined; // malformed: a schema problem
  const dnsGiven = Array.isArray(network.dns);
  const dns = dnsGiven ? (network.dns as unknown[]) : defaultDns(network.mode as NetworkMode, gateway === undefined ? undefined : formatIpv4(gateway));
  return { sources, subnet, wayOut: gateway !== undefined, dns, dnsGiven };
}

/** True when a VM without a gateway cannot reach the source: a public archive, or an address off the segment. */
function offSegment(source: PackageSource, subnet: Ipv4Network): boolean {
  const address = parseIpv4(source.host);
  return source.public || (address !== undefined && !subnetHolds(subnet, address));
}

const FIRST_BOOT_WHY = 'image.preinstalled is false, so every VM installs its packages (keepalived, ipvsadm, nginx) with apt at first boot';

/**
 * Without a gateway (isolated mode, or a bridge without `network.gateway`) the VMs reach nothing
 * off the lab segment, so the packages they install at first boot can only come from a mirror
 * or proxy on it.
 */
export const packagesRouteRule: LabRule = {
  id: 'packages-route',
  check: (input, report) => {
    const needs = firstBootPackages(input);
    if (!needs || needs.wayOut) return;
    const network = section(input.lab.network);
    const cidr = `${formatIpv4(needs.subnet.networkAddress)}/${needs.subnet.prefixLength}`;
    const onSegment = `packages.mirror or packages.proxy at an address on the lab segment (inside ${cidr})`;
    const noWayOut = network.mode === 'isolated'
      ? 'an isolated network has no way out'
      : 'without network.gateway the VMs have no route off the segment';
    for (const source of needs.sources.filter((s) => offSegment(s, needs.subnet))) {
      if (source.value !== undefined) {
        report(source.at, source.value, `an address on the lab segment (inside ${cidr})`, `${FIRST_BOOT_WHY}, and ${noWayOut}`);
      } else if (source.at === 'packages.securityMirror') {
        report(source.at, undefined, `a security mirror on the lab segment (inside ${cidr})`,
          `${FIRST_BOOT_WHY}; packages.mirror's path does not end in /debian, so the security archive defaults to ${DEBIAN_SECURITY_ARCHIVE}, and ${noWayOut}`);
      } else if (network.mode === 'isolated') {
        report('network.mode', network.mode, `nat or bridge; or, to stay isolated, image.preinstalled: true or ${onSegment}`,
          `${FIRST_BOOT_WHY} from the image's own sources (${IMAGE_SOURCES_HOST}), and ${noWayOut}`);
      } else {
        report('network.gateway', undefined, `the address of the segment's router (inside ${cidr}); or image.preinstalled: true, or ${onSegment}`,
          `${FIRST_BOOT_WHY} from the image's own sources (${IMAGE_SOURCES_HOST}), and ${noWayOut}`);
      }
    }
  },
};

/**
 * A source given by host name needs a resolver: outside nat mode `network.dns` defaults to none,
 * and a VM that cannot resolve its mirror installs nothing (cloud-init ends in error, nothing
 * serves). A mirror or proxy given by IP address needs no resolver. Sources `packages-route`
 * already refused are left to it.
 */
export const packagesResolverRule: LabRule = {
  id: 'packages-resolver',
  check: (input, report) => {
    const needs = firstBootPackages(input);
    if (!needs) return;
    const named = needs.sources.filter((s) => parseIpv4(s.host) === undefined && (needs.wayOut || !offSegment(s, needs.subnet)));
    if (named.length === 0) return;
    const hosts = [...new Set(named.map((s) => s.host))].join(', ');
    const why = `${FIRST_BOOT_WHY}, and resolves ${hosts} to do so`;
    const reachable = needs.dns.filter((server) => {
      const address = parseIpv4(server);
      return address !== undefined && (needs.wayOut || subnetHolds(needs.subnet, address));
    });
    if (needs.dns.length === 0) {
      report('network.dns', needs.dnsGiven ? needs.dns : undefined, 'at least one DNS server address the VMs can reach',
        `${why}; ${needs.dnsGiven ? 'network.dns is empty' : 'outside nat mode network.dns defaults to none'} (or give packages.mirror/packages.proxy by IP address, or image.preinstalled: true)`);
    } else if (reachable.length === 0) {
      const cidr = `${formatIpv4(needs.subnet.networkAddress)}/${needs.subnet.prefixLength}`;
      report('network.dns', needs.dns, `a DNS server on the lab segment (inside ${cidr})`,
        `${why}, and with no network.gateway the VMs reach nothing off the segment`);
    }
  },
};

/**
 * Accounts and groups a Debian 12 cloud image (and the packages the lab installs) already has:
 * cloud-init would modify an existing account instead of creating ours, and `useradd` fails on
 * a name an existing group has.
 */
export const RESERVED_USERS: readonly string[] = [
  'root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup',
  'list', 'irc', 'gnats', 'nobody', 'messagebus', 'sshd', 'polkitd', 'tcpdump', 'dnsmasq', 'uuidd', 'tss', 'statd',
  'debian', 'admin', 'ubuntu', 'cloud-user',
  // groups
  'adm', 'tty', 'disk', 'kmem', 'dialout', 'fax', 'voice', 'cdrom', 'floppy', 'tape', 'sudo', 'audio', 'dip', 'operator',
  'src', 'shadow', 'utmp', 'video', 'sasl', 'plugdev', 'staff', 'users', 'nogroup', 'input', 'sgx', 'kvm', 'render',
  'crontab', 'netdev', 'ssh', 'lpadmin', 'keepalived_script',
];
/** Prefixes of system accounts (systemd-network, systemd-timesync, _apt, _chrony, ...). */
const RESERVED_USER_PREFIXES = ['systemd-', '_'];

/** True for an account or group name the image already has (or a system account prefix). */
export function isReservedUser(user: string): boolean {
  return RESERVED_USERS.includes(user) || RESERVED_USER_PREFIXES.some((prefix) => user.startsWith(prefix));
}

/** `ssh.user`: a new account, not one the image already has. */
export const sshUserReservedRule: LabRule = {
  id: 'ssh-user-reserved',
  check: ({ lab }, report) => {
    const user = section(lab.ssh).user;
    if (typeof user !== 'string') return;
    if (isReservedUser(user)) {
      report('ssh.user', user, `a new, unprivileged user (not ${RESERVED_USERS.slice(0, 8).join(', ')}, ..., nor a name starting with ${RESERVED_USER_PREFIXES.join(' or ')})`,
        'cloud-init creates this user; an account or group the image already has would be modified or make useradd fail');
    }
  },
};

/** True for a one-line OpenSSH public key whose base64 blob starts with its own type name. */
export function isOpenSshPublicKey(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = /^(\S+) ([A-Za-z0-9+/]{16,}={0,2})( [^\r\n]*)?$/.exec(value.trim());
  if (!match || !(SSH_KEY_TYPES as readonly string[]).includes(match[1])) return false;
  const blob = Buffer.from(match[2], 'base64');
  return blob.length > 4 && blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') === match[1];
}

/** `ssh.authorizedKeys`: the key blob names the key's own type (a pasted fragment does not). */
export const sshKeyRule: LabRule = {
  id: 'ssh-key',
  check: ({ lab }, report) => {
    list(section(lab.ssh).authorizedKeys).forEach((key, i) => {
      if (typeof key === 'string' && new RegExp(SSH_KEY_PATTERN).test(key) && !isOpenSshPublicKey(key)) {
        report(`ssh.authorizedKeys[${i}]`, key, `an OpenSSH public key line "<type> <base64> [comment]", type one of ${SSH_KEY_TYPES.join(', ')}`,
          'the base64 blob does not hold a key of that type');
      }
    });
  },
};

/**
 * `vrrp.advertIntSec`: VRRPv2 carries whole seconds in one byte (1-255); VRRPv3 carries
 * centiseconds in 12 bits (0.01-40.95).
 */
export const advertIntervalRule: LabRule = {
  id: 'advert-interval',
  check: ({ lab }, report) => {
    const vrrp = section(lab.vrrp);
    const interval = vrrp.advertIntSec;
    if (typeof interval !== 'number' || !(interval > 0 && interval <= 255)) return;
    const at = 'vrrp.advertIntSec';
    if (vrrp.version === 2 && !Number.isInteger(interval)) {
      report(at, interval, 'whole seconds 1-255 with VRRP version 2', 'fractional advert intervals need vrrp.version 3');
    } else if (vrrp.version === 3 && (Math.abs(interval * 100 - Math.round(interval * 100)) > 1e-6 || interval > 40.95)) {
      report(at, interval, 'seconds 0.01-40.95 in steps of 0.01 with VRRP version 3');
    }
  },
};

/** VRRPv3 (RFC 5798) has no authentication. */
export const authPassVersionRule: LabRule = {
  id: 'auth-pass-version',
  check: ({ lab }, report) => {
    const vrrp = section(lab.vrrp);
    if (typeof vrrp.authPass === 'string' && vrrp.version === 3) {
      report('vrrp.authPass', vrrp.authPass, 'no authPass with vrrp.version 3', 'VRRPv3 (RFC 5798) has no authentication');
    }
  },
};

/**
 * `vrrp.fastFailover` promises the service back within FAST_FAILOVER_BOUND_SEC of the MASTER's
 * last advert: VRRPv3 (fractional adverts), adverts of at least FAST_FAILOVER_MIN_ADVERT_SEC, and
 * every director, as a BACKUP (any may be one: nopreempt, or after a failover), taking over in
 * time: 3 adverts + skew, skew = (256 - priority) / 256 × advertIntSec (RFC 5798), plus
 * FAST_FAILOVER_MARGIN_SEC.
 */
const DEFAULT_PRIORITIES = (LabSchema.properties.directors.default as readonly { priority: number }[]).map((d) => d.priority);

export const fastFailoverRule: LabRule = {
  id: 'fast-failover',
  check: (input, report) => {
    const vrrp = section(input.lab.vrrp);
    if (vrrp.fastFailover !== true) return;
    const why = 'vrrp.fastFailover is true';
    if (vrrp.version === 2) {
      report('vrrp.version', vrrp.version, '3 with vrrp.fastFailover', `${why}: keepalived takes fractional advert intervals with VRRPv3 only`);
    }
    const interval = vrrp.advertIntSec;
    if (typeof interval !== 'number' || !(interval > 0 && interval <= 255)) return;
    const longest = fastFailoverMaxAdvertSec(254);
    if (interval < FAST_FAILOVER_MIN_ADVERT_SEC) {
      report('vrrp.advertIntSec', interval, `${FAST_FAILOVER_MIN_ADVERT_SEC}-${longest} seconds with vrrp.fastFailover`,
        `${why}: a BACKUP takes over 3 advert intervals after the last advert, so below ${FAST_FAILOVER_MIN_ADVERT_SEC} s a director stalled for ${(3 * FAST_FAILOVER_MIN_ADVERT_SEC).toFixed(1)} s loses the VIP`);
      return;
    }
    const minPriority = fastFailoverMinPriority(interval);
    if (minPriority === undefined) {
      report('vrrp.advertIntSec', interval, `${FAST_FAILOVER_MIN_ADVERT_SEC}-${longest} seconds with vrrp.fastFailover`,
        `${why}, which needs ${FAST_FAILOVER_RULE_TEXT}; at advertIntSec ${interval} even priority 254 takes ${fastFailoverTakeoverSec(254, interval).toFixed(3)} s ` +
        `(0.2 s adverts take over in ${masterDownIntervalSec(240, 0.2, 3).toFixed(2)} s at priority 240)`);
      return;
    }
    for (const director of entries(input, 'directors')) {
      if (!isIntegerIn(director.priority, 1, 254) || keepsFastFailoverBound(director.priority, interval)) continue;
      report(join(director.at, 'priority'), director.priority, `a priority of at least ${minPriority} at advertIntSec ${interval} with vrrp.fastFailover (or shorter adverts)`,
        `${why}, which needs ${FAST_FAILOVER_RULE_TEXT}; as a BACKUP this director takes ${fastFailoverTakeoverSec(director.priority, interval).toFixed(3)} s` +
        (director.fromDefault ? `; the default directors have ${DEFAULT_PRIORITIES.join(' and ')}: list directors with priorities such as 250 and 240` : ''));
    }
  },
};

/**
 * `vrrp.trackScript`: an absolute executable, a timeout within the interval, and a weight that
 * can move the VIP (a failing check on the MASTER must put it below every other director).
 */
export const trackScriptRule: LabRule = {
  id: 'track-script',
  check: (input, report) => {
    const check = section(section(input.lab.vrrp).trackScript);
    if (Object.keys(check).length === 0) return;
    const at = 'vrrp.trackScript';
    checkExecutable(check.command, `${at}.command`, report, '/usr/bin/ping');
    const interval = check.intervalSec;
    if (isIntegerIn(check.timeoutSec, 1, 3600) && isIntegerIn(interval, 1, 3600) && check.timeoutSec > interval) {
      report(`${at}.timeoutSec`, check.timeoutSec, `at most intervalSec (${interval})`, 'a run may not outlast the interval to the next one');
    }
    const weight = check.weight;
    if (!isIntegerIn(weight, -253, 253) || weight === 0) return;
    if (section(input.lab.vrrp).nopreempt === true) {
      // RFC 5798 6.4.2: a BACKUP without preemption resets its timer on every advert, whatever
      // the priority in it: a MASTER whose priority dropped keeps the VIP. Only FAULT moves it.
      report(`${at}.weight`, weight, '0 with vrrp.nopreempt (a failing check puts the director in FAULT, which gives up the VIP)',
        'with nopreempt no BACKUP takes the VIP from a MASTER whose priority dropped, so a weight never moves it');
      return;
    }
    const priorities = entries(input, 'directors').map((d) => d.priority).filter((p): p is number => isIntegerIn(p, 1, 254));
    if (priorities.length < 2) return;
    const spread = Math.max(...priorities) - Math.min(...priorities);
    if (Math.abs(weight) <= spread) {
      report(`${at}.weight`, weight, `0, or a weight whose size exceeds the directors' priority spread (${spread}), such as ${weight < 0 ? -(spread + 10) : spread + 10}`,
        'otherwise a failing check on the MASTER leaves it above the other directors and the VIP never moves');
    }
  },
};

/**
 * The executable of a command keepalived runs (argv[0]): an absolute, normalized path. Words of
 * the wrong form are schema problems; only a word of the right form that is not such a path is
 * reported here.
 */
function checkExecutable(command: unknown, at: string, report: RuleReport, example: string, argPattern = TRACK_SCRIPT_ARG_PATTERN): void {
  const path = list(command)[0];
  if (typeof path === 'string' && argPattern.test(path) && !TRACK_SCRIPT_PATH_PATTERN.test(path)) {
    report(`${at}[0]`, path, `the absolute path of an executable on the directors, such as ${example} (no '.' or '..' component${argPattern === TRACK_SCRIPT_ARG_PATTERN ? '' : ', no placeholder'})`,
      'keepalived runs it directly, without a shell or a search of PATH');
  }
}

const isLabName = (name: unknown): name is string =>
  typeof name === 'string' && new RegExp(NAME_PATTERN).test(name) && name.length <= MAX_LAB_NAME;

/** `<lab>--<vm>` is the libvirt domain name: at most 63 characters. */
export const vmNameLengthRule: LabRule = {
  id: 'vm-name-length',
  check: (input, report) => {
    if (!isLabName(input.lab.name)) return;
    for (const vm of vmsOf(input)) {
      if (typeof vm.name !== 'string') continue;
      const domain = vmDomainName(input.lab.name, vm.name);
      if (domain.length > MAX_HOSTNAME) {
        report(join(vm.at, 'name'), vm.name, `a name for which the libvirt domain name "${domain}" is at most ${MAX_HOSTNAME} characters (it is ${domain.length})`);
      }
    }
  },
};

/** VM names are unique; a director may not double as a real server. */
export const uniqueNamesRule: LabRule = {
  id: 'unique-names',
  check: (input, report) => {
    const seen = new Map<string, Vm>();
    for (const vm of vmsOf(input)) {
      if (typeof vm.name !== 'string') continue;
      const first = seen.get(vm.name);
      if (!first) seen.set(vm.name, vm);
      else if (first.kind !== vm.kind) {
        report(join(vm.at, 'name'), vm.name, `a real server that is not also a director (${first.at}.name)`, DR_SEPARATE_HOSTS);
      } else report(join(vm.at, 'name'), vm.name, `a name no other VM has (${first.at}.name has it)`);
    }
  },
};

/** No address used twice: gateway, directors, real servers; a VIP is no VM's address. */
export const uniqueAddressesRule: LabRule = {
  id: 'unique-addresses',
  check: (input, report) => {
    const owners = new Map<number, { at: string; kind: 'gateway' | Vm['kind'] }>();
    const gateway = gatewayOf(input);
    const gatewayAddress = parseIpv4(gateway.value);
    if (gatewayAddress !== undefined) {
      owners.set(gatewayAddress, { at: gateway.isDefault ? 'the nat gateway, the first host of network.cidr,' : 'network.gateway', kind: 'gateway' });
    }
    for (const vm of vmsOf(input)) {
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
    for (const service of entries(input, 'services')) {
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
  },
};

/** Priorities are distinct, so the initial MASTER is unambiguous. */
export const uniquePriorityRule: LabRule = {
  id: 'unique-priority',
  check: (input, report) => {
    const seen = new Map<number, string>();
    for (const director of entries(input, 'directors')) {
      if (!isIntegerIn(director.priority, 1, 254)) continue;
      const at = join(director.at, 'priority');
      const first = seen.get(director.priority);
      if (first) report(at, director.priority, `a priority no other director has (${first} has it)`, 'the initial MASTER must be unambiguous');
      else seen.set(director.priority, at);
    }
  },
};

/** A service as written (`raw`): which of `port`/`ports` the user gave. */
function rawServiceOf(input: RuleInput, service: { at: string }): Loose {
  const index = Number(/\[(\d+)\]$/.exec(service.at)?.[1]);
  return section(list(input.raw.services)[index]);
}

const isPort = (value: unknown): value is number => isIntegerIn(value, 1, 65535);

/** The ports of a service: its `ports` when given (the valid ones), else its `port` (default 80). */
function portsOf(service: Loose): number[] {
  if (Array.isArray(service.ports)) return service.ports.filter(isPort);
  return isPort(service.port) ? [service.port] : [];
}

/** The valid TLS ports of a service. */
function tlsPortsOf(service: Loose): number[] {
  return list(service.tlsPorts).filter(isPort);
}

/**
 * Health checks: path/statusCode only with http/https; timers and port not with none; a UDP
 * service can only have none (a TCP connect or an HTTP GET cannot probe it, and the demo real
 * servers have no UDP responder: any other check removes every real server). The port is one of
 * the service's; https checks a TLS port, http a plain one.
 */
export const healthCheckRule: LabRule = {
  id: 'health-check',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      const given = section(rawServiceOf(input, service).healthCheck);
      const at = join(service.at, 'healthCheck');
      const protocol = service.protocol === 'UDP' ? 'UDP' : 'TCP';
      const type = given.type ?? defaultCheckType(protocol);
      if (typeof type !== 'string' || !['tcp', 'http', 'https', 'none'].includes(type)) continue;
      if (type !== 'http' && type !== 'https') {
        for (const key of ['path', 'statusCode'] as const) {
          if (given[key] !== undefined) report(join(at, key), given[key], `no ${key} with a ${type} check`, 'it only applies to types http and https');
        }
      }
      if (service.protocol === 'UDP' && type !== 'none') {
        report(join(at, 'type'), type, 'none for a UDP service', 'TCP and HTTP checks cannot probe a UDP service');
      }
      if (type === 'none') {
        for (const key of ['connectTimeoutSec', 'retry', 'delayBeforeRetrySec', 'port'] as const) {
          if (given[key] !== undefined) report(join(at, key), given[key], `no ${key} with type none`, 'there is no active check to time');
        }
        continue;
      }
      const ports = portsOf(service);
      const tlsPorts = tlsPortsOf(service).filter((p) => ports.includes(p));
      if (given.port !== undefined && isPort(given.port) && ports.length > 0 && !ports.includes(given.port)) {
        report(join(at, 'port'), given.port, `one of the service's ports (${ports.join(', ')})`, 'the check probes the service on the real servers');
        continue;
      }
      if (ports.length === 0 || (given.port !== undefined && !isPort(given.port))) continue;
      if (type === 'https' && tlsPorts.length === 0) {
        report(join(at, 'type'), type, `an https check only on a service with tlsPorts (this one has ${list(service.tlsPorts).length > 0 ? 'none among its ports' : 'none'})`,
          'the real servers speak HTTPS only on tlsPorts');
        continue;
      }
      const port = isPort(given.port) ? given.port : defaultCheckPort(type as 'tcp' | 'http' | 'https', ports, tlsPorts);
      const where = given.port !== undefined ? join(at, 'port') : join(at, 'type');
      const shown = given.port !== undefined ? port : type;
      if (type === 'https' && !tlsPorts.includes(port)) {
        report(where, shown, `a port of tlsPorts (${tlsPorts.join(', ')}) for an https check`, `port ${port} is plain http on the real servers`);
      } else if (type === 'http' && tlsPorts.includes(port)) {
        report(where, shown, `for an http check, a port not in tlsPorts (${ports.filter((p) => !tlsPorts.includes(p)).join(', ') || 'none'}); or type https`,
          `port ${port} speaks HTTPS on the real servers`);
      }
    }
  },
};

/** `ports` instead of `port`: never both, each port once. */
export const servicePortsRule: LabRule = {
  id: 'service-ports',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      const raw = rawServiceOf(input, service);
      if (raw.ports === undefined) continue;
      if (raw.port !== undefined) {
        report(join(service.at, 'port'), raw.port, 'no port with ports', 'ports replaces port: its first port is the service\'s port');
      }
      const seen = new Set<number>();
      list(raw.ports).forEach((port, i) => {
        if (!isPort(port)) return;
        if (seen.has(port)) report(`${join(service.at, 'ports')}[${i}]`, port, 'each port listed once');
        seen.add(port);
      });
    }
  },
};

/** `fwmark` only with `ports`; marks (given or 1 + index) unique across services. */
export const fwmarkRule: LabRule = {
  id: 'fwmark',
  check: (input, report) => {
    const seen = new Map<number, string>();
    entries(input, 'services').forEach((service, index) => {
      const raw = rawServiceOf(input, service);
      const at = join(service.at, 'fwmark');
      if (raw.ports === undefined) {
        if (raw.fwmark !== undefined) report(at, raw.fwmark, 'no fwmark without ports', 'only a service over several ports is grouped by a firewall mark');
        return;
      }
      const given = raw.fwmark !== undefined;
      const mark = given ? raw.fwmark : defaultFwmark(index);
      if (!isIntegerIn(mark, 1, MAX_FWMARK)) return;
      const first = seen.get(mark);
      if (first) {
        report(at, given ? mark : undefined, `a firewall mark no other service has (${first} has ${mark})`,
          given ? undefined : `the default is 1 + the service's index, ${mark}: give fwmark explicitly`);
      } else seen.set(mark, given ? at : `${at} (default)`);
    });
  },
};

/** `tlsPorts`: TCP only, ports of the service, each once; a port is TLS on every service of a real server or on none. */
export const tlsPortsRule: LabRule = {
  id: 'tls-ports',
  check: (input, report) => {
    const services = entries(input, 'services');
    for (const service of services) {
      if (!Array.isArray(service.tlsPorts)) continue;
      const at = join(service.at, 'tlsPorts');
      if (service.protocol === 'UDP') {
        report(at, service.tlsPorts, 'no tlsPorts on a UDP service', 'TLS runs over TCP');
        continue;
      }
      const ports = portsOf(service);
      const seen = new Set<number>();
      service.tlsPorts.forEach((port: unknown, i: number) => {
        if (!isPort(port)) return;
        if (ports.length > 0 && !ports.includes(port)) report(`${at}[${i}]`, port, `one of the service's ports (${ports.join(', ')})`);
        else if (seen.has(port)) report(`${at}[${i}]`, port, 'each port listed once');
        seen.add(port);
      });
    }
    // One nginx per real server (and one sorry site per director): a port cannot be HTTPS for
    // one service and plain for another on the same VMs.
    const members = (s: Loose) => (Array.isArray(s.realServers) ? s.realServers : entries(input, 'realServers').map((r) => r.name));
    const tcp = services.filter((s) => s.protocol !== 'UDP');
    tcp.forEach((service, i) => {
      for (const other of tcp.slice(0, i)) {
        const bothSorry = service.sorryServer === true && other.sorryServer === true;
        if (!bothSorry && !members(service).some((name: unknown) => members(other).includes(name))) continue;
        const mine = tlsPortsOf(service);
        const theirs = tlsPortsOf(other);
        for (const port of portsOf(service).filter((p) => portsOf(other).includes(p))) {
          if (mine.includes(port) !== theirs.includes(port)) {
            report(join(service.at, 'tlsPorts'), service.tlsPorts, `port ${port} ${theirs.includes(port) ? 'in' : 'not in'} tlsPorts, as in ${other.at}`,
              `both services share ${bothSorry ? 'the directors\' sorry site' : 'real servers'}, whose one nginx speaks ${theirs.includes(port) ? 'HTTPS' : 'plain http'} on port ${port}`);
          }
        }
      }
    });
  },
};

/** `port`/`ports`: none the lab itself listens on (RESERVED_PORTS). */
export const reservedPortRule: LabRule = {
  id: 'reserved-port',
  check: (input, report) => {
    const allowed = `a port the lab does not use itself: not ${RESERVED_PORTS_TEXT}`;
    const syncOn = section(input.lab.vrrp).connectionSync !== false;
    for (const service of entries(input, 'services')) {
      const protocol = service.protocol === 'UDP' ? 'UDP' : 'TCP';
      const at = Array.isArray(service.ports) ? (i: number) => `${join(service.at, 'ports')}[${i}]` : () => join(service.at, 'port');
      const ports = Array.isArray(service.ports) ? service.ports : [service.port];
      ports.forEach((port: unknown, i: number) => {
        const reserved = RESERVED_PORTS.find((r) => r.port === port && r.protocol === protocol && (syncOn || !r.withConnectionSync));
        if (!reserved) return;
        const why = reserved.protocol === 'TCP'
          ? `the real servers' nginx cannot bind a port the VMs already listen on (the demo service dies on every port) and the VIP would balance ${reserved.what.split(' on ')[0]} to the real servers` +
            (service.sorryServer === true ? ", and the directors' sorry site would not start either" : '')
          : `the VIP's packets on it would reach ${reserved.what.split(',')[0]}` +
            (reserved.withConnectionSync ? '; turn vrrp.connectionSync off to use it' : '');
        report(at(i), port, allowed, why);
      });
    }
  },
};

/**
 * dh with servers at weight 0: dh hashes the VIP, so every client of the service lands in one
 * bucket, and ip_vs_dh_schedule has no fallback when that bucket names a server at weight 0
 * (inhibit_on_failure after a failed check, or drained): IPVS refuses every client. (sh has
 * sh-fallback, which the renderer always sets; the other schedulers skip weight 0.)
 */
export const dhWeightZeroRule: LabRule = {
  id: 'dh-weight-zero',
  check: (input, report) => {
    const why = 'dh sends every client of the VIP to the one server its hash names and cannot fall back: when that server is at weight 0 IPVS refuses them all';
    const realServers = entries(input, 'realServers');
    for (const service of entries(input, 'services')) {
      if (service.scheduler !== 'dh') continue;
      if (service.inhibitOnFailure === true) {
        report(join(service.at, 'inhibitOnFailure'), true, 'false with scheduler dh (a failed server is then removed, and dh rehashes over the others), or another scheduler', why);
      }
      const members = realServers.filter((rs) => !Array.isArray(service.realServers) || service.realServers.includes(rs.name));
      const drained = members.filter((rs) => rs.weight === 0);
      if (drained.length > 0 && drained.length < members.length) {
        report(join(service.at, 'realServers'), members.map((rs) => rs.name),
          `real servers with a weight above 0 with scheduler dh (${drained.map((rs) => `${String(rs.name)} has weight 0`).join(', ')}), or another scheduler`, why);
      }
    }
  },
};

/** `sorryServer`: the sorry site is nginx, TCP only. */
export const sorryServerRule: LabRule = {
  id: 'sorry-server',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      if (service.sorryServer === true && service.protocol === 'UDP') {
        report(join(service.at, 'sorryServer'), true, 'false for a UDP service', 'the directors\' sorry site is an nginx web site (TCP)');
      }
    }
  },
};

/** `quorum`: a weight the real servers can reach, hooks with an absolute executable. */
export const quorumRule: LabRule = {
  id: 'quorum',
  check: (input, report) => {
    const realServers = entries(input, 'realServers');
    for (const service of entries(input, 'services')) {
      if (!isMapping(service.quorum)) continue;
      const at = join(service.at, 'quorum');
      const quorum = service.quorum;
      for (const key of ['up', 'down'] as const) checkExecutable(quorum[key], join(at, key), report, '/usr/bin/logger');
      if (isIntegerIn(quorum.weight, 1, 65535) && isIntegerIn(quorum.hysteresis, 0, 65535) && quorum.hysteresis >= quorum.weight) {
        report(join(at, 'hysteresis'), quorum.hysteresis, `less than quorum.weight (${quorum.weight}), i.e. 0-${quorum.weight - 1}`,
          'keepalived lowers a hysteresis of weight or more to weight - 1 (with a warning that fails its config test)');
      }
      const members = realServers.filter((rs) => !Array.isArray(service.realServers) || service.realServers.includes(rs.name));
      const weights = members.map((rs) => rs.weight);
      if (!weights.every((w) => isIntegerIn(w, 0, 65535))) continue;
      const total = (weights as number[]).reduce((sum, w) => sum + w, 0);
      if (isIntegerIn(quorum.weight, 1, 65535) && total > 0 && quorum.weight > total) {
        report(join(at, 'weight'), quorum.weight, `at most ${total}, the sum of the weights of the service's real servers (${members.map((rs) => `${String(rs.name)} ${String(rs.weight)}`).join(', ')})`,
          'keepalived refuses a quorum its real servers can never reach');
      }
    }
  },
};

/** `miscCheck.command`: an absolute executable (placeholders only in its arguments). */
export const miscCheckRule: LabRule = {
  id: 'misc-check',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      if (!isMapping(service.miscCheck)) continue;
      checkExecutable(service.miscCheck.command, join(service.at, 'miscCheck.command'), report, '/usr/bin/curl', MISC_CHECK_ARG_PATTERN);
    }
  },
};

const KEEPALIVED_LINE_WHY = `keepalived reads lines of at most ${KEEPALIVED_MAX_LINE} characters (MAXBUF 1024) and reads the rest of a longer one as a line ` +
  'of its own: its config test fails, or a fragment becomes a directive';

const isWords = (value: unknown): value is string[] => Array.isArray(value) && value.length > 0 && value.every((w) => typeof w === 'string');

/**
 * keepalived-line: every keepalived.conf line that carries user text (the director check, the
 * quorum hooks, each real server's misc check with its placeholders expanded) fits keepalived's
 * line buffer, measured as the renderer writes it.
 */
export const keepalivedLineRule: LabRule = {
  id: 'keepalived-line',
  check: (input, report) => {
    const checkLine = (at: string, value: unknown, line: string, what: string, room: string, where = '') => {
      if (line.length <= KEEPALIVED_MAX_LINE) return;
      report(at, value, `${what} at most ${KEEPALIVED_MAX_LINE} characters: ${where}this one is ${line.length} (${room})`, KEEPALIVED_LINE_WHY);
    };
    const room = (line: (words: string[]) => string) => `the words and the spaces between them: at most ${KEEPALIVED_MAX_LINE - line([]).length} characters`;
    const command = section(section(input.lab.vrrp).trackScript).command;
    if (isWords(command)) {
      checkLine('vrrp.trackScript.command', command, keepalivedLine.trackScript(command), 'a command whose keepalived.conf line (script "...") is', room(keepalivedLine.trackScript));
    }
    const realServers = entries(input, 'realServers');
    const ipv6Cidr = section(input.lab.network).ipv6Cidr;
    entries(input, 'services').forEach((service) => {
      for (const key of ['up', 'down'] as const) {
        const hook = section(service.quorum)[key];
        const line = (words: string[]) => keepalivedLine.quorumHook(key, words);
        if (isWords(hook)) checkLine(join(service.at, `quorum.${key}`), hook, line(hook), `a command whose keepalived.conf line (quorum_${key} "...") is`, room(line));
      }
      const misc = section(service.miscCheck).command;
      const port = portsOf(service)[0];
      if (!isWords(misc) || port === undefined) return;
      const ipv6 = parseIpv6(service.vip) !== undefined;
      // The longest line over the service's real servers, placeholders expanded for each.
      const lines = realServers
        .filter((rs) => typeof rs.name === 'string' && (!Array.isArray(service.realServers) || service.realServers.includes(rs.name)))
        .flatMap((rs) => {
          const address = ipv6
            ? canonicalIpv6(rs.address6 ?? (typeof ipv6Cidr === 'string' && typeof rs.address === 'string' ? defaultAddress6(ipv6Cidr, rs.address) : undefined))
            : (typeof rs.address === 'string' ? rs.address : undefined);
          if (address === undefined) return [];
          return [{ rs, line: keepalivedLine.miscPath(miscCheckCommand({ command: misc, timeoutSec: 1 }, { address, port, name: rs.name as string })) }];
        });
      const longest = lines.reduce<(typeof lines)[number] | undefined>((a, l) => (a === undefined || l.line.length > a.line.length ? l : a), undefined);
      if (longest) {
        checkLine(join(service.at, 'miscCheck.command'), misc, longest.line, 'a command whose keepalived.conf line (misc_path "...", 12 spaces deep) is',
          'shorten the words or the real server names', `once its placeholders are expanded for ${longest.rs.at} (${String(longest.rs.name)}), `);
      }
    });
    // The notification addresses need no check here: the schema caps them at 254 characters
    // (the longest email address), far inside the line.
  },
};

/** Service members: known real servers, each listed once. */
export const serviceMembersRule: LabRule = {
  id: 'service-members',
  check: (input, report) => {
    const realServers = input.lab.realServers;
    const usable = Array.isArray(realServers);
    const known = entries(input, 'realServers').map((r) => r.name).filter((n): n is string => typeof n === 'string');
    for (const service of entries(input, 'services')) {
      if (!Array.isArray(service.realServers)) continue; // every real server
      const at = join(service.at, 'realServers');
      const seen = new Set<unknown>();
      service.realServers.forEach((name: unknown, i: number) => {
        if (typeof name !== 'string') return;
        if (usable && !known.includes(name)) {
          report(`${at}[${i}]`, name, `the name of a real server (${known.join(', ') || 'none defined'})`);
        } else if (seen.has(name)) report(`${at}[${i}]`, name, 'each real server listed once');
        seen.add(name);
      });
    }
  },
};

/**
 * A service needs a real server with a weight above 0: with every member drained keepalived
 * refuses the config ("quorum 1 exceeds total weight of real servers 0", --config-test exit 5).
 */
export const serviceWeightRule: LabRule = {
  id: 'service-weight',
  check: (input, report) => {
    const realServers = entries(input, 'realServers');
    for (const service of entries(input, 'services')) {
      const members = realServers.filter((rs) => !Array.isArray(service.realServers) || service.realServers.includes(rs.name));
      const weights = members.map((rs) => rs.weight);
      if (members.length > 0 && weights.every((w) => w === 0)) {
        report(join(service.at, 'realServers'), members.map((rs) => rs.name), 'at least one real server with a weight above 0',
          'keepalived refuses a virtual server whose real servers are all drained (weight 0)');
      }
    }
  },
};

/** No two services with the same (vip, port, protocol): keepalived would merge or reject them. */
export const uniqueServicesRule: LabRule = {
  id: 'unique-services',
  check: (input, report) => {
    const seen = new Map<string, string>();
    for (const service of entries(input, 'services')) {
      if (parseIpv4(service.vip) === undefined || typeof service.protocol !== 'string') continue;
      // A firewall-mark service takes every one of its ports.
      for (const port of new Set(portsOf(service))) {
        const key = `${String(service.vip)}:${port}/${service.protocol}`;
        const first = seen.get(key);
        if (first && first !== service.at) report(service.at, key, `a (vip, port, protocol) no other service has (${first} has it)`);
        else seen.set(key, service.at);
      }
    }
  },
};

/** A real server's `port`, when given, must equal the port of every service it belongs to. */
export const realServerPortRule: LabRule = {
  id: 'real-server-port',
  check: (input, report) => {
    const services = entries(input, 'services');
    for (const rs of entries(input, 'realServers')) {
      if (!isIntegerIn(rs.port, 1, 65535)) continue;
      for (const service of services) {
        const belongs = !Array.isArray(service.realServers) || service.realServers.includes(rs.name);
        const port = portsOf(service)[0];
        if (belongs && port !== undefined && port !== rs.port) {
          report(join(rs.at, 'port'), rs.port, `${port}, the ${Array.isArray(service.ports) ? 'first ' : ''}port of ${service.at} it belongs to`,
            'DR forwards packets unchanged (only the MAC is rewritten), so it cannot remap ports');
        }
      }
    }
  },
};

/** Derived MACs (sha256 of `<lab>/<vm>`, 24 bits) must differ within the lab. */
export const macCollisionRule: LabRule = {
  id: 'mac-collision',
  check: (input, report) => {
    const name = input.lab.name;
    if (typeof name !== 'string') return;
    const seen = new Map<string, string>();
    for (const vm of vmsOf(input)) {
      if (typeof vm.name !== 'string') continue;
      const mac = labMacAddress(name, vm.name);
      const first = seen.get(mac);
      if (first && first !== vm.name) {
        report(join(vm.at, 'name'), vm.name, `a name whose derived MAC differs from ${first}'s (both are ${mac})`, 'rename either VM');
      } else seen.set(mac, vm.name);
    }
  },
};

const POOL_PATH_PATTERN = new RegExp(LabSchema.properties.storagePoolPath.pattern as string, 'u');

/**
 * `storagePoolPath`: a directory of the lab's own, never a system or shared directory of the host
 * (the state of the directory itself is checked when the stack is synthesized: pool-directory.ts).
 */
export const storagePoolPathRule: LabRule = {
  id: 'storage-pool-path',
  check: ({ lab }, report) => {
    const path = lab.storagePoolPath;
    if (typeof path !== 'string' || !POOL_PATH_PATTERN.test(path)) return; // malformed: a schema problem
    const reason = systemDirectoryReason(path);
    if (reason) report('storagePoolPath', path, POOL_DIRECTORY_ALLOWED, `${reason}; ${POOL_DIRECTORY_WHY}`);
  },
};

const LIBVIRT_URI_PATTERN = new RegExp(LabSchema.properties.libvirtUri.pattern as string, 'u');

/** `libvirtUri`: nothing that runs a program or turns a check off when virsh or the provider opens it (libvirt-uri.ts). */
export const libvirtUriRule: LabRule = {
  id: 'libvirt-uri',
  check: ({ raw }, report) => {
    const uri = raw.libvirtUri;
    if (typeof uri !== 'string' || !LIBVIRT_URI_PATTERN.test(uri)) return; // malformed: a schema problem
    const reason = libvirtUriReason(uri);
    if (reason) report('libvirtUri', uri, LIBVIRT_URI_ALLOWED, reason);
  },
};

// Dual stack (network.ipv6Cidr): IPv6 beside IPv4 on the same segment.

/** The lab's IPv6 prefix when `network.ipv6Cidr` is usable (valid, prefix 48-120); host bits are masked off. */
function usableNetwork6(cidr: unknown): Ipv6Network | undefined {
  const network = parseCidr6(cidr);
  return network && network.prefixLength >= IPV6_PREFIX.min && network.prefixLength <= IPV6_PREFIX.max ? network : undefined;
}

const cidr6Text = (network: Ipv6Network) => `${formatIpv6(network.networkAddress)}/${network.prefixLength}`;

/** A VM's IPv6 address: the one given, else the default derived from its IPv4 address. */
interface Vm6 {
  readonly at: string;
  readonly kind: Vm['kind'];
  readonly value: unknown;
  readonly address: bigint | undefined;
  /** Why, when the address is a default: which IPv4 address it comes from. */
  readonly defaultHint?: string;
}

function vms6Of(input: RuleInput, network: Ipv6Network): Vm6[] {
  const cidr = section(input.lab.network).ipv6Cidr as string;
  return (['directors', 'realServers'] as const).flatMap((key) => entries(input, key).map((vm) => {
    const at = join(vm.at, 'address6');
    const kind = key === 'directors' ? 'director' as const : 'real server' as const;
    if (vm.address6 !== undefined) return { at, kind, value: vm.address6, address: parseIpv6(vm.address6) };
    const derived = parseIpv4(vm.address) !== undefined ? defaultAddress6(cidr, vm.address as string) : undefined;
    return {
      at, kind, value: derived, address: parseIpv6(derived),
      defaultHint: `this is the default, ${cidr6Text(network).replace(/\/\d+$/, '')} plus the last octet of ${join(vm.at, 'address')} (${String(vm.address)}); set ${at} to an address of the prefix`,
    };
  }));
}

/** Ranges that cannot be a lab prefix: never unicast on a link, or the host's own. */
const RESERVED_NETWORKS6: readonly { cidr: string; what: string }[] = [
  { cidr: '::/127', what: 'the unspecified (::) and loopback (::1) addresses' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped addresses (::ffff:0:0/96)' },
  { cidr: 'fe80::/10', what: 'link-local (fe80::/10)' },
  { cidr: 'ff00::/8', what: 'multicast (ff00::/8)' },
];

/** `network.ipv6Cidr`: host bits zero, and a range a lab segment can use. */
export const ipv6CidrRule: LabRule = {
  id: 'ipv6-cidr',
  check: ({ lab }, report) => {
    const cidr = section(lab.network).ipv6Cidr;
    const network = usableNetwork6(cidr);
    if (!network) return; // malformed: a schema problem
    if (network.address !== network.networkAddress) {
      report('network.ipv6Cidr', cidr, `a prefix with every host bit zero, i.e. ${cidr6Text(network)}`);
      return;
    }
    const reserved = RESERVED_NETWORKS6.find((r) => overlaps6(network, parseCidr6(r.cidr) as Ipv6Network));
    if (reserved) {
      report('network.ipv6Cidr', cidr, 'a global or unique-local prefix such as fd77::/64 (not link-local, multicast, loopback or unspecified)',
        `it overlaps ${reserved.what}, which no lab segment can use`);
    }
  },
};

/** `network.ipv6Cidr` only with `network.mode: bridge`, for now. */
export const ipv6BridgeOnlyRule: LabRule = {
  id: 'ipv6-bridge-only',
  check: ({ lab, raw }, report) => {
    const network = section(lab.network);
    const cidr = section(raw.network).ipv6Cidr;
    if (typeof cidr !== 'string' || network.mode === 'bridge' || !NETWORK_MODES.includes(network.mode as NetworkMode)) return;
    report('network.ipv6Cidr', cidr, `no ipv6Cidr with network.mode ${String(network.mode)} (dual stack is supported with network.mode bridge only, for now)`,
      `libvirt's ${String(network.mode)} network would need an IPv6 address and routing of its own, which the lab does not configure yet`);
  },
};

/** `address6` and IPv6 VIPs only with `network.ipv6Cidr`. */
export const ipv6NeedsCidrRule: LabRule = {
  id: 'ipv6-needs-cidr',
  check: (input, report) => {
    if (section(input.lab.network).ipv6Cidr !== undefined) return;
    for (const vm of [...entries(input, 'directors'), ...entries(input, 'realServers')]) {
      if (typeof vm.address6 === 'string') {
        report(join(vm.at, 'address6'), vm.address6, 'no address6 without network.ipv6Cidr', 'set network.ipv6Cidr (the lab\'s IPv6 prefix) to give the VMs IPv6 addresses');
      }
    }
    for (const service of entries(input, 'services')) {
      if (parseIpv6(service.vip) !== undefined) {
        report(join(service.at, 'vip'), service.vip, 'an IPv4 address of network.cidr, or an IPv6 VIP with network.ipv6Cidr set',
          'the lab has no IPv6 prefix: set network.ipv6Cidr for a dual-stack lab');
      }
    }
  },
};

/** Every address6 (given or default) and every IPv6 VIP is inside the prefix, and not its subnet-router anycast address. */
export const address6InPrefixRule: LabRule = {
  id: 'address6-in-prefix',
  check: (input, report) => {
    const network = usableNetwork6(section(input.lab.network).ipv6Cidr);
    if (!network) return;
    const allowed = `an address inside ${cidr6Text(network)} other than its subnet-router anycast address ${formatIpv6(network.networkAddress)} (host part 0)`;
    const check = (at: string, value: unknown, address: bigint | undefined, why?: string) => {
      if (address === undefined) return;
      if (!ipv6NetworkHolds(network, address) || address === network.networkAddress) report(at, value, allowed, why);
    };
    for (const vm of vms6Of(input, network)) check(vm.at, vm.value, vm.address, vm.defaultHint);
    for (const service of entries(input, 'services')) {
      check(join(service.at, 'vip'), service.vip, parseIpv6(service.vip), 'DR delivers by MAC, so the VIP must be on the lab segment');
    }
  },
};

/** No IPv6 address used twice (given or default); an IPv6 VIP is no VM's address6. */
export const uniqueAddresses6Rule: LabRule = {
  id: 'unique-addresses6',
  check: (input, report) => {
    const network = usableNetwork6(section(input.lab.network).ipv6Cidr);
    if (!network) return;
    const owners = new Map<bigint, Vm6>();
    for (const vm of vms6Of(input, network)) {
      if (vm.address === undefined) continue;
      const owner = owners.get(vm.address);
      if (!owner) owners.set(vm.address, vm);
      else if (owner.kind === 'director' && vm.kind === 'real server') {
        report(vm.at, vm.value, `a real server address6 that is not a director's (${owner.at})`, vm.defaultHint ?? DR_SEPARATE_HOSTS);
      } else report(vm.at, vm.value, `an address6 not already used (${owner.at} has it)`, vm.defaultHint);
    }
    const vips = new Set<bigint>();
    for (const service of entries(input, 'services')) {
      const vip = parseIpv6(service.vip);
      if (vip === undefined || vips.has(vip)) continue; // services may share a VIP
      vips.add(vip);
      const owner = owners.get(vip);
      if (owner) {
        report(join(service.at, 'vip'), service.vip, `an address no VM owns (${owner.at} has it)`,
          'keepalived moves the VIP between directors and real servers bind it on lo, so it must be a separate address');
      }
    }
  },
};

/** keepalived runs VRRP for IPv6 only as VRRPv3 (RFC 5798); VRRPv2 is IPv4 only. */
export const ipv6VipVersionRule: LabRule = {
  id: 'ipv6-vip-version',
  check: (input, report) => {
    const version = section(input.lab.vrrp).version;
    const first = entries(input, 'services').find((service) => parseIpv6(service.vip) !== undefined);
    if (!first || version !== 2) return;
    report('vrrp.version', version, `3 when a service has an IPv6 VIP (${join(first.at, 'vip')} is ${String(first.vip)})`,
      'VRRP for IPv6 is VRRPv3 (RFC 5798); VRRPv2 carries IPv4 addresses only');
  },
};

/**
 * What an IPv6 service cannot have yet: `ports` (the directors' marking rules are IPv4 `ip daddr`
 * rules, and keepalived's fwmark service is IPv4 unless told otherwise) and `sorryServer` (the
 * sorry destination is 127.0.0.1, which keepalived refuses in an IPv6 virtual server).
 */
export const ipv6ServiceOptionsRule: LabRule = {
  id: 'ipv6-service-options',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      if (parseIpv6(service.vip) === undefined) continue;
      if (service.ports !== undefined) {
        report(join(service.at, 'ports'), service.ports, `no ports with an IPv6 VIP (${join(service.at, 'vip')} is ${String(service.vip)}): one port per IPv6 service`,
          'firewall-mark services are IPv4 only for now');
      }
      if (service.sorryServer === true) {
        report(join(service.at, 'sorryServer'), service.sorryServer, `false with an IPv6 VIP (${join(service.at, 'vip')} is ${String(service.vip)})`,
          'the sorry server is the director itself at 127.0.0.1, which keepalived refuses in an IPv6 virtual server; IPv4 services only for now');
      }
    }
  },
};

/** No two IPv6 services with the same (vip, port, protocol), however the VIP is spelled. */
export const uniqueServices6Rule: LabRule = {
  id: 'unique-services6',
  check: (input, report) => {
    const seen = new Map<string, string>();
    for (const service of entries(input, 'services')) {
      const vip = parseIpv6(service.vip);
      if (vip === undefined || !isIntegerIn(service.port, 1, 65535) || typeof service.protocol !== 'string') continue;
      const key = `[${formatIpv6(vip)}]:${service.port}/${service.protocol}`;
      const first = seen.get(key);
      if (first) report(service.at, key, `a (vip, port, protocol) no other service has (${first} has it)`);
      else seen.set(key, service.at);
    }
  },
};

/** The dual-stack rules, run after LAB_RULES' own. */
export const IPV6_RULES: readonly LabRule[] = [
  ipv6CidrRule, ipv6BridgeOnlyRule, ipv6NeedsCidrRule, address6InPrefixRule, uniqueAddresses6Rule, ipv6VipVersionRule, uniqueServices6Rule,
  ipv6ServiceOptionsRule,
];

/** Every cross-field rule, in the order problems are listed (after the field problems). */
export const LAB_RULES: readonly LabRule[] = [
  libvirtUriRule, storagePoolPathRule, cidrRule, bridgeRequiredRule, addressInSubnetRule, natGatewayRule, packagesNeedMirrorRule,
  packagesRouteRule, packagesResolverRule,
  sshUserReservedRule, sshKeyRule, advertIntervalRule, authPassVersionRule, fastFailoverRule, trackScriptRule,
  vmNameLengthRule, uniqueNamesRule, uniqueAddressesRule, uniquePriorityRule,
  servicePortsRule, fwmarkRule, tlsPortsRule, healthCheckRule, reservedPortRule, dhWeightZeroRule, sorryServerRule, quorumRule, miscCheckRule, keepalivedLineRule,
  serviceMembersRule, serviceWeightRule, uniqueServicesRule, realServerPortRule, macCollisionRule,
  ...IPV6_RULES,
];

/** Runs every rule, reporting with each rule's id. */
export function runRules(input: RuleInput, report: Report): void {
  for (const rule of LAB_RULES) rule.check(input, (path, value, allowed, why) => report(rule.id, path, value, allowed, why));
}
