/** Least-connection balancing: concurrent slow downloads, spread as the MASTER's ActiveConn says. */
import type { ResolvedLab, ResolvedService } from '../../lab';
import { ipvsTable, realServerAddress, serviceKey, serviceUrl } from '../../ops/ipvs';
import { expect } from '../context';
import { sleep, type Sandbox } from '../sandbox';

/** Each live server's share of the active connections against its weight (±15 points). */
export function judgeActiveShares(s: ResolvedService, live: readonly { name: string; address: string; address6?: string; weight: number }[], table: ReadonlyMap<string, number>, opened: number, master: string): string {
  const total = live.reduce((a, m) => a + (table.get(realServerAddress(s, m)) ?? 0), 0);
  expect(total >= opened - 1, `only ${total} of ${opened} concurrent connections active on ${master}: ${JSON.stringify([...table])}`);
  const weightSum = live.reduce((a, m) => a + m.weight, 0);
  const lines: string[] = [];
  for (const m of live) {
    const share = (table.get(realServerAddress(s, m)) ?? 0) / total;
    const want = s.scheduler === 'wlc' ? m.weight / weightSum : 1 / live.length;
    lines.push(`${m.name} ${table.get(realServerAddress(s, m)) ?? 0} (${(share * 100).toFixed(0)}%, want ${(want * 100).toFixed(0)}%)`);
    expect(Math.abs(share - want) <= 0.15, `${m.name} holds ${(share * 100).toFixed(0)}% of ${total} active connections, want ${(want * 100).toFixed(0)}% ± 15: ${lines.join(', ')}`);
  }
  return `${total} concurrent connections: ${lines.join(', ')}`;
}

/** Opens concurrent slow downloads through the VIP and compares the MASTER's ActiveConn per server to the weights. */
export async function concurrentShares(sb: Sandbox, lab: ResolvedLab, s: ResolvedService, live: readonly { name: string; address: string; address6?: string; weight: number }[], master: { name: string; address: string }): Promise<string> {
  const n = 8 * live.length;
  const procs: ReturnType<Sandbox['spawnClient']>[] = [];
  try {
    for (let i = 0; i < n; i++) {
      procs.push(sb.spawnClient(['curl', '-s', '--limit-rate', '20k', '--max-time', '90', '-o', '/dev/null', serviceUrl(s, 'big.bin')]));
      await sleep(150);
    }
    await sleep(2000);
    const rows = ipvsTable(sb.ssh(lab.ssh.user, master.address, 'sudo ipvsadm -Ln', 15).stdout).get(serviceKey(s)) ?? [];
    return judgeActiveShares(s, live, new Map(rows.map((r) => [r.address, r.activeConns])), n, master.name);
  } finally {
    for (const p of procs) p.kill();
  }
}
