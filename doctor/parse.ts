/**
 * Pure parsers of what the doctor reads from host tools: `ip -j route`, `ip -j -d link`,
 * `iptables -S`, `virsh version`, `virsh capabilities`, `virsh net-info`. Kept apart from the
 * checks so they are tested against the tools' real output (__tests__/doctor/host-tools.test.ts).
 */
import { parseCidr, type Ipv4Network } from '../lab/ipv4';

/** One IPv4 route of the host's main table. */
export interface HostRoute {
  /** `a.b.c.d/n` (a host route `a.b.c.d` reads as /32). */
  readonly dst: string;
  readonly network: Ipv4Network;
  /** The device it leaves by; absent for blackhole/unreachable routes. */
  readonly dev?: string;
  /** `unicast` unless ip says otherwise (`blackhole`, `unreachable`, ...). */
  readonly type: string;
  /** The route as `ip route` would print its head: `192.168.0.0/16 dev eth0`. */
  readonly text: string;
}

/** `ip -j route` (IPv4, main table) without the default route: the networks the host already reaches some way. */
export function ipRoutes(json: string): HostRoute[] {
  const entries = parseJsonArray(json, 'ip -j route');
  return entries.flatMap((entry) => {
    const dst = typeof entry.dst === 'string' ? entry.dst : undefined;
    if (!dst || dst === 'default') return [];
    const cidr = dst.includes('/') ? dst : `${dst}/32`;
    const network = parseCidr(cidr);
    if (!network) return [];
    const dev = typeof entry.dev === 'string' ? entry.dev : undefined;
    const type = typeof entry.type === 'string' ? entry.type : 'unicast';
    const text = [type === 'unicast' ? '' : `${type} `, cidr, dev ? ` dev ${dev}` : ''].join('');
    return [{ dst: cidr, network, ...(dev ? { dev } : {}), type, text }];
  });
}

/** One network interface of the host. */
export interface HostLink {
  readonly name: string;
  /** Administratively up (`ip link set … up`): the UP flag, whether or not a port has carrier yet. */
  readonly up: boolean;
  /** `bridge`, `veth`, ... from `ip -d`; absent for a plain NIC. */
  readonly kind?: string;
}

/** `ip -j -d link show`. */
export function ipLinks(json: string): HostLink[] {
  return parseJsonArray(json, 'ip -j -d link show').flatMap((entry) => {
    const name = entry.ifname;
    if (typeof name !== 'string') return [];
    const flags: unknown[] = Array.isArray(entry.flags) ? entry.flags : [];
    const kind = (entry.linkinfo as { info_kind?: unknown } | undefined)?.info_kind;
    return [{ name, up: flags.includes('UP'), ...(typeof kind === 'string' ? { kind } : {}) }];
  });
}

/** What `iptables -S` (the filter table) says about frames bridged through one bridge. */
export interface ForwardVerdict {
  /** The FORWARD chain's policy (`ACCEPT`, `DROP`); undefined when the output has none. */
  readonly policy?: string;
  /** Docker's chain for the user's own rules exists (a Docker host). */
  readonly dockerUser: boolean;
  /** A FORWARD or DOCKER-USER rule accepts frames in and out of this bridge (or every bridged frame). */
  readonly acceptsBridge: boolean;
}

/** Reads `iptables -S` for the lab's bridge `bridge`. */
export function forwardVerdict(rules: string, bridge: string): ForwardVerdict {
  const lines = rules.split('\n').map((line) => line.trim());
  const policy = lines.map((line) => /^-P FORWARD (\S+)$/.exec(line)?.[1]).find((p) => p !== undefined);
  const acceptsBridge = lines.some((line) => {
    const words = line.split(/\s+/);
    if (words[0] !== '-A' || !['FORWARD', 'DOCKER-USER'].includes(words[1]) || !/ -j ACCEPT$/.test(line)) return false;
    const option = (name: string) => (words.includes(name) ? words[words.indexOf(name) + 1] : undefined);
    if (words.includes('--physdev-is-bridged') && option('-i') === undefined && option('-o') === undefined) return true;
    return option('-i') === bridge && option('-o') === bridge;
  });
  return { ...(policy ? { policy } : {}), dockerUser: lines.includes('-N DOCKER-USER'), acceptsBridge };
}

/** `Running hypervisor: QEMU 7.2.0` of `virsh version`, else its last line. */
export function virshHypervisor(text: string): string {
  const lines = text.split('\n').map((line) => line.trim()).filter(Boolean);
  return /^Running hypervisor:\s*(.+)$/m.exec(text)?.[1] ?? lines[lines.length - 1] ?? '';
}

/** The user and group a libvirtd starts its VMs as (its DAC security driver's base label). */
export interface DacLabel {
  readonly uid: number;
  readonly gid: number;
}

/**
 * The DAC base label for `domainType` domains in `virsh capabilities`
 * (`<secmodel><model>dac</model>…<baselabel type='kvm'>+64055:+108</baselabel>`): the user and
 * group of qemu.conf's `user` and `group` as the running libvirtd read them; undefined when the
 * XML has none.
 */
export function virshDacLabel(xml: string, domainType: string): DacLabel | undefined {
  for (const [, body] of xml.matchAll(/<secmodel>([\s\S]*?)<\/secmodel>/g)) {
    if (!/<model>\s*dac\s*<\/model>/.test(body)) continue;
    for (const [, type, uid, gid] of body.matchAll(/<baselabel type=['"]([^'"]+)['"]>\s*\+?(\d+):\+?(\d+)\s*<\/baselabel>/g)) {
      if (type === domainType) return { uid: Number(uid), gid: Number(gid) };
    }
  }
  return undefined;
}

/**
 * What `virsh domcapabilities --virttype kvm` says a KVM domain gets when it names no emulator
 * or machine, as the lab's domains do: `<path>` (the emulator) and `<machine>` (the default
 * machine type, e.g. pc-i440fx-7.2); each undefined when the XML has none.
 */
export function virshDomainDefaults(xml: string): { emulator?: string; machine?: string } {
  const emulator = /<path>\s*([^<\s]+)\s*<\/path>/.exec(xml)?.[1];
  const machine = /<machine>\s*([^<\s]+)\s*<\/machine>/.exec(xml)?.[1];
  return { ...(emulator ? { emulator } : {}), ...(machine ? { machine } : {}) };
}

/** The `Bridge:` of `virsh net-info`, else undefined. */
export function virshNetBridge(text: string): string | undefined {
  return /^Bridge:\s*(\S+)/m.exec(text)?.[1];
}

/** `terraform version -json` / `tofu version -json`: the version, else undefined. */
export function terraformVersion(json: string): string | undefined {
  try {
    const version = (JSON.parse(json) as { terraform_version?: unknown }).terraform_version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** True when dotted version `version` is at least `minimum` (numeric parts compared; a `-beta` suffix ignored). */
export function versionAtLeast(version: string, minimum: string): boolean {
  const parts = (v: string) => v.replace(/^v/, '').split(/[-+]/)[0].split('.').map((n) => Number(n) || 0);
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

function parseJsonArray(json: string, what: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${what} printed no JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new Error(`${what} printed no JSON array`);
  return value.filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null);
}
