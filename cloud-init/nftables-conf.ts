import type { FirewallMarkRule } from './model';
import { isIpv4 } from './shell';

/** The nftables table holding the lab's rules. */
export const NFTABLES_TABLE = 'lvs_lab';

/**
 * Renders `/etc/nftables.conf` for a director: Debian's nftables.service loads it at boot, so
 * the marks survive a reboot. Each firewall-mark service gets one rule marking the packets to
 * its VIP on its ports; IPVS then balances the mark (`virtual_server fwmark N`), so one service
 * covers several ports and a client's connections to them stay on one real server with
 * persistence.
 */
export function renderNftablesConf(rules: readonly FirewallMarkRule[]): string {
  assertRules(rules);
  return [
    '#!/usr/sbin/nft -f',
    '# Managed by lvs-dr-lab: firewall marks of the LVS firewall-mark services.',
    '# The mark is set before routing (priority mangle), so IPVS sees it on the packet.',
    'flush ruleset',
    '',
    `table ip ${NFTABLES_TABLE} {`,
    '    chain prerouting {',
    '        type filter hook prerouting priority mangle; policy accept;',
    ...rules.map((r) => `        ip daddr ${r.vip} ${r.protocol.toLowerCase()} dport { ${r.ports.join(', ')} } meta mark set ${r.fwmark}`),
    '    }',
    '}',
    '',
  ].join('\n');
}

function assertRules(rules: readonly FirewallMarkRule[]): void {
  const problems: string[] = [];
  rules.forEach((rule, i) => {
    if (!isIpv4(rule.vip)) problems.push(`[${i}].vip: expected an IPv4 address, got '${rule.vip}'`);
    if (rule.ports.length === 0 || rule.ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
      problems.push(`[${i}].ports: expected at least one integer 1-65535, got [${rule.ports.join(', ')}]`);
    }
    if (!Number.isInteger(rule.fwmark) || rule.fwmark < 1 || rule.fwmark > 2147483647) {
      problems.push(`[${i}].fwmark: expected an integer 1-2147483647, got ${rule.fwmark}`);
    }
  });
  if (problems.length > 0) throw new Error(`renderNftablesConf:\n  - ${problems.join('\n  - ')}`);
}
