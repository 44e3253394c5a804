import type { FirewallMarkRule } from './model';

/** The nftables table holding the lab's rules. */
export const NFTABLES_TABLE = 'lvs_lab';

/**
 * Renders `/etc/nftables.conf` for a director: Debian's nftables.service loads it at boot, so
 * the marks survive a reboot. Each firewall-mark service gets one rule marking the packets to
 * its VIP on its ports; IPVS then balances the mark (`virtual_server fwmark N`), so one service
 * covers several ports and a client's connections to them stay on one real server with
 * persistence. The rules are trusted: the lab schema bounds each mark (`MAX_FWMARK`), VIP and port.
 */
export function renderNftablesConf(rules: readonly FirewallMarkRule[]): string {
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
