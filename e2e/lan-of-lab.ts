/** The host LAN a lab's bridge stands for (e2e/lan.ts), made for this run's lab and sandbox. */
import type { RunContext } from './context';
import { ensureLan } from './lan';
import * as path from 'node:path';

/** The lab namespace's end of the link to the internet stand-in (e2e/sandbox.sh). */
const UPLINK_IP = '203.0.113.2';

export function makeLan(ctx: Pick<RunContext, 'settings' | 'lab'>, bridge: string): void {
  const { settings, lab } = ctx;
  ensureLan({ ns: settings.ns, wanNs: settings.wanNs, wanIp: settings.wanIp, uplinkIp: UPLINK_IP, bridge, lab, dnsLog: path.join(settings.logDir, 'lan-dns.log') });
}
