/** The MASTER's IPVS table lists every real server of every service with its weight, forwarding by DR. */
import type { ResolvedLab } from '../../lab';
import { hostPort, ipvsComplete, ipvsTable, realServerAddress, serviceKey, type IpvsRealServer } from '../../ops/ipvs';
import { type E2eCheck, expect, waitFor } from '../context';

/** The verdict on a complete table (`ipvsadm -Ln`, parsed): each real server's port, forwarding, weight. */
export function judgeIpvsTable(lab: ResolvedLab, table: ReadonlyMap<string, readonly IpvsRealServer[]>): string {
  const lines: string[] = [];
  for (const s of lab.services) {
    const rows = table.get(serviceKey(s))!;
    for (const name of s.realServers) {
      const rs = lab.realServers.find((r) => r.name === name)!;
      const address = realServerAddress(s, rs);
      const row = rows.find((x) => x.address === address);
      expect(row !== undefined, `${address} missing from ${serviceKey(s)}`);
      // A firewall-mark service's real servers have no port (the client's port is kept).
      const wantPort = s.fwmark !== undefined ? 0 : s.port;
      expect(row!.port === wantPort, `${address} on port ${row!.port}, expected ${wantPort}`);
      expect(row!.forward === 'Route', `${address} forwarded by ${row!.forward}, expected Route (DR)`);
      expect(row!.weight === rs.weight, `${address} weight ${row!.weight}, expected ${rs.weight}`);
      lines.push(`${hostPort(address, row!.port)} Route w${row!.weight}`);
    }
  }
  return lines.join(', ');
}

export const ipvsTableCheck: E2eCheck = {
  id: 'ipvs-table',
  appliesTo: () => true,
  name: () => "the MASTER's IPVS table lists every real server with its weight, forwarding by DR",
  async run({ sb, lab, roles: { master } }) {
    const user = lab.ssh.user;
    const table = await waitFor('a complete IPVS table on the MASTER', 120, () => {
      const t = ipvsTable(sb.ssh(user, master.address, 'sudo ipvsadm -Ln', 15).stdout);
      return ipvsComplete(lab, t) ? t : undefined;
    }, 2000, () => sb.ssh(user, master.address, 'sudo ipvsadm -Ln', 15).stdout);
    return judgeIpvsTable(lab, table);
  },
};
