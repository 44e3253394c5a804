/**
 * IPv6 helpers for the dual-stack lab (`network.ipv6Cidr`): addresses as 128-bit bigints.
 * Only the plain hexadecimal forms are taken (no embedded IPv4 such as ::ffff:1.2.3.4, no zone
 * such as %lab0): a lab address is a global or unique-local host address on one segment.
 */

const H = '[0-9A-Fa-f]{1,4}';

/** An IPv6 address in hexadecimal colon notation (with or without `::`): the schema's pattern and parseIpv6's. */
export const IPV6_PATTERN_BODY = [
  `(?:${H}:){7}${H}`,
  `(?:${H}:){1,7}:`,
  `(?:${H}:){1,6}:${H}`,
  `(?:${H}:){1,5}(?::${H}){1,2}`,
  `(?:${H}:){1,4}(?::${H}){1,3}`,
  `(?:${H}:){1,3}(?::${H}){1,4}`,
  `(?:${H}:){1,2}(?::${H}){1,5}`,
  `${H}:(?::${H}){1,6}`,
  `:(?:(?::${H}){1,7}|:)`,
].map((form) => `(?:${form})`).join('|');
export const IPV6_PATTERN_SOURCE = `^(?:${IPV6_PATTERN_BODY})$`;
const IPV6_PATTERN = new RegExp(IPV6_PATTERN_SOURCE);

/** The lab's IPv6 prefix lengths: /48 (a site) to /120 (at least 255 host addresses). */
export const IPV6_PREFIX = { min: 48, max: 120 } as const;

const BITS = 128n;

/** An IPv6 address as a 128-bit number, else undefined. */
export function parseIpv6(text: unknown): bigint | undefined {
  if (typeof text !== 'string' || !IPV6_PATTERN.test(text)) return undefined;
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const all = [...left, ...Array<string>(zeros).fill('0'), ...right];
  if (all.length !== 8) return undefined;
  return all.reduce((acc, group) => (acc << 16n) + BigInt(parseInt(group, 16)), 0n);
}

/** RFC 5952's canonical text: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
export function formatIpv6(address: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((address >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** The canonical text of an IPv6 address, else undefined. */
export function canonicalIpv6(text: unknown): string | undefined {
  const address = parseIpv6(text);
  return address === undefined ? undefined : formatIpv6(address);
}

export interface Ipv6Network {
  /** The address as written (host bits possibly set). */
  readonly address: bigint;
  readonly prefixLength: number;
  readonly networkAddress: bigint;
  /** The network's last address (IPv6 has no broadcast; the last address is a host). */
  readonly lastAddress: bigint;
}

/** `<ipv6>/n` with n 0-128, else undefined. Host bits may be set: compare address and networkAddress. */
export function parseCidr6(text: unknown): Ipv6Network | undefined {
  const match = typeof text === 'string' ? /^([0-9A-Fa-f:]+)\/(0|[1-9]\d{0,2})$/.exec(text) : null;
  const address = match ? parseIpv6(match[1]) : undefined;
  const prefixLength = match ? Number(match[2]) : NaN;
  if (address === undefined || prefixLength > 128) return undefined;
  const size = 1n << (BITS - BigInt(prefixLength));
  const networkAddress = address - (address % size);
  return { address, prefixLength, networkAddress, lastAddress: networkAddress + size - 1n };
}

/** True when the address lies inside the network. */
export function ipv6NetworkHolds(network: Ipv6Network, address: bigint): boolean {
  return address >= network.networkAddress && address <= network.lastAddress;
}

/** True when the two networks share an address. */
export function overlaps6(a: Ipv6Network, b: Ipv6Network): boolean {
  return a.networkAddress <= b.lastAddress && b.networkAddress <= a.lastAddress;
}
