/** IPv4 helpers (pure arithmetic: no bit operators, so no sign surprises above 2^31). */

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** A dotted-quad IPv4 address, no leading zeros: the schema's pattern and parseIpv4's. */
export const IPV4_PATTERN_SOURCE = `^${OCTET}(\\.${OCTET}){3}$`;
const IPV4_PATTERN = new RegExp(IPV4_PATTERN_SOURCE);

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

/** True when the two networks share an address. */
export function overlaps(a: Ipv4Network, b: Ipv4Network): boolean {
  return a.networkAddress <= b.broadcastAddress && b.networkAddress <= a.broadcastAddress;
}
