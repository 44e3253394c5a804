/**
 * Values derived from others: stated once here, used by the rules and by `resolveLab`.
 * Literal defaults are in the schema (`schema.ts`).
 */
import { createHash } from 'node:crypto';
import type { HealthCheck, ServiceProtocol } from '../cloud-init/model';
import { formatIpv4, parseCidr } from './ipv4';
import { formatIpv6, parseCidr6 } from './ipv6';
import { NAME_PATTERN, type NetworkMode } from './schema';

/** The reference's `auth_pass` (VRRPv2 only: VRRPv3, RFC 5798, has no authentication). Only a guard against a neighbouring VRRP setup, not a secret. */
export const DEFAULT_AUTH_PASS = '1111';

/** `vrrp.authPass` when not given: the reference's with version 2, none with version 3. */
export function defaultAuthPass(version: 2 | 3): string | undefined {
  return version === 2 ? DEFAULT_AUTH_PASS : undefined;
}

/** A service's health-check type when not given: tcp, or none for UDP (TCP/HTTP checks cannot probe UDP). */
export function defaultCheckType(protocol: ServiceProtocol): HealthCheck['type'] {
  return protocol === 'UDP' ? 'none' : 'tcp';
}

/** A health check's port when not given: for https the first TLS port, otherwise the service's first port. */
export function defaultCheckPort(type: HealthCheck['type'], ports: readonly number[], tlsPorts: readonly number[]): number {
  return type === 'https' && tlsPorts.length > 0 ? tlsPorts[0] : ports[0];
}

/** A firewall-mark service's mark when not given: 1 + its index in `services`. */
export function defaultFwmark(serviceIndex: number): number {
  return serviceIndex + 1;
}

/** Debian's own security archive: the security mirror when `packages.mirror` has another layout. */
export const DEBIAN_SECURITY_ARCHIVE = 'http://security.debian.org/debian-security';

/** `packages.securityMirror` when not given: `…/debian` -> `…/debian-security`, else Debian's own. */
export function defaultSecurityMirror(mirror: string): string {
  const trimmed = mirror.replace(/\/+$/, '');
  return /\/debian$/.test(trimmed) ? `${trimmed}-security` : DEBIAN_SECURITY_ARCHIVE;
}

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

/**
 * `<lab>--<vm>`: the libvirt domain name of a VM, and the prefix of its volumes
 * (`<domain>.qcow2`, `<domain>-cidata.iso`). Names have no '--' (the schema's NAME_PATTERN), so
 * a domain name splits back into one lab and one VM name: no VM of another lab of another name
 * gets it (with one '-', VM `a-b` of lab `lab` and VM `b` of lab `lab-a` were both `lab-a-b`), and
 * no VM named `base` takes the lab's own `<lab>-base.qcow2`, whose names have no '--'.
 */
export function vmDomainName(labName: string, vmName: string): string {
  return `${labName}--${vmName}`;
}

/** The lab's base image volume, `<lab>-base.qcow2`: shared by its VMs' disks. */
export function baseVolumeName(labName: string): string {
  return `${labName}-base.qcow2`;
}

/** A VM's volumes: its disk `<domain>.qcow2` and its cloud-init seed `<domain>-cidata.iso`. */
export function vmVolumeNames(domainName: string): { disk: string; seed: string } {
  return { disk: `${domainName}.qcow2`, seed: `${domainName}-cidata.iso` };
}

/** What {@link isLabVolume} accepts, for problems: `<lab>-base.qcow2, <lab>--<vm>.qcow2, <lab>--<vm>-cidata.iso`. */
export function labVolumeNamesText(labName: string): string {
  const vm = vmVolumeNames(vmDomainName(labName, '<vm>'));
  return `${baseVolumeName(labName)}, ${vm.disk}, ${vm.seed}`;
}

/**
 * True for a file name this lab's volumes have: its base image, or a VM's disk or seed, of any
 * VM name (a VM dropped from the config keeps its volumes until the next deploy removes them).
 * Exactly these: lab `lvs` does not own `lvs-lab-base.qcow2` or `lvs-lab--rs-1.qcow2`, lab
 * `lvs-lab`'s, as a name prefix would have it.
 */
export function isLabVolume(labName: string, fileName: string): boolean {
  if (fileName === baseVolumeName(labName)) return true;
  const prefix = vmDomainName(labName, '');
  const vmName = /^(.*?)(?:\.qcow2|-cidata\.iso)$/.exec(fileName.startsWith(prefix) ? fileName.slice(prefix.length) : '')?.[1];
  if (vmName === undefined || !new RegExp(NAME_PATTERN).test(vmName)) return false;
  return Object.values(vmVolumeNames(vmDomainName(labName, vmName))).includes(fileName);
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

/**
 * A VM's IPv6 address when `network.ipv6Cidr` is set and it gives none: the prefix plus the last
 * octet of its IPv4 address written with the same digits, so the two read alike (10.77.0.21 in
 * fd77::/64 -> fd77::21). Undefined when either input is malformed. The result may fall outside
 * a long prefix (.200 in a /120 is ::200, above ::ff) or collide with another VM's: the rules
 * report both, naming the default.
 */
export function defaultAddress6(ipv6Cidr: string, address: string): string | undefined {
  const network = parseCidr6(ipv6Cidr);
  const octet = /^(?:\d{1,3}\.){3}(\d{1,3})$/.exec(address)?.[1];
  if (!network || octet === undefined) return undefined;
  return formatIpv6(network.networkAddress + BigInt(`0x${octet}`));
}
