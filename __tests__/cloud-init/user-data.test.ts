import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  renderArpSysctl,
  renderIpvsSysctl,
  renderKeepalivedConf,
  renderNftablesConf,
  renderNginxSite,
  renderSorrySite,
  renderNotifyScript,
  renderRealServerScript,
  renderRealServerUnit,
} from '../../cloud-init';
import { IPVS_SYSCTL_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from '../../cloud-init/paths';
import { selfSignedCertificate } from '../../cloud-init/user-data';
import { cloudConfigView, cloudInitSchema, runStubbed } from '../helpers/cloud-init';
import { expectRoundTrips, loadWithCloudInit, recordRenders } from '../helpers/round-trip';
import { directorUserData, fwmarkService, MIRROR_SIGNING_KEY, realServerUserData, referenceDirector, service, SSH_USER } from '../helpers/lab-fixtures';
import { shellcheck } from '../helpers/shellcheck';
import { requireTool } from '../helpers/tools';

/** Every document this file renders, read back by cloud-init's loader in the last test. */
const rendered = recordRenders();

interface WriteFile {
  path: string;
  content: string;
  permissions: string;
  owner?: string;
  defer?: boolean;
}

const renders = {
  'director, packages installed by cloud-init': () => rendered.director(directorUserData()),
  'director, preinstalled image': () => rendered.director(directorUserData({ preinstalled: true })),
  'real server, packages installed by cloud-init': () => rendered.realServer(realServerUserData()),
  'real server, preinstalled image': () => rendered.realServer(realServerUserData({ preinstalled: true })),
  'director behind a signed mirror and a proxy': () =>
    rendered.director(directorUserData({ packages: { mirror: 'http://mirror.lab.example/debian', securityMirror: 'http://mirror.lab.example/debian-security', signingKey: MIRROR_SIGNING_KEY, proxy: 'http://proxy.lab.example:3128' } })),
  'real server behind a proxy only': () => rendered.realServer(realServerUserData({ packages: { proxy: 'http://proxy.lab.example:3142' } })),
  'director with firewall marks and a TLS sorry site': () => rendered.director(featuresDirector()),
  'director with firewall marks and a TLS sorry site, preinstalled image': () => rendered.director(featuresDirector({ preinstalled: true })),
  'real server with TLS ports and the ready file': () => rendered.realServer(featuresRealServer()),
};

/** A director of a lab with a firewall-mark service (80, 443) that has a sorry server, TLS on 443. */
function featuresDirector(overrides: Parameters<typeof directorUserData>[0] = {}) {
  return directorUserData({
    keepalived: referenceDirector({ services: [fwmarkService()] }),
    firewallMarks: [{ vip: '192.168.20.140', protocol: 'TCP', ports: [80, 443], fwmark: 7 }],
    sorrySite: { ports: [80, 443], tlsPorts: [443] },
    ...overrides,
  });
}

/** A real server of that lab: HTTPS on 443, and the readiness file. */
function featuresRealServer() {
  return realServerUserData({ webPorts: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP', tls: true }], readyFile: true });
}

const filesOf = (config: Record<string, unknown>) => config.write_files as WriteFile[];
const fileAt = (config: Record<string, unknown>, path: string) => {
  const file = filesOf(config).find((f) => f.path === path);
  if (!file) throw new Error(`no write_files entry for ${path}`);
  return file;
};

describe('cloud-init schema accepts every rendered user-data', () => {
  test.each(Object.entries(renders))('%s', (_name, render) => {
    // GIVEN
    const userData = render();

    // WHEN cloud-init 22.4.2 validates it
    const result = cloudInitSchema(userData);

    // THEN
    expect(userData.split('\n')[0]).toBe('#cloud-config');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`Valid cloud-config: ${result.file}\n`);
    expect(result.status).toBe(0);
  });

  test('the validator is not vacuous: unquoted octal permissions are rejected', () => {
    const broken = rendered.director(directorUserData()).replace('permissions: "0644"', 'permissions: 0644');
    const result = cloudInitSchema(broken);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("permissions: 420 is not of type 'string'");
  });
});

describe('user-data content as cloud-init reads it (PyYAML)', () => {
  test('one login user with keys only: no password anywhere, root and password SSH disabled', () => {
    const { config } = cloudConfigView(rendered.director(directorUserData()));

    expect(config.ssh_pwauth).toBe(false);
    expect(config.disable_root).toBe(true);
    expect(config.users).toEqual([
      { name: 'lab', sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/bash', lock_passwd: true, ssh_authorized_keys: SSH_USER.authorizedKeys },
    ]);
    const keys = JSON.stringify(config).match(/"[a-z_]*pass[a-z_]*"(?=:)/gi);
    expect(keys).toEqual(['"lock_passwd"']);
  });

  test('hostname always, fqdn only when given', () => {
    expect(cloudConfigView(rendered.realServer(realServerUserData())).config).toMatchObject({ hostname: 'rs-1' });
    expect(cloudConfigView(rendered.realServer(realServerUserData())).config).not.toHaveProperty('fqdn');
    const { config } = cloudConfigView(rendered.realServer(realServerUserData({ fqdn: 'rs-1.lab.example' })));
    expect(config).toMatchObject({ hostname: 'rs-1', fqdn: 'rs-1.lab.example' });
  });

  test('packages are installed (with an index update) only when the image lacks them', () => {
    const director = cloudConfigView(rendered.director(directorUserData())).config;
    expect(director).toMatchObject({ package_update: true, packages: ['keepalived', 'ipvsadm'] });
    const realServer = cloudConfigView(rendered.realServer(realServerUserData())).config;
    expect(realServer).toMatchObject({ package_update: true, packages: ['nginx'] });

    for (const userData of [rendered.director(directorUserData({ preinstalled: true })), rendered.realServer(realServerUserData({ preinstalled: true }))]) {
      const { config } = cloudConfigView(userData);
      expect(config).not.toHaveProperty('packages');
      expect(config).not.toHaveProperty('package_update');
    }
  });

  test('Debian 13: a package mirror replaces the image\'s deb822 sources: three suites, binaries only', () => {
    // GIVEN a mirror signed by Debian's own keys
    const packages = { mirror: 'http://mirror.lab.example/debian', securityMirror: 'https://sec.lab.example/debian-security' };

    // WHEN
    const { config } = cloudConfigView(rendered.director(directorUserData({ packages })));

    // THEN cloud-init 25.1 writes the deb822 text to debian.sources (not the image's mirror lists)
    expect(config.apt).toEqual({
      generate_mirrorlists: false,
      preserve_sources_list: false,
      sources_list: [
        'Types: deb',
        'URIs: http://mirror.lab.example/debian',
        'Suites: trixie trixie-updates',
        'Components: main',
        '',
        'Types: deb',
        'URIs: https://sec.lab.example/debian-security',
        'Suites: trixie-security',
        'Components: main',
        '',
      ].join('\n'),
    });
    expect(filesOf(config).map((f) => f.path)).not.toContain('/etc/apt/keyrings/lvs-lab-mirror.asc');
    expect(filesOf(config).map((f) => f.path)).not.toContain('/etc/apt/sources.list.d/debian.sources');
  });

  test('Debian 12: the lab writes the deb822 sources (cloud-init 22.4 writes only sources.list, left with a comment)', () => {
    const packages = { mirror: 'http://mirror.lab.example/debian', securityMirror: 'https://sec.lab.example/debian-security' };

    const { config } = cloudConfigView(rendered.director(directorUserData({ release: 12, packages })));

    expect(config.apt).toEqual({
      generate_mirrorlists: false,
      preserve_sources_list: false,
      sources_list: '# The lab\'s mirror: /etc/apt/sources.list.d/debian.sources\n',
    });
    expect(fileAt(config, '/etc/apt/sources.list.d/debian.sources')).toEqual({
      path: '/etc/apt/sources.list.d/debian.sources',
      content: [
        'Types: deb',
        'URIs: http://mirror.lab.example/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        '',
        'Types: deb',
        'URIs: https://sec.lab.example/debian-security',
        'Suites: bookworm-security',
        'Components: main',
        '',
      ].join('\n'),
      permissions: '0644',
      owner: 'root:root',
    });
  });

  test.each([13, 12] as const)('Debian %i: a signing key is written before apt runs and trusted for the mirror only', (release) => {
    const packages = { mirror: 'http://m.example/debian', securityMirror: 'http://m.example/debian-security', signingKey: MIRROR_SIGNING_KEY };

    const { config } = cloudConfigView(rendered.realServer(realServerUserData({ release, packages })));

    const key = fileAt(config, '/etc/apt/keyrings/lvs-lab-mirror.asc');
    expect(key).toEqual({ path: '/etc/apt/keyrings/lvs-lab-mirror.asc', content: MIRROR_SIGNING_KEY, permissions: '0644', owner: 'root:root' });
    expect(filesOf(config)[0]).toBe(key);
    const sources = release === 13 ? String((config.apt as Record<string, unknown>).sources_list) : String(fileAt(config, '/etc/apt/sources.list.d/debian.sources')?.content);
    const stanzas = sources.trim().split('\n\n');
    expect(stanzas).toHaveLength(2);
    for (const stanza of stanzas) expect(stanza).toMatch(/^Types: deb\nURIs: http:\/\/m\.example\/.*\nSigned-By: \/etc\/apt\/keyrings\/lvs-lab-mirror\.asc$/s);
  });

  test('a proxy alone keeps the image sources and proxies http and https', () => {
    const { config } = cloudConfigView(rendered.director(directorUserData({ packages: { proxy: 'http://proxy.example:3142' } })));

    expect(config.apt).toEqual({ proxy: 'http://proxy.example:3142', https_proxy: 'http://proxy.example:3142' });
  });

  test('no packages settings: no apt section', () => {
    expect(cloudConfigView(rendered.director(directorUserData())).config).not.toHaveProperty('apt');
  });

  test('director files: keepalived.conf (deferred), IPVS modules, notify script, byte for byte', () => {
    const model = directorUserData({
      keepalived: referenceDirector({ services: [service(), service({ port: 8080, scheduler: 'wlc' }), service({ port: 8081, scheduler: 'wrr' })] }),
    });
    const { config } = cloudConfigView(rendered.director(model));

    expect(filesOf(config).map((f) => [f.path, f.permissions, f.owner, f.defer ?? false])).toEqual([
      ['/etc/keepalived/keepalived.conf', '0640', 'root:root', true],
      ['/etc/modules-load.d/lvs-dr-lab.conf', '0644', 'root:root', false],
      ['/usr/local/sbin/lvs-lab-notify', '0755', 'root:root', false],
      // Debian 13 installing at first boot: the package scripts offline for systemd (first-boot-install.ts)
      ['/usr/local/lib/lvs-lab/first-boot-dpkg', '0755', 'root:root', false],
      ['/etc/apt/apt.conf.d/00lvs-lab-first-boot', '0644', 'root:root', false],
    ]);
    expect(fileAt(config, '/etc/keepalived/keepalived.conf').content).toBe(renderKeepalivedConf(model.keepalived));
    expect(fileAt(config, '/etc/modules-load.d/lvs-dr-lab.conf').content).toBe('ip_vs\nip_vs_wrr\nip_vs_wlc\n');
    expect(fileAt(config, '/usr/local/sbin/lvs-lab-notify').content).toBe(renderNotifyScript({ logFile: '/var/log/keepalived-state.log' }));
  });

  test('director without a notify hook gets no notify script', () => {
    const { config } = cloudConfigView(rendered.director(directorUserData({ keepalived: referenceDirector({ notifyScriptPath: undefined }) })));
    expect(filesOf(config).map((f) => f.path)).toEqual([
      '/etc/keepalived/keepalived.conf', '/etc/modules-load.d/lvs-dr-lab.conf', '/usr/local/lib/lvs-lab/first-boot-dpkg', '/etc/apt/apt.conf.d/00lvs-lab-first-boot',
    ]);
  });

  test('real-server files: ARP sysctls, VIP script, unit, nginx site (deferred), byte for byte', () => {
    const model = realServerUserData({
      vips: ['192.168.20.140', '192.168.20.150'],
      webPorts: [{ port: 80, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
      healthPaths: ['/healthz', '/status'],
    });
    const { config } = cloudConfigView(rendered.realServer(model));

    expect(filesOf(config).map((f) => [f.path, f.permissions, f.owner, f.defer ?? false])).toEqual([
      ['/etc/sysctl.d/90-lvs-dr-arp.conf', '0644', 'root:root', false],
      ['/usr/local/sbin/lvs-real-server', '0755', 'root:root', false],
      ['/etc/systemd/system/lvs-real-server.service', '0644', 'root:root', false],
      ['/etc/nginx/sites-available/lvs-lab', '0644', 'root:root', true],
      ['/usr/local/lib/lvs-lab/first-boot-dpkg', '0755', 'root:root', false],
      ['/etc/apt/apt.conf.d/00lvs-lab-first-boot', '0644', 'root:root', false],
    ]);
    expect(fileAt(config, '/etc/sysctl.d/90-lvs-dr-arp.conf').content).toBe(renderArpSysctl());
    expect(fileAt(config, '/usr/local/sbin/lvs-real-server').content).toBe(renderRealServerScript(model.vips));
    expect(fileAt(config, '/etc/systemd/system/lvs-real-server.service').content).toBe(renderRealServerUnit('/usr/local/sbin/lvs-real-server'));
    // nginx serves the TCP ports only
    expect(fileAt(config, '/etc/nginx/sites-available/lvs-lab').content).toBe(
      renderNginxSite({ hostname: 'rs-1', address: '192.168.20.143', ports: [80, 8080], healthPaths: ['/healthz', '/status'] }),
    );
  });

  test('a real server with UDP services only gets no nginx site and never touches nginx', () => {
    const { config, runcmd } = cloudConfigView(rendered.realServer(realServerUserData({ webPorts: [{ port: 53, protocol: 'UDP' }] })));
    expect(filesOf(config).map((f) => f.path)).not.toContain('/etc/nginx/sites-available/lvs-lab');
    expect(runcmd).not.toMatch(/nginx/);
  });
});

describe('director runcmd', () => {
  let runcmd: string;
  beforeAll(() => {
    runcmd = cloudConfigView(rendered.director(directorUserData())).runcmd;
  });

  test('passes shellcheck as the /bin/sh script cloud-init writes', () => {
    const result = shellcheck(runcmd, 'sh');
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('loads IPVS, validates the config, then enables and restarts keepalived', () => {
    // GIVEN stubs that all succeed
    const run = runStubbed(runcmd, { rm: 0, modprobe: 0, keepalived: 0, systemctl: 0 });

    expect(run.calls).toEqual([
      'rm -f /etc/apt/apt.conf.d/00lvs-lab-first-boot /usr/local/lib/lvs-lab/first-boot-dpkg',
      'systemctl daemon-reload',
      'modprobe -a ip_vs ip_vs_wrr',
      'keepalived --config-test -f /etc/keepalived/keepalived.conf',
      'SYSTEMCTL_SKIP_SYSV=1 systemctl enable keepalived.service',
      'systemctl restart keepalived.service',
    ]);
    expect(run.console).toBe('');
    expect(run.status).toBe(0);
  });

  test('a failing config test is shouted on the console and stderr, exits non-zero and keepalived is not started', () => {
    // GIVEN keepalived --config-test fails as 2.2.7 does on a warning
    const run = runStubbed(runcmd, { rm: 0, modprobe: 0, keepalived: 5, systemctl: 0 });

    const banner = '!!!!! lvs-dr-lab: keepalived --config-test FAILED for /etc/keepalived/keepalived.conf: keepalived NOT started !!!!!\n';
    expect(run.console).toBe(banner);
    expect(run.stderr).toBe(banner);
    expect(run.status).toBe(1);
    expect(run.calls.filter((call) => call.startsWith('systemctl'))).toEqual(['systemctl daemon-reload']);
  });
});

describe('real-server runcmd', () => {
  let runcmd: string;
  beforeAll(() => {
    runcmd = cloudConfigView(rendered.realServer(realServerUserData())).runcmd;
  });

  test('passes shellcheck as the /bin/sh script cloud-init writes', () => {
    const result = shellcheck(runcmd, 'sh');
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('starts the VIP unit and checks it before switching nginx to the demo site', () => {
    expect(runcmd).toBe(`#!/bin/sh
'rm' '-f' '/etc/apt/apt.conf.d/00lvs-lab-first-boot' '/usr/local/lib/lvs-lab/first-boot-dpkg'
'systemctl' 'daemon-reload'
'env' 'SYSTEMCTL_SKIP_SYSV=1' 'systemctl' 'enable' 'lvs-real-server.service'
'systemctl' 'restart' 'lvs-real-server.service'
if ! /usr/local/sbin/lvs-real-server status; then
  msg='!!!!! lvs-dr-lab: lvs-real-server status FAILED: VIPs not bound on lo or ARP not silenced !!!!!'
  echo "$msg" >&2
  { echo "$msg" >/dev/console; } 2>/dev/null || true
  exit 1
fi
'mkdir' '-p' '/var/www/lvs-lab'
'ln' '-sfn' '/etc/nginx/sites-available/lvs-lab' '/etc/nginx/sites-enabled/lvs-lab'
'rm' '-f' '/etc/nginx/sites-enabled/default'
if ! nginx -t -q; then
  msg='!!!!! lvs-dr-lab: nginx -t FAILED: the demo web service is NOT started !!!!!'
  echo "$msg" >&2
  { echo "$msg" >/dev/console; } 2>/dev/null || true
  exit 1
fi
'env' 'SYSTEMCTL_SKIP_SYSV=1' 'systemctl' 'enable' 'nginx.service'
'systemctl' 'restart' 'nginx.service'
`);
  });
});

describe('user-data: service options', () => {
  const CERT_ITEM = selfSignedCertificate('director-1');

  test('director files: the nftables ruleset (deferred, after the package) and the sorry site', () => {
    const { config } = cloudConfigView(rendered.director(featuresDirector()));
    expect(fileAt(config, '/etc/nftables.conf')).toEqual({
      path: '/etc/nftables.conf',
      content: renderNftablesConf([{ vip: '192.168.20.140', protocol: 'TCP', ports: [80, 443], fwmark: 7 }]),
      permissions: '0755',
      owner: 'root:root',
      defer: true,
    });
    expect(fileAt(config, '/etc/nginx/sites-available/lvs-lab-sorry')).toEqual({
      path: '/etc/nginx/sites-available/lvs-lab-sorry',
      content: renderSorrySite({ hostname: 'director-1', ports: [80, 443], tlsPorts: [443] }),
      permissions: '0644',
      owner: 'root:root',
      defer: true,
    });
  });

  test('director packages: nftables, and nginx with openssl for a TLS sorry site; none on a preinstalled image', () => {
    expect(cloudConfigView(rendered.director(featuresDirector())).config.packages).toEqual(['keepalived', 'ipvsadm', 'nftables', 'nginx', 'openssl']);
    expect(cloudConfigView(rendered.director(featuresDirector({ sorrySite: { ports: [80], tlsPorts: [] } }))).config.packages)
      .toEqual(['keepalived', 'ipvsadm', 'nftables', 'nginx']);
    expect(cloudConfigView(rendered.director(featuresDirector({ preinstalled: true }))).config).not.toHaveProperty('packages');
  });

  test('director runcmd: nftables and the sorry site are up before keepalived is checked and started', () => {
    const { runcmd } = cloudConfigView(rendered.director(featuresDirector()));

    const run = runStubbed(runcmd, { modprobe: 0, systemctl: 0, openssl: 0, chmod: 0, ln: 0, rm: 0, nginx: 0, keepalived: 0 });

    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      'rm -f /etc/apt/apt.conf.d/00lvs-lab-first-boot /usr/local/lib/lvs-lab/first-boot-dpkg',
      'systemctl daemon-reload',
      'modprobe -a ip_vs ip_vs_wrr',
      'systemctl enable --now nftables.service',
      `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj /CN=director-1 -keyout ${TLS_KEY_PATH} -out ${TLS_CERT_PATH}`,
      `chmod 0600 ${TLS_KEY_PATH}`,
      `chmod 0644 ${TLS_CERT_PATH}`,
      'ln -sfn /etc/nginx/sites-available/lvs-lab-sorry /etc/nginx/sites-enabled/lvs-lab-sorry',
      'rm -f /etc/nginx/sites-enabled/default',
      'nginx -t -q',
      'SYSTEMCTL_SKIP_SYSV=1 systemctl enable nginx.service',
      'systemctl restart nginx.service',
      'keepalived --config-test -f /etc/keepalived/keepalived.conf',
      'SYSTEMCTL_SKIP_SYSV=1 systemctl enable keepalived.service',
      'systemctl restart keepalived.service',
    ]);
  });

  test('director runcmd: a ruleset nftables refuses stops first boot loudly, before keepalived', () => {
    const { runcmd } = cloudConfigView(rendered.director(featuresDirector({ sorrySite: undefined })));

    const run = runStubbed(runcmd, { rm: 0, modprobe: 0, systemctl: 1, keepalived: 0 });

    expect(run.status).toBe(1);
    expect(run.console).toContain('!!!!! lvs-dr-lab: nftables.service FAILED to load /etc/nftables.conf: the firewall-mark services get no packets !!!!!');
    expect(run.calls.some((call) => call.startsWith('keepalived'))).toBe(false);
  });

  test('a persistent service: expire_quiescent_template in sysctl.d, applied right after the IPVS modules load', () => {
    const persistent = featuresDirector({ keepalived: referenceDirector({ services: [fwmarkService({ persistenceTimeoutSec: 300 })] }), sorrySite: undefined });
    const { config, runcmd } = cloudConfigView(rendered.director(persistent));

    expect(fileAt(config, IPVS_SYSCTL_PATH)).toEqual({ path: IPVS_SYSCTL_PATH, content: renderIpvsSysctl(), permissions: '0644', owner: 'root:root' });
    expect(renderIpvsSysctl()).toMatch(/^net\.ipv4\.vs\.expire_quiescent_template = 1$/m);
    expect(renderIpvsSysctl()).toMatch(/^net\.ipv4\.vs\.expire_nodest_conn = 1$/m);
    const run = runStubbed(runcmd, { rm: 0, modprobe: 0, sysctl: 0, systemctl: 0, keepalived: 0 });
    expect(run.status).toBe(0);
    expect(run.calls.slice(2, 4)).toEqual(['modprobe -a ip_vs ip_vs_wrr', `sysctl -q -p ${IPVS_SYSCTL_PATH}`]);
    // without persistence there is no template to expire: no file
    expect(filesOf(cloudConfigView(rendered.director(featuresDirector())).config).map((f) => f.path)).not.toContain(IPVS_SYSCTL_PATH);
  });

  test('a director without firewall marks or sorry site renders exactly as before', () => {
    expect(rendered.director(directorUserData({ firewallMarks: [] }))).toBe(rendered.director(directorUserData()));
  });

  test('real server: the TLS site, the ready file, openssl, and the certificate before nginx -t', () => {
    const { config, runcmd } = cloudConfigView(rendered.realServer(featuresRealServer()));

    expect(fileAt(config, '/etc/nginx/sites-available/lvs-lab').content).toBe(
      renderNginxSite({ hostname: 'rs-1', address: '192.168.20.143', ports: [80, 443], tlsPorts: [443], healthPaths: ['/healthz'] }),
    );
    expect(fileAt(config, '/var/www/lvs-lab/ready')).toEqual({ path: '/var/www/lvs-lab/ready', content: 'ready\n', permissions: '0644', owner: 'root:root' });
    expect(config.packages).toEqual(['nginx', 'openssl']);
    expect(runcmd.indexOf('-subj /CN=rs-1')).toBeGreaterThan(runcmd.indexOf("'mkdir' '-p' '/var/www/lvs-lab'"));
    expect(runcmd.indexOf('-subj /CN=rs-1')).toBeLessThan(runcmd.indexOf('nginx -t -q'));
  });

  test('a real server without the ready file or TLS ports renders none of it', () => {
    const { config, runcmd } = cloudConfigView(rendered.realServer(realServerUserData()));
    expect(filesOf(config).map((f) => f.path)).not.toContain('/var/www/lvs-lab/ready');
    expect(runcmd).not.toMatch(/openssl|ssl/);
  });

  test('the certificate command makes an EC P-256 certificate for the hostname, key mode 0600, once', () => {
    // GIVEN the runcmd item with its paths moved into a scratch directory
    requireTool('openssl', 'openssl');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-cert-'));
    try {
      const cert = path.join(dir, 'lvs-lab.crt');
      const key = path.join(dir, 'lvs-lab.key');
      const item = CERT_ITEM.split(TLS_CERT_PATH).join(cert).split(TLS_KEY_PATH).join(key);

      // WHEN it runs twice, as a re-run of runcmd would
      const first = spawnSync('bash', ['-c', item], { encoding: 'utf8' });
      const before = fs.readFileSync(cert, 'utf8');
      const second = spawnSync('bash', ['-c', item], { encoding: 'utf8' });

      // THEN one certificate for CN=director-1 on a P-256 key, kept by the second run
      expect([first.status, second.status]).toEqual([0, 0]);
      expect(fs.readFileSync(cert, 'utf8')).toBe(before);
      expect(fs.statSync(key).mode & 0o777).toBe(0o600);
      expect(fs.statSync(cert).mode & 0o777).toBe(0o644);
      const text = spawnSync('openssl', ['x509', '-in', cert, '-noout', '-subject', '-text'], { encoding: 'utf8' }).stdout;
      expect(text).toMatch(/subject=CN = director-1/);
      expect(text).toMatch(/NIST CURVE: P-256/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('user-data strings cloud-init reads as line breaks (YAML 1.1) cannot inject cloud-config', () => {
  // Plain YAML text (no ': ', no leading indicator) after a line break PyYAML sees at column 0.
  const injection = (brk: string) => `${brk}bootcmd:${brk}- touch /root/pwned`;
  const key = SSH_USER.authorizedKeys[0];
  const signingKey = (brk: string) => MIRROR_SIGNING_KEY.replace('\n-----END', `${injection(brk)}\n-----END`);
  const mirror = { mirror: 'http://mirror.lab.example/debian', securityMirror: 'http://mirror.lab.example/debian-security' };
  const cases: [string, string, string][] = [
    ['U+2028 (line separator)', 'ssh key comment', '\u2028'],
    ['U+2029 (paragraph separator)', 'ssh key comment', '\u2029'],
    ['U+0085 (next line)', 'ssh key comment', '\u0085'],
    ['a carriage return', 'ssh key comment', '\r'],
    ['U+2028 (line separator)', 'signing key', '\u2028'],
    ['U+0085 (next line)', 'signing key', '\u0085'],
  ];

  test.each(cases)('%s in a %s stays inside it', (_name, where, brk) => {
    // GIVEN a string that holds a line break of YAML 1.1 followed by a top-level key
    const model = where === 'ssh key comment'
      ? directorUserData({ ssh: { ...SSH_USER, authorizedKeys: [`${key} me${injection(brk)}`] } })
      : directorUserData({ packages: { ...mirror, signingKey: signingKey(brk) } });

    // WHEN cloud-init's own YAML loader reads the user-data
    const [loaded] = loadWithCloudInit([rendered.director(model)]);

    // THEN there is no bootcmd, and the string is exactly as given
    expect(loaded).toHaveProperty('value');
    const config = (loaded as { value: Record<string, any> }).value;
    expect(Object.keys(config)).not.toContain('bootcmd');
    if (where === 'ssh key comment') expect(config.users[0].ssh_authorized_keys).toEqual(model.ssh.authorizedKeys);
    else expect(config.write_files[0].content.trimEnd()).toBe(model.packages!.signingKey!.trimEnd());
  });
});

test('every user-data rendered above is read back by cloud-init\'s YAML loader as exactly the object it serializes', () => {
  expectRoundTrips(rendered);
});
