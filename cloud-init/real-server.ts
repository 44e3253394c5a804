import { shellQuote } from './shell';

/**
 * The four ARP sysctls a DR real server needs, in the order they are applied.
 * `all` makes the setting effective on every NIC (the kernel uses max(all, nic));
 * `lo` is set too because that is where the VIPs live.
 */
export const ARP_SYSCTLS: readonly { readonly key: string; readonly value: 1 | 2 }[] = [
  { key: 'net.ipv4.conf.lo.arp_ignore', value: 1 },
  { key: 'net.ipv4.conf.lo.arp_announce', value: 2 },
  { key: 'net.ipv4.conf.all.arp_ignore', value: 1 },
  { key: 'net.ipv4.conf.all.arp_announce', value: 2 },
];

const DR_ARP_EXPLANATION = [
  '# LVS Direct Routing: the director forwards a client packet unchanged except for the',
  '# destination MAC, so it still says "to VIP". A real server accepts it only if it owns',
  '# the VIP, hence each VIP is bound on lo as a /32. But then every real server "has" the',
  '# VIP, and by default Linux answers ARP for any local address on any NIC: clients would',
  '# learn a real server\'s MAC for the VIP and bypass the director. So:',
  '#   arp_ignore=1   answer ARP only for addresses configured on the receiving NIC',
  '#                  (lo never receives ARP requests, so the VIPs are never announced);',
  '#   arp_announce=2 never use a VIP as the source of our own ARP requests.',
];

const IPV6_EXPLANATION = [
  '#',
  '# Dual stack: each IPv6 VIP is bound on lo as a /128 too, and needs no sysctl. Linux answers',
  '# a neighbour solicitation only for an address on the interface that received it (ndisc looks',
  '# the target up on that device alone), so a VIP on lo is never announced on lab0: the IPv6',
  '# form of arp_ignore=1. For its own solicitations it takes a source address of the outgoing',
  '# interface (the IPv6 form of arp_announce=2). `nodad`: usable at once, no duplicate address',
  '# detection wait; `preferred_lft 0` deprecates it, so it is never the source of our own',
  '# connections (replies to clients still come from it: a deprecated address stays valid).',
];


type Ipv6Parts = ReturnType<typeof ipv6Parts>;

/** The IPv6 parts of the script: empty when there is no IPv6 VIP, so an IPv4-only script is as before. */
function ipv6Parts(vips6: readonly string[]) {
  const on = vips6.length > 0;
  const when = (lines: readonly string[]) => (on ? lines : []);
  return {
    explanation: when(IPV6_EXPLANATION),
    declaration: when([`readonly VIPS6=(${vips6.map(shellQuote).join(' ')})`]),
    bound: when(['', 'vip6_bound() {', '    [[ -n "$(ip -6 -o addr show dev lo to "$1/128")" ]]', '}']),
    start: when([
      '    for vip in "${VIPS6[@]}"; do',
      '        ip -6 addr replace "${vip}/128" dev lo nodad preferred_lft 0',
      '    done',
      '    echo "lvs-real-server: bound ${#VIPS6[@]} IPv6 VIP(s) on lo"',
    ]),
    stop: when([
      '    for vip in "${VIPS6[@]}"; do',
      '        if vip6_bound "$vip"; then',
      '            ip -6 addr del "${vip}/128" dev lo',
      '        fi',
      '    done',
    ]),
    status: when([
      '    for vip in "${VIPS6[@]}"; do',
      '        if vip6_bound "$vip"; then',
      '            echo "VIP ${vip}/128 bound on lo"',
      '        else',
      '            echo "VIP ${vip}/128 NOT bound on lo"',
      '            ok=3',
      '        fi',
      '    done',
    ]),
  };
}

/**
 * Renders the real server's VIP script (bash): `start` binds every VIP on `lo` as /32 and
 * silences ARP for it, `stop` undoes both, `status` exits 0 when everything is in place
 * and 3 otherwise. `start` and `stop` are idempotent. IPv6 VIPs (dual stack) are bound as /128.
 */
export function renderRealServerScript(vips: readonly string[], vips6: readonly string[] = []): string {
  const v6 = ipv6Parts(vips6);
  const sysctlArgs = (which: 'on' | 'off') =>
    ARP_SYSCTLS.map(({ key, value }) => `"${key}=${which === 'on' ? value : 0}"`).join(' \\\n        ');

  return [
    '#!/bin/bash',
    '# Managed by lvs-dr-lab: LVS-DR real server VIP and ARP setup.',
    '# Usage: lvs-real-server start|stop|status',
    '#',
    ...DR_ARP_EXPLANATION,
    '# (The old `ifconfig lo:0` + `route add -host` recipe is not needed: a /32 on lo',
    '# already gets its local route.)',
    ...v6.explanation,
    'set -euo pipefail',
    '',
    `readonly VIPS=(${vips.map(shellQuote).join(' ')})`,
    ...v6.declaration,
    '',
    'vip_bound() {',
    '    [[ -n "$(ip -4 -o addr show dev lo to "$1/32")" ]]',
    '}',
    ...v6.bound,
    '',
    'arp_silenced() {',
    ...ARP_SYSCTLS.map(({ key, value }) => `    [[ "$(sysctl -n ${key})" == ${value} ]] || return 1`),
    '}',
    '',
    ...startAndStop(sysctlArgs, v6),
    ...statusAndDispatch(v6),
  ].join('\n');
}

/**
 * Renders the systemd unit that runs the real-server script once at boot and undoes it on
 * stop. It is ordered before nginx so the web service never answers without the VIPs.
 */
export function renderRealServerUnit(scriptPath: string): string {
  return [
    '# Managed by lvs-dr-lab.',
    '[Unit]',
    'Description=LVS-DR real server: bind the VIPs on lo and silence ARP for them',
    'Wants=network-online.target',
    'After=network-online.target',
    'Before=nginx.service',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${scriptPath} start`,
    `ExecStop=${scriptPath} stop`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** Renders the sysctl.d file that persists the DR ARP settings across reboots. */
export function renderArpSysctl(): string {
  return [
    '# Managed by lvs-dr-lab.',
    ...DR_ARP_EXPLANATION,
    ...ARP_SYSCTLS.map(({ key, value }) => `${key} = ${value}`),
    '',
  ].join('\n');
}

/** The script's `start` and `stop` functions. */
function startAndStop(sysctlArgs: (which: 'on' | 'off') => string, v6: Ipv6Parts): string[] {
  return [
    'start() {',
    '    # Silence ARP first: never own a VIP while still answering ARP for it.',
    '    sysctl -q -w \\',
    `        ${sysctlArgs('on')}`,
    '    local i=0 vip',
    '    for vip in "${VIPS[@]}"; do',
    '        # `replace` is idempotent: a second start leaves the address as it is.',
    '        ip addr replace "${vip}/32" dev lo label "lo:${i}"',
    '        i=$((i + 1))',
    '    done',
    '    echo "lvs-real-server: bound ${#VIPS[@]} VIP(s) on lo, ARP silenced"',
    ...v6.start,
    '}',
    '',
    'stop() {',
    '    local vip',
    '    for vip in "${VIPS[@]}"; do',
    '        if vip_bound "$vip"; then',
    '            ip addr del "${vip}/32" dev lo',
    '        fi',
    '    done',
    ...v6.stop,
    '    sysctl -q -w \\',
    `        ${sysctlArgs('off')}`,
    '    echo "lvs-real-server: VIPs removed from lo, ARP defaults restored"',
    '}',
    '',
  ];
}

/** The script's `status` function and its command dispatch. */
function statusAndDispatch(v6: Ipv6Parts): string[] {
  return [
    'status() {',
    '    local ok=0 vip',
    '    for vip in "${VIPS[@]}"; do',
    '        if vip_bound "$vip"; then',
    '            echo "VIP ${vip}/32 bound on lo"',
    '        else',
    '            echo "VIP ${vip}/32 NOT bound on lo"',
    '            ok=3',
    '        fi',
    '    done',
    ...v6.status,
    '    if arp_silenced; then',
    '        echo "ARP silenced (arp_ignore=1, arp_announce=2 on lo and all)"',
    '    else',
    '        echo "ARP NOT silenced"',
    '        ok=3',
    '    fi',
    '    return "$ok"',
    '}',
    '',
    'case "${1:-}" in',
    '    start) start ;;',
    '    stop) stop ;;',
    '    status) status ;;',
    '    *)',
    '        echo "Usage: $0 {start|stop|status}" >&2',
    '        exit 2',
    '        ;;',
    'esac',
    '',
  ];
}
