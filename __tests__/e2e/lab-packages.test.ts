import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { labPackages, releasePackageLines } from '../../e2e/lab-packages';
import { resolveLabConfig, type LabConfig } from '../../lab';

const root = path.resolve(__dirname, '../..');

describe('the packages the e2e repository serves: what the labs under test install (e2e/lab-packages.ts)', () => {
  test('the reference lab installs keepalived and ipvsadm on its directors and nginx on its real servers', () => {
    expect(labPackages(resolveLabConfig({}))).toEqual(['ipvsadm', 'keepalived', 'nginx']);
  });

  test('a firewall-mark service with TLS and a sorry server adds nftables and openssl', () => {
    const lab: LabConfig = {
      services: [{ vip: '192.168.20.140', ports: [80, 443], fwmark: 1, tlsPorts: [443], persistenceTimeoutSec: 60, sorryServer: true }],
    };
    expect(labPackages(resolveLabConfig(lab))).toEqual(['ipvsadm', 'keepalived', 'nftables', 'nginx', 'openssl']);
  });

  test('a preinstalled lab counts the packages its image holds', () => {
    expect(labPackages(resolveLabConfig({ image: { source: '/var/lib/images/lab.qcow2', preinstalled: true } }))).toEqual(['ipvsadm', 'keepalived', 'nginx']);
  });

  test('the CLI prints, per Debian release of the labs it is given, the union of their packages: the matrix deploys 13 and 12', () => {
    const out = execFileSync('node', ['-r', 'ts-node/register/transpile-only', 'e2e/lab-packages.ts', 'e2e/lab.yaml', 'e2e/lab-multicast.yaml'], { cwd: root, encoding: 'utf8' });
    expect(out).toBe('13 ipvsadm keepalived nginx\n12 ipvsadm keepalived nftables nginx openssl\n');
  });

  test('labs of one release give one line', () => {
    const labs = [resolveLabConfig({}), resolveLabConfig({ image: { release: 13, source: '/var/lib/images/lab.qcow2', preinstalled: true } })];
    expect(releasePackageLines(labs)).toEqual(['13 ipvsadm keepalived nginx']);
  });
});
