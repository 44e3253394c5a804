import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderArpSysctl, renderRealServerScript, renderRealServerUnit } from '../../cloud-init';
import { ARP_SYSCTLS } from '../../cloud-init/real-server';
import { NetnsSandbox } from '../helpers/netns';
import { shellcheck } from '../helpers/shellcheck';
import { requireTool } from '../helpers/tools';

const VIPS = ['192.168.20.140', '192.168.20.150'];

describe('renderRealServerScript', () => {
  test('passes shellcheck', () => {
    const result = shellcheck(renderRealServerScript(VIPS));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('uses ip addr on lo, never ifconfig or route', () => {
    const script = renderRealServerScript(VIPS);
    expect(script).toContain('ip addr replace "${vip}/32" dev lo label "lo:${i}"');
    expect(script).not.toMatch(/^[^#]*\b(ifconfig|route add)\b/m);
    expect(script).toContain("readonly VIPS=('192.168.20.140' '192.168.20.150')");
  });
});

describe('real-server script behaviour in a throwaway network namespace', () => {
  let ns: NetnsSandbox;
  let dir: string;
  let script: string;
  const hostSysctls = () => ARP_SYSCTLS.map(({ key }) => fs.readFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8').trim());
  const hostBefore = hostSysctls();

  beforeAll(() => {
    ns = NetnsSandbox.create('rs');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-rs-'));
    script = path.join(dir, 'lvs-real-server');
    fs.writeFileSync(script, renderRealServerScript(VIPS), { mode: 0o755 });
  });

  afterAll(() => {
    ns?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    // THEN the host was never touched
    expect(ns && NetnsSandbox.exists(ns.name)).toBe(false);
    expect(hostSysctls()).toEqual(hostBefore);
  });

  const action = (verb: string) => ns.run(['bash', script, verb]);
  /** `address/prefix label` of every IPv4 address on lo, from `ip -j`. */
  const loAddresses = (): string[] => {
    const [lo] = JSON.parse(ns.run(['ip', '-j', '-4', 'addr', 'show', 'dev', 'lo']).stdout) as {
      addr_info: { local: string; prefixlen: number; label: string }[];
    }[];
    return lo.addr_info.map((a) => `${a.local}/${a.prefixlen} ${a.label}`);
  };
  const sysctls = () => ARP_SYSCTLS.map(({ key }) => `${key}=${ns.run(['sysctl', '-n', key]).stdout.trim()}`);

  // The steps build on each other: a fresh namespace, then start, start again, stop, stop again.
  test('before start: status exits 3 and nothing is bound', () => {
    const status = action('status');
    expect(status.status).toBe(3);
    expect(status.stdout).toContain('VIP 192.168.20.140/32 NOT bound on lo');
    expect(sysctls()).toEqual(ARP_SYSCTLS.map(({ key }) => `${key}=0`));
  });

  test('start binds every VIP as /32 on lo and silences ARP; status exits 0', () => {
    const start = action('start');
    expect(start.output).toBe('lvs-real-server: bound 2 VIP(s) on lo, ARP silenced\n');
    expect(start.status).toBe(0);

    expect(loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.20.140/32 lo:0', '192.168.20.150/32 lo:1']);
    expect(sysctls()).toEqual([
      'net.ipv4.conf.lo.arp_ignore=1',
      'net.ipv4.conf.lo.arp_announce=2',
      'net.ipv4.conf.all.arp_ignore=1',
      'net.ipv4.conf.all.arp_announce=2',
    ]);
    const status = action('status');
    expect(status.status).toBe(0);
    expect(status.stdout).not.toContain('NOT');
  });

  test('start again is harmless', () => {
    const again = action('start');
    expect(again.status).toBe(0);
    expect(loAddresses()).toEqual(['127.0.0.1/8 lo', '192.168.20.140/32 lo:0', '192.168.20.150/32 lo:1']);
    expect(action('status').status).toBe(0);
  });

  test('status exits 3 when one VIP went missing', () => {
    ns.run(['ip', 'addr', 'del', '192.168.20.150/32', 'dev', 'lo']);
    const status = action('status');
    expect(status.status).toBe(3);
    expect(status.stdout).toContain('VIP 192.168.20.150/32 NOT bound on lo');
    expect(action('start').status).toBe(0);
  });

  test('stop removes the VIPs and restores ARP defaults; status exits 3', () => {
    const stop = action('stop');
    expect(stop.output).toBe('lvs-real-server: VIPs removed from lo, ARP defaults restored\n');
    expect(stop.status).toBe(0);

    expect(loAddresses()).toEqual(['127.0.0.1/8 lo']);
    expect(sysctls()).toEqual(ARP_SYSCTLS.map(({ key }) => `${key}=0`));
    const status = action('status');
    expect(status.status).toBe(3);
    expect(status.stdout).toContain('ARP NOT silenced');
  });

  test('stop when not started is harmless', () => {
    const stop = action('stop');
    expect(stop.status).toBe(0);
    expect(loAddresses()).toEqual(['127.0.0.1/8 lo']);
  });

  test('an unknown verb prints usage and exits 2', () => {
    const bad = action('restart');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('{start|stop|status}');
  });
});

describe('renderRealServerUnit', () => {
  test('renders a oneshot unit ordered before nginx', () => {
    expect(renderRealServerUnit('/usr/local/sbin/lvs-real-server')).toBe(`# Managed by lvs-dr-lab.
[Unit]
Description=LVS-DR real server: bind the VIPs on lo and silence ARP for them
Wants=network-online.target
After=network-online.target
Before=nginx.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/lvs-real-server start
ExecStop=/usr/local/sbin/lvs-real-server stop

[Install]
WantedBy=multi-user.target
`);
  });

  test('passes systemd-analyze verify', () => {
    // GIVEN the unit pointing at a real executable (verify checks ExecStart exists)
    requireTool('systemd-analyze', 'systemd');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-unit-'));
    try {
      const scriptPath = path.join(dir, 'lvs-real-server');
      fs.writeFileSync(scriptPath, renderRealServerScript(VIPS), { mode: 0o755 });
      const unit = path.join(dir, 'lvs-real-server.service');
      fs.writeFileSync(unit, renderRealServerUnit(scriptPath));

      // WHEN
      const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });

      // THEN
      expect(`${result.stdout}${result.stderr}`).toBe('');
      expect(result.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderArpSysctl', () => {
  test('persists the four ARP keys', () => {
    const settings = renderArpSysctl()
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(settings).toEqual([
      'net.ipv4.conf.lo.arp_ignore = 1',
      'net.ipv4.conf.lo.arp_announce = 2',
      'net.ipv4.conf.all.arp_ignore = 1',
      'net.ipv4.conf.all.arp_announce = 2',
    ]);
  });

  test('sysctl -p accepts the file (applied inside a throwaway namespace)', () => {
    const ns = NetnsSandbox.create('sc');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-sysctl-'));
    try {
      const file = path.join(dir, '90-lvs-dr-arp.conf');
      fs.writeFileSync(file, renderArpSysctl());
      const result = ns.run(['sysctl', '-p', file]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(ns.run(['sysctl', '-n', 'net.ipv4.conf.all.arp_announce']).stdout.trim()).toBe('2');
    } finally {
      ns.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
