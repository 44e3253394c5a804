/**
 * What iproute2 (6.1, Debian 12) prints about addresses, neighbours and routes, parsed: who
 * holds a VIP (`ip -4 -o addr show`), which MAC this machine resolved it to (`ip neigh show to`),
 * and whether this machine is on the lab segment at all (`ip route get`).
 */

/** One address of `ip -o addr show` (IPv6 ones in ipvsadm's and iproute2's spelling: lowercase, zeros compressed). */
export interface AddressLine {
  /** The device (`lab0`, `lo`); the label (`lo:0`) when the address has one. */
  readonly device: string;
  readonly label: string;
  readonly address: string;
  readonly prefixLength: number;
}

/**
 * Parses `ip -o addr show`, one address per line:
 * `2: lab0    inet 192.168.20.140/32 scope global lab0\       valid_lft forever preferred_lft forever`,
 * `2: lab0    inet6 fd77::10/128 scope global nodad deprecated \       valid_lft forever preferred_lft 0sec`.
 */
export function parseAddresses(text: string): AddressLine[] {
  const out: AddressLine[] = [];
  for (const line of text.split('\n')) {
    const v4 = /^\d+:\s+(\S+)\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/(\d+)\b(.*)$/.exec(line);
    if (v4) {
      // the label is the last word before the `\` that -o puts where a line break was
      const label = /\s(\S+)\\/.exec(v4[4])?.[1] ?? /\s(\S+)\s*$/.exec(v4[4])?.[1] ?? v4[1];
      out.push({ device: v4[1], label, address: v4[2], prefixLength: Number(v4[3]) });
      continue;
    }
    const v6 = /^\d+:\s+(\S+)\s+inet6\s+([0-9a-f:]+)\/(\d+)\b/.exec(line);
    if (v6) out.push({ device: v6[1], label: v6[1], address: v6[2], prefixLength: Number(v6[3]) });
  }
  return out;
}

/** An IPv6 address as iproute2 and ipvsadm print it (lowercase, zeros compressed); an IPv4 one as is. */
export const canonicalAddress = (address: string): string =>
  address.includes(':') ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;

/**
 * The VIPs among `vips` bound in `ip -o addr show` output (optionally on one device only): an
 * IPv4 VIP as /32, an IPv6 VIP with any prefix length (keepalived's, or /128 on a real server's lo).
 */
export function boundVips(text: string, vips: readonly string[], device?: string): string[] {
  const bound = parseAddresses(text).filter((a) => device === undefined || a.device === device);
  return vips.filter((vip) => bound.some((a) => a.address === canonicalAddress(vip) && (vip.includes(':') || a.prefixLength === 32)));
}

/** The neighbour table's entry for one address. */
export interface NeighbourEntry {
  readonly address: string;
  readonly device?: string;
  /** The resolved MAC, lower case; absent for INCOMPLETE and FAILED entries. */
  readonly mac?: string;
  /** REACHABLE, STALE, DELAY, PROBE, FAILED, INCOMPLETE, PERMANENT, NOARP. */
  readonly state: string;
}

/**
 * Parses `ip neigh show to ADDRESS`:
 * `192.168.20.140 dev eth0 lladdr 52:54:00:3b:91:0e REACHABLE`; `192.168.20.99 dev eth0 FAILED`.
 * Returns the first entry for `address`, undefined when the table has none.
 */
export function parseNeighbour(text: string, address: string): NeighbourEntry | undefined {
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== address) continue;
    const at = (key: string) => {
      const i = words.indexOf(key);
      return i >= 0 ? words[i + 1] : undefined;
    };
    const mac = at('lladdr')?.toLowerCase();
    const state = [...words].reverse().find((w) => /^[A-Z]+$/.test(w)) ?? 'UNKNOWN';
    return { address, ...(at('dev') ? { device: at('dev') } : {}), ...(mac ? { mac } : {}), state };
  }
  return undefined;
}

/** States whose MAC was confirmed lately (or is fixed): the entry is what the segment says now. */
export const CONFIRMED_NEIGHBOUR_STATES: ReadonlySet<string> = new Set(['REACHABLE', 'PERMANENT', 'NOARP']);

/** How `ip route get ADDRESS` reaches an address. */
export interface RouteToAddress {
  readonly device?: string;
  /** The next hop: set when the address is not on a segment of this machine. */
  readonly via?: string;
  readonly source?: string;
}

/** Parses `ip route get ADDRESS`: `192.168.20.140 dev eth0 src 192.168.20.254 uid 0` (plus ` via GW` when routed). */
export function parseRouteGet(text: string): RouteToAddress | undefined {
  const line = text.split('\n').find((l) => /\bdev \S+/.test(l));
  if (!line) return undefined;
  const word = (key: string) => new RegExp(`\\b${key} (\\S+)`).exec(line)?.[1];
  const [device, via, source] = [word('dev'), word('via'), word('src')];
  return { ...(device ? { device } : {}), ...(via ? { via } : {}), ...(source ? { source } : {}) };
}
