/**
 * Pure parsers of what the e2e checks read from the lab: `apt-cache policy`, `tcpdump -nn`
 * lines. Kept apart from the harness so they are unit-tested (__tests__/e2e/parse.test.ts)
 * without running a lab. The IPVS parser is the operator commands' (ops/ipvs.ts), re-exported
 * here: one implementation for `lvs-lab status` and the e2e checks.
 */
export { ipvsTable, type IpvsRealServer } from '../ops/ipvs';

/** `apt-cache policy` -> package -> installed version and the sources of that version. */
export function installedOrigins(text: string): Map<string, { installed: string; sources: string[] }> {
  const out = new Map<string, { installed: string; sources: string[] }>();
  for (const block of text.split(/^(?=\S+:$)/m)) {
    const name = /^(\S+):$/m.exec(block)?.[1];
    const installed = /^\s+Installed: (\S+)/m.exec(block)?.[1];
    if (!name || !installed) continue;
    const sources: string[] = [];
    const table = block.split('\n');
    const at = table.findIndex((l) => /^\s\*\*\* /.test(l));
    for (let i = at + 1; at >= 0 && i < table.length && /^\s{8}\d+ /.test(table[i]); i++) sources.push(table[i].trim().replace(/^\d+ /, ''));
    out.set(name, { installed, sources });
  }
  return out;
}

/** One IPv4 packet of a `tcpdump -nn` line (ports for TCP/UDP, the question of a DNS query). */
export interface PacketLine {
  readonly src: string;
  readonly sport?: number;
  readonly dst: string;
  readonly dport?: number;
  /** A DNS question (`A? apt.example.` -> { type: 'A', name: 'apt.example' }). */
  readonly query?: { readonly type: string; readonly name: string };
}

/** Parses the `IP a.b.c.d[.port] > e.f.g.h[.port]: …` part of a tcpdump line (any link type). */
export function parsePacketLine(line: string): PacketLine | undefined {
  const m = /\bIP (\d+\.\d+\.\d+\.\d+)(?:\.(\d+))? > (\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?: (.*)$/.exec(line);
  if (!m) return undefined;
  const q = /\b([A-Z]+)\? (\S+?)\.? \(/.exec(m[5]);
  return {
    src: m[1],
    ...(m[2] !== undefined ? { sport: Number(m[2]) } : {}),
    dst: m[3],
    ...(m[4] !== undefined ? { dport: Number(m[4]) } : {}),
    ...(q ? { query: { type: q[1], name: q[2] } } : {}),
  };
}

/** One ARP packet of a `tcpdump -e -nn -tt` line. */
export interface ArpLine {
  /** Capture time, ms since the epoch. */
  readonly t: number;
  /** The frame's source MAC. */
  readonly srcMac: string;
  readonly op: 'request' | 'reply';
  /** request: who-has `target` tell `sender`; reply: `target` is-at `mac`. */
  readonly target: string;
  readonly sender?: string;
  readonly mac?: string;
}

/** Parses an ARP line of `tcpdump -e -nn -tt` (`… Request who-has A tell B …` / `… Reply A is-at M …`). */
export function parseArpLine(line: string): ArpLine | undefined {
  const head = /^(\d+\.\d+) ([0-9a-f:]{17}) > [0-9a-f:]{17}, ethertype ARP/.exec(line);
  if (!head) return undefined;
  const t = Math.round(Number(head[1]) * 1000);
  const request = /Request who-has (\S+?)(?: \([^)]*\))? tell (\S+?),/.exec(line);
  if (request) return { t, srcMac: head[2], op: 'request', target: request[1], sender: request[2] };
  const reply = /Reply (\S+) is-at ([0-9a-f:]{17})/.exec(line);
  if (reply) return { t, srcMac: head[2], op: 'reply', target: reply[1], mac: reply[2] };
  return undefined;
}

/** One VRRP transition the notify hook logged: `<ISO time> INSTANCE <name> <state> [<priority>]`. */
export interface VrrpTransition {
  readonly time: string;
  readonly type: string;
  readonly name: string;
  readonly state: string;
  readonly priority?: number;
}

/** The notify hook's log (cloud-init/notify-script.ts), instance transitions only (groups repeat them). */
export function parseNotifyLog(text: string): VrrpTransition[] {
  const out: VrrpTransition[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) (INSTANCE) (\S+) (MASTER|BACKUP|FAULT|STOP)(?: (\d+))?$/.exec(line.trim());
    if (m) out.push({ time: m[1], type: m[2], name: m[3], state: m[4], ...(m[5] !== undefined ? { priority: Number(m[5]) } : {}) });
  }
  return out;
}

/** `virsh -q domiflist <domain>` -> the host-side interface (e.g. vnet3) of the NIC with `mac`. */
export function domIfForMac(text: string, mac: string): string | undefined {
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // Interface Type Source Model MAC
    if (cols.length >= 5 && cols[4].toLowerCase() === mac.toLowerCase()) return cols[0];
  }
  return undefined;
}
