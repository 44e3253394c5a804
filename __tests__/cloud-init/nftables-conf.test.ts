import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderNftablesConf } from '../../cloud-init';
import { requireRoot, requireTool } from '../helpers/tools';

const WEB = { vip: '192.168.20.140', protocol: 'TCP', ports: [80, 443], fwmark: 1 } as const;
const DNS = { vip: '192.168.20.150', protocol: 'UDP', ports: [53, 5353], fwmark: 2 } as const;

describe('renderNftablesConf', () => {
  test('renders the marks of two firewall-mark services exactly', () => {
    // GIVEN a TCP service over 80 and 443 and a UDP service over 53 and 5353
    const conf = renderNftablesConf([WEB, DNS]);

    // THEN
    expect(conf).toBe(`#!/usr/sbin/nft -f
# Managed by lvs-dr-lab: firewall marks of the LVS firewall-mark services.
# The mark is set before routing (priority mangle), so IPVS sees it on the packet.
flush ruleset

table ip lvs_lab {
    chain prerouting {
        type filter hook prerouting priority mangle; policy accept;
        ip daddr 192.168.20.140 tcp dport { 80, 443 } meta mark set 1
        ip daddr 192.168.20.150 udp dport { 53, 5353 } meta mark set 2
    }
}
`);
  });
});

/** `nft -c -f FILE` in a network namespace of its own: parsed and checked by the kernel, never applied to the host. */
function nftCheck(conf: string): { status: number | null; output: string } {
  requireTool('nft', 'nftables');
  requireTool('unshare', 'util-linux');
  requireRoot('nft -c talks to the kernel in a network namespace of its own');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-nft-'));
  try {
    const file = path.join(dir, 'nftables.conf');
    fs.writeFileSync(file, conf);
    const result = spawnSync('unshare', ['--net', 'nft', '-c', '-f', file], { encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('nft -c accepts the rendered /etc/nftables.conf', () => {
  test('two services, TCP and UDP', () => {
    const result = nftCheck(renderNftablesConf([WEB, DNS]));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('the largest mark and eight ports', () => {
    const result = nftCheck(renderNftablesConf([{ ...WEB, ports: [80, 443, 8080, 8443, 9000, 9001, 9002, 65535], fwmark: 2147483647 }]));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('the checker is not vacuous: an unknown hook is rejected', () => {
    const result = nftCheck(renderNftablesConf([WEB]).replace('hook prerouting', 'hook prerouted'));
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/prerouted/);
  });
});
