/** The package sources a VM reaches at first boot: what packages-route and packages-resolver check. */
import { formatIpv4, parseIpv4, type Ipv4Network } from '../ipv4';
import { DEBIAN_SECURITY_ARCHIVE, defaultDns, defaultSecurityMirror } from '../derive';
import { NETWORK_MODES, type NetworkMode } from '../schema';
import { type RuleInput, section, usableNetwork, gatewayOf, subnetHolds } from './read';

/** Where apt goes at first boot when the config names no mirror or proxy: the Debian cloud image's own sources. */
export const IMAGE_SOURCES_HOST = 'deb.debian.org';

/** One place apt connects to at first boot: a proxy, a mirror, or a default. */
export interface PackageSource {
  /** The field that sets it (for a default: the field that would replace it). */
  readonly at: string;
  /** The value as written; undefined for a default. */
  readonly value: unknown;
  readonly host: string;
  /** A host off every lab segment: Debian's own archives, reached only through a gateway. */
  readonly public: boolean;
}

export const urlHost = (url: string): string => /^https?:\/\/(?:[^@/]*@)?([^:/]+)/.exec(url)?.[1] ?? url;

/**
 * What the VMs need to install their packages at first boot (`image.preinstalled` false): the
 * hosts apt connects to (with a proxy, only the proxy: it resolves and fetches the archives), the
 * lab's resolvers and whether the VMs have a way off the segment (a gateway). Undefined when
 * nothing is installed at first boot, or the network is malformed (a schema problem).
 */
export function firstBootPackages(input: RuleInput): { sources: PackageSource[]; subnet: Ipv4Network; wayOut: boolean; dns: readonly unknown[]; dnsGiven: boolean } | undefined {
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
export function offSegment(source: PackageSource, subnet: Ipv4Network): boolean {
  const address = parseIpv4(source.host);
  return source.public || (address !== undefined && !subnetHolds(subnet, address));
}

export const FIRST_BOOT_WHY = 'image.preinstalled is false, so every VM installs its packages (keepalived, ipvsadm, nginx) with apt at first boot';
