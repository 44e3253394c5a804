import {
  defaultLabConfig,
  LabConfigError,
  labMacAddress,
  resolveLabConfig,
  validateLabConfig,
  type LabConfig,
  type ResolvedLab,
} from '../../lab';

const MAC_PATTERN = /^52:54:00(:[0-9a-f]{2}){3}$/;

describe('resolveLabConfig: the reference topology', () => {
  let lab: ResolvedLab;
  beforeAll(() => {
    lab = resolveLabConfig({});
  });

  test('host, network, image and ssh defaults', () => {
    expect(lab.name).toBe('lvs-lab');
    expect(lab.libvirtUri).toBe('qemu:///system');
    expect(lab.domainType).toBe('kvm');
    expect(lab.storagePoolPath).toBe('/var/lib/libvirt/images/lvs-lab');
    expect(lab.network).toEqual({
      mode: 'nat',
      cidr: '192.168.20.0/24',
      networkAddress: '192.168.20.0',
      prefixLength: 24,
      gateway: '192.168.20.1',
      dns: ['192.168.20.1'],
    });
    expect(lab.image).toEqual({
      source: 'https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2',
      release: 13,
      preinstalled: false,
    });
    expect(lab.ssh).toEqual({ user: 'lab', authorizedKeys: [] });
    expect(lab.notification).toBeUndefined();
  });

  test("VRRP: the reference's VRID 112 and PASS 1111, unicast, 1 s adverts, connection sync", () => {
    expect(lab.vrrp).toEqual({
      virtualRouterId: 112,
      advertIntSec: 1,
      version: 2,
      transport: 'unicast',
      authPass: '1111',
      nopreempt: false,
      connectionSync: true,
      // issue 8's options are off by default: no fast-failover tuning, no director check.
      fastFailover: false,
    });
  });

  test('directors: director-1 .141 priority 180 first, director-2 .142 priority 80', () => {
    expect(lab.directors.map(({ name, domainName, address, priority, vcpu, memoryMiB }) => ({ name, domainName, address, priority, vcpu, memoryMiB }))).toEqual([
      { name: 'director-1', domainName: 'lvs-lab--director-1', address: '192.168.20.141', priority: 180, vcpu: 1, memoryMiB: 512 },
      { name: 'director-2', domainName: 'lvs-lab--director-2', address: '192.168.20.142', priority: 80, vcpu: 1, memoryMiB: 512 },
    ]);
  });

  test('one service: VIP .140:80 TCP wrr, delay_loop 6, TCP check 3/5/3, both real servers', () => {
    expect(lab.services).toEqual([
      {
        vip: '192.168.20.140',
        port: 80,
        ports: [80],
        tlsPorts: [],
        protocol: 'TCP',
        scheduler: 'wrr',
        persistenceTimeoutSec: 0,
        delayLoopSec: 6,
        healthCheck: { type: 'tcp', connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3 },
        sorryServer: false,
        inhibitOnFailure: false,
        realServers: ['rs-1', 'rs-2'],
      },
    ]);
  });

  test('real servers: rs-1 .143 and rs-2 .144, weight 100', () => {
    expect(lab.realServers.map(({ name, address, weight, vcpu, memoryMiB }) => ({ name, address, weight, vcpu, memoryMiB }))).toEqual([
      { name: 'rs-1', address: '192.168.20.143', weight: 100, vcpu: 1, memoryMiB: 512 },
      { name: 'rs-2', address: '192.168.20.144', weight: 100, vcpu: 1, memoryMiB: 512 },
    ]);
  });

  test('every VM has a distinct MAC in the 52:54:00 range', () => {
    const macs = [...lab.directors, ...lab.realServers].map((vm) => vm.macAddress);
    macs.forEach((mac) => expect(mac).toMatch(MAC_PATTERN));
    expect(new Set(macs).size).toBe(4);
  });

  test("the schema's defaults are the literal source of the defaults", () => {
    expect(resolveLabConfig(defaultLabConfig())).toEqual(lab);
  });
});

describe('resolveLabConfig: overrides', () => {
  test('user directors replace the default pair wholesale and are sorted by priority', () => {
    // GIVEN three directors, lowest priority first
    const lab = resolveLabConfig({
      directors: [
        { name: 'lb-c', address: '192.168.20.13', priority: 10 },
        { name: 'lb-a', address: '192.168.20.11', priority: 200 },
        { name: 'lb-b', address: '192.168.20.12', priority: 100 },
      ],
    });
    // THEN only they exist, highest priority first; services and real servers keep their defaults
    expect(lab.directors.map((d) => d.name)).toEqual(['lb-a', 'lb-b', 'lb-c']);
    expect(lab.realServers.map((r) => r.name)).toEqual(['rs-1', 'rs-2']);
    expect(lab.services.map((s) => s.vip)).toEqual(['192.168.20.140']);
  });

  test('user real servers replace the defaults and a service without a list gets all of them', () => {
    const lab = resolveLabConfig({ realServers: [{ name: 'web', address: '192.168.20.150', weight: 7 }] });
    expect(lab.realServers.map(({ name, weight }) => ({ name, weight }))).toEqual([{ name: 'web', weight: 7 }]);
    expect(lab.services[0].realServers).toEqual(['web']);
  });

  test('an http check defaults path / and status 200; a none check carries no timings', () => {
    const lab = resolveLabConfig({
      services: [
        { vip: '192.168.20.140', healthCheck: { type: 'http' } },
        { vip: '192.168.20.140', port: 53, protocol: 'UDP', healthCheck: { type: 'none' } },
      ],
    });
    expect(lab.services[0].healthCheck).toEqual({ type: 'http', connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3, path: '/', statusCode: 200 });
    expect(lab.services[1].healthCheck).toEqual({ type: 'none' });
  });

  test('nat: the gateway is the first host of the cidr and dns is the gateway', () => {
    const lab = resolveLabConfig({
      network: { cidr: '10.1.0.0/16' },
      directors: [
        { name: 'director-1', address: '10.1.0.11', priority: 2 },
        { name: 'director-2', address: '10.1.0.12', priority: 1 },
      ],
      services: [{ vip: '10.1.0.10' }],
      realServers: [{ name: 'rs-1', address: '10.1.0.21' }],
    });
    expect(lab.network).toEqual({ mode: 'nat', cidr: '10.1.0.0/16', networkAddress: '10.1.0.0', prefixLength: 16, gateway: '10.1.0.1', dns: ['10.1.0.1'] });
  });

  test('isolated: no gateway and no dns unless given', () => {
    const lab = resolveLabConfig({ network: { mode: 'isolated' }, image: { preinstalled: true } });
    expect(lab.network.gateway).toBeUndefined();
    expect(lab.network.dns).toEqual([]);
  });

  test('bridge: the given gateway, dns only when given', () => {
    const lab = resolveLabConfig({ network: { mode: 'bridge', bridge: 'br0', gateway: '192.168.20.254' }, image: { preinstalled: true } });
    expect(lab.network).toMatchObject({ mode: 'bridge', bridge: 'br0', gateway: '192.168.20.254', dns: [] });
    const withDns = resolveLabConfig({ network: { mode: 'bridge', bridge: 'br0', dns: ['9.9.9.9'] }, image: { preinstalled: true } });
    expect(withDns.network.dns).toEqual(['9.9.9.9']);
  });

  test('the storage pool path follows the lab name', () => {
    expect(resolveLabConfig({ name: 'lab-b' }).storagePoolPath).toBe('/var/lib/libvirt/images/lab-b');
    expect(resolveLabConfig({ name: 'lab-b', storagePoolPath: '/srv/lab' }).storagePoolPath).toBe('/srv/lab');
  });

  test('VRRPv3 has no authentication: no default authPass', () => {
    const lab = resolveLabConfig({ vrrp: { version: 3, advertIntSec: 0.5 } });
    expect(lab.vrrp).not.toHaveProperty('authPass');
    expect(lab.vrrp.advertIntSec).toBe(0.5);
  });

  test('sizes apply per role', () => {
    const lab = resolveLabConfig({ sizes: { director: { vcpu: 2 }, realServer: { memoryMiB: 1024 } } });
    expect(lab.directors[0]).toMatchObject({ vcpu: 2, memoryMiB: 512 });
    expect(lab.realServers[0]).toMatchObject({ vcpu: 1, memoryMiB: 1024 });
  });

  test('notification gets the default smtp server and timeout', () => {
    const lab = resolveLabConfig({ notification: { email: ['ops@example.com'], from: 'lvs@example.com' } });
    expect(lab.notification).toEqual({ email: ['ops@example.com'], from: 'lvs@example.com', smtpServer: '127.0.0.1', smtpConnectTimeoutSec: 30 });
  });
});

describe('resolveLabConfig: packages', () => {
  test('no packages settings: the image keeps its own sources', () => {
    expect(resolveLabConfig({})).not.toHaveProperty('packages');
  });
  test('a mirror ending in /debian gets the matching /debian-security', () => {
    expect(resolveLabConfig({ packages: { mirror: 'http://m.example/debian/' } }).packages).toEqual({
      mirror: 'http://m.example/debian/',
      securityMirror: 'http://m.example/debian-security',
    });
  });
  test("any other mirror layout gets Debian's own security archive", () => {
    expect(resolveLabConfig({ packages: { mirror: 'http://m.example/repo' } }).packages?.securityMirror).toBe('http://security.debian.org/debian-security');
  });
  test('a proxy alone, and a given security mirror and key, are kept as given', () => {
    expect(resolveLabConfig({ packages: { proxy: 'http://p.example:3142' } }).packages).toEqual({ proxy: 'http://p.example:3142' });
    const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\nabc\n-----END PGP PUBLIC KEY BLOCK-----';
    expect(resolveLabConfig({ packages: { mirror: 'http://a.example/debian', securityMirror: 'http://b.example/s', signingKey: key } }).packages).toEqual({
      mirror: 'http://a.example/debian', securityMirror: 'http://b.example/s', signingKey: key,
    });
  });
});

describe('resolveLabConfig: failures', () => {
  test('fails with a LabConfigError listing every problem on its own line', () => {
    // GIVEN a config with two problems
    const config = { vrrp: { virtualRouterId: 300 }, directors: [{ name: 'director-1', address: '192.168.20.141', priority: 300 }] } as LabConfig;
    // WHEN
    let error: unknown;
    try {
      resolveLabConfig(config);
    } catch (e) {
      error = e;
    }
    // THEN
    expect(error).toBeInstanceOf(LabConfigError);
    const { problems, message } = error as LabConfigError;
    expect(problems.map((p) => p.path)).toEqual(['vrrp.virtualRouterId', 'directors', 'directors[0].priority']);
    expect(message.split('\n')).toEqual([
      'Invalid lab config (3 problems):',
      '  - vrrp.virtualRouterId: got 300, expected an integer 1-255',
      '  - directors: got a list of 1 item, expected at least 2 directors (VRRP failover needs a MASTER and a BACKUP)',
      '  - directors[0].priority: got 300, expected an integer 1-254',
    ]);
  });

  test('fails on raw input that is not a config at all', () => {
    expect(() => resolveLabConfig('lab' as unknown as LabConfig)).toThrow(/\(root\): got "lab", expected a mapping/);
  });
});

describe('labMacAddress', () => {
  test('is deterministic: sha256(<lab>/<vm>) in the 52:54:00 range', () => {
    // 'lvs-lab/director-1' hashes to 2a9d43… (fixed: a change would re-create every VM's NIC)
    expect(labMacAddress('lvs-lab', 'director-1')).toBe('52:54:00:2a:9d:43');
    expect(labMacAddress('lvs-lab', 'director-1')).toBe(labMacAddress('lvs-lab', 'director-1'));
  });

  test('differs by lab name and by VM name', () => {
    expect(labMacAddress('lab-a', 'rs-1')).not.toBe(labMacAddress('lab-b', 'rs-1'));
    expect(labMacAddress('lab-a', 'rs-1')).not.toBe(labMacAddress('lab-a', 'rs-2'));
  });

  test('resolved VMs carry their derived MAC', () => {
    const lab = resolveLabConfig({ name: 'other' });
    expect(lab.realServers[1].macAddress).toBe(labMacAddress('other', 'rs-2'));
  });
});

describe('parseLab', () => {
  test('an invalid config is checked every time (problems are never cached)', () => {
    expect(() => resolveLabConfig({ name: 'Bad' })).toThrow(LabConfigError);
    expect(() => resolveLabConfig({ name: 'Bad' })).toThrow(LabConfigError);
  });
});

describe('image.release: the Debian release the image runs', () => {
  const TRIXIE = 'https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2';
  const BOOKWORM = 'https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2';

  test('by default Debian 13 and its genericcloud image', () => {
    expect(resolveLabConfig({}).image).toEqual({ source: TRIXIE, release: 13, preinstalled: false });
  });

  test('release 12 alone: Debian 12\'s genericcloud image', () => {
    expect(resolveLabConfig({ image: { release: 12 } }).image).toEqual({ source: BOOKWORM, release: 12, preinstalled: false });
  });

  test.each([
    [BOOKWORM, 12],
    [TRIXIE, 13],
    ['http://images.lvs-lab.test/debian-12-lvs-lab-amd64.qcow2', 12],
    ['/var/cache/lvs-dr-lab/image/lvs-lab-debian12-lab-0123456789ab.qcow2', 12],
    ['https://mirror.example/cloud/bookworm/daily/disk.qcow2', 12],
    ['/var/tmp/my-image.qcow2', 13],
  ] as const)('a source without release: %s runs Debian %i', (source, release) => {
    expect(resolveLabConfig({ image: { source } }).image.release).toBe(release);
  });

  test('a release that contradicts the Debian image named is refused, naming both', () => {
    expect(validateLabConfig({ image: { release: 13, source: BOOKWORM } }).map((p) => `${p.rule} ${p.path}`)).toEqual(['image-release image.release']);
    expect(() => resolveLabConfig({ image: { release: 13, source: BOOKWORM } })).toThrow(
      `image.release: got 13, expected 12 (the release image.source names), or leave image.release out; image.source ${BOOKWORM} is Debian 12 (bookworm)`,
    );
  });

  test('release 12 with a source that names none is taken at its word', () => {
    expect(resolveLabConfig({ image: { release: 12, source: '/var/tmp/my-image.qcow2' } }).image).toEqual({ source: '/var/tmp/my-image.qcow2', release: 12, preinstalled: false });
  });

  test('a release the lab does not support is refused by the schema', () => {
    expect(() => resolveLabConfig({ image: { release: 11 as unknown as 12 } })).toThrow(/image\.release.*13 or 12/s);
  });
});
