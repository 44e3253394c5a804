import * as path from 'node:path';
import { labMacAddress, loadLabConfig, type LabConfig, type LabDirectorConfig, type LabRealServerConfig } from '../../lab';
import { MIRROR_SIGNING_KEY } from '../helpers/lab-fixtures';
import { describeValue, isOpenSshPublicKey, parseCidr, parseIpv4, validateLabConfig } from '../../lab';

/**
 * THEN validating `config` yields exactly one problem (unless `others` allows more), at `path`,
 * found by the rule `rule`. Messages are not asserted: their wording may change, ids and paths not.
 */
function expectProblem(config: unknown, path: string, rule: string, others = 0): void {
  const problems = validateLabConfig(config);
  expect(problems.filter((p) => p.path === path).map((p) => p.rule)).toEqual([rule]);
  expect(problems.map((p) => `${p.rule} ${p.path}`)).toHaveLength(1 + others);
}

const DIRECTORS: LabDirectorConfig[] = [
  { name: 'director-1', address: '192.168.20.141', priority: 180 },
  { name: 'director-2', address: '192.168.20.142', priority: 80 },
];
const REAL_SERVERS: LabRealServerConfig[] = [
  { name: 'rs-1', address: '192.168.20.143' },
  { name: 'rs-2', address: '192.168.20.144' },
];
const withDirector = (patch: Partial<LabDirectorConfig>): LabConfig => ({ directors: [DIRECTORS[0], { ...DIRECTORS[1], ...patch }] });
const withRealServer = (patch: Record<string, unknown>): unknown => ({ realServers: [REAL_SERVERS[0], { ...REAL_SERVERS[1], ...patch }] });
const withService = (patch: Record<string, unknown>): unknown => ({ services: [{ vip: '192.168.20.140', ...patch }] });
const withCheck = (check: Record<string, unknown>): unknown => withService({ healthCheck: check });

/** A syntactically real OpenSSH ed25519 public key line. */
function ed25519Key(comment = 'me@laptop'): string {
  const u32 = (n: number) => Buffer.from([0, 0, 0, n]);
  const blob = Buffer.concat([u32(11), Buffer.from('ssh-ed25519'), u32(32), Buffer.alloc(32, 7)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

describe('validateLabConfig: valid configs', () => {
  test('the defaults ({}) are valid', () => {
    expect(validateLabConfig({})).toEqual([]);
  });

  test('a full custom config is valid', () => {
    // GIVEN three directors, two services (one http-checked, one UDP), VRRPv3 sub-second adverts, a bridge
    const config: LabConfig = {
      name: 'lab2',
      libvirtUri: 'qemu+ssh://root@kvm-host/system',
      domainType: 'qemu',
      storagePoolPath: '/srv/pools/lab2',
      network: { mode: 'bridge', bridge: 'br-lab.10', cidr: '10.10.0.0/16', gateway: '10.10.0.254', dns: ['1.1.1.1'] },
      image: { source: '/var/tmp/debian.qcow2', preinstalled: true },
      ssh: { user: 'ops_user', authorizedKeys: [ed25519Key()] },
      vrrp: { virtualRouterId: 1, advertIntSec: 0.25, version: 3, transport: 'multicast', nopreempt: true, connectionSync: false },
      directors: [
        { name: 'd1', address: '10.10.1.1', priority: 254 },
        { name: 'd2', address: '10.10.1.2', priority: 1 },
        { name: 'd3', address: '10.10.1.3', priority: 100 },
      ],
      services: [
        { vip: '10.10.2.1', port: 8080, scheduler: 'lc', persistenceTimeoutSec: 300, delayLoopSec: 1,
          healthCheck: { type: 'http', path: '/healthz', statusCode: 200, retry: 0 }, realServers: ['web-a', 'web-b'] },
        { vip: '10.10.2.1', port: 53, protocol: 'UDP', healthCheck: { type: 'none' }, realServers: ['web-b'] },
      ],
      realServers: [
        { name: 'web-a', address: '10.10.3.1', weight: 0, port: 8080 },
        { name: 'web-b', address: '10.10.3.2', weight: 65535 },
      ],
      sizes: { director: { vcpu: 64, memoryMiB: 256 }, realServer: { vcpu: 2, memoryMiB: 2048 } },
      notification: { email: ['ops@example.com'], from: 'keepalived@lab.example.com', smtpServer: '192.0.2.25', smtpConnectTimeoutSec: 5 },
    };
    // WHEN / THEN
    expect(validateLabConfig(config)).toEqual([]);
  });

  test('retry 0 is accepted (keepalived fails the server on the first miss)', () => {
    expect(validateLabConfig(withCheck({ retry: 0 }))).toEqual([]);
  });
});

describe('validateLabConfig: every problem at once', () => {
  test('reports all problems of a config, not just the first', () => {
    // GIVEN a config with problems in five sections
    const config = {
      name: 'Lab',
      vrrp: { virtualRouterId: 300, authPass: 'far-too-long' },
      directors: [{ name: 'director-1', address: '192.168.20.141', priority: 300 }],
      services: [{ vip: '10.0.0.1', scheduler: 'round-robin' }],
      sizes: { director: { vcpu: 'two' } },
    };
    // WHEN
    const problems = validateLabConfig(config);
    // THEN
    // (field problems in the order written, then the cross-field rules)
    expect(problems.map((p) => `${p.rule} ${p.path}`)).toEqual([
      'format name',
      'range vrrp.virtualRouterId',
      'format vrrp.authPass',
      'count directors',
      'range directors[0].priority',
      'one-of services[0].scheduler',
      'type sizes.director.vcpu',
      'address-in-subnet services[0].vip',
    ]);
    // AND each problem carries the value and what is allowed, and a message naming both
    expect(problems[1]).toEqual({
      rule: 'range',
      path: 'vrrp.virtualRouterId',
      value: 300,
      allowed: 'an integer 1-255',
      message: 'vrrp.virtualRouterId: got 300, expected an integer 1-255',
    });
  });

  test('odd input gets messages, not crashes', () => {
    for (const config of [null, 42, 'lab', [], { directors: [null, 7, 'x'] }, { network: { dns: 'x' } }, { services: [{ healthCheck: [] }] }]) {
      expect(validateLabConfig(config).length).toBeGreaterThan(0);
    }
  });
});

describe('validateLabConfig: structure and types', () => {
  test('fails when the config is not a mapping', () => expectProblem([1, 2], '(root)', 'type'));
  test('fails when a top-level key is unknown (typo)', () => expectProblem({ nmae: 'x' }, 'nmae', 'unknown-key'));
  test('fails when a top-level typo suggests the right key', () => expectProblem({ realservers: [] }, 'realservers', 'unknown-key'));
  test('fails when a nested key is unknown', () =>
    expectProblem({ vrrp: { virtualRouterID: 3 } }, 'vrrp.virtualRouterID', 'unknown-key'));
  test('fails when a key of a list entry is unknown', () => expectProblem(withRealServer({ wieght: 5 }), 'realServers[1].wieght', 'unknown-key'));
  test('fails when a key of a health check is unknown', () => expectProblem(withCheck({ timeout: 5 }), 'services[0].healthCheck.timeout', 'unknown-key'));
  test('fails when a section is not a mapping', () => expectProblem({ vrrp: 'yes' }, 'vrrp', 'type'));
  test('fails when a list is not a list', () => expectProblem({ directors: 'director-1' }, 'directors', 'type'));
  test('fails when a list entry is not a mapping', () =>
    expectProblem({ realServers: [REAL_SERVERS[0], 'rs-2'] }, 'realServers[1]', 'type'));
  test('fails when a list of strings is not a list', () => expectProblem({ network: { dns: '1.1.1.1' } }, 'network.dns', 'type'));
  test('fails when a number is given as a string', () => expectProblem(withDirector({ priority: '80' as never }), 'directors[1].priority', 'type'));
  test('fails when a value is null', () => expectProblem({ vrrp: { advertIntSec: null } }, 'vrrp.advertIntSec', 'type'));
  test('fails when a required field is missing', () => expectProblem({ directors: [DIRECTORS[0], { name: 'director-2', address: '192.168.20.142' }] }, 'directors[1].priority', 'required'));
});

describe('validateLabConfig: names', () => {
  test('fails when the lab name has uppercase letters', () => expectProblem({ name: 'LvsLab' }, 'name', 'format'));
  test('fails when the lab name ends with a hyphen', () => expectProblem({ name: 'lab-' }, 'name', 'format'));
  test('fails when the lab name is too long', () => expectProblem({ name: `l${'a'.repeat(61)}` }, 'name', 'length'));
  test('fails when the lab name is 61 characters (a VM\'s domain name <lab>--<vm> would be over 63)', () =>
    expectProblem({ name: `l${'a'.repeat(60)}` }, 'name', 'length'));
  test('fails when the lab name has "--" (it joins lab and VM names in libvirt names)', () => expectProblem({ name: 'lvs--lab' }, 'name', 'format'));
  test('fails when a VM name has "--"', () => expectProblem(withRealServer({ name: 'rs--2' }), 'realServers[1].name', 'format'));
  test('fails when a VM name has invalid characters', () => expectProblem(withDirector({ name: 'director_2' }), 'directors[1].name', 'format'));
  test('fails when a VM name starts with a digit', () => expectProblem(withRealServer({ name: '2nd' }), 'realServers[1].name', 'format'));
  test('fails when <lab>--<vm> (the libvirt domain name) exceeds 63 characters', () =>
    expectProblem(withDirector({ name: `d${'x'.repeat(55)}` }), 'directors[1].name', 'vm-name-length'));
  test('fails when two VMs share a name', () => expectProblem(withDirector({ name: 'director-1' }), 'directors[1].name', 'unique-names'));
  test('fails when a director is also listed as a real server (same name)', () =>
    expectProblem(withRealServer({ name: 'director-1' }), 'realServers[1].name', 'unique-names'));
});

describe('validateLabConfig: network', () => {
  /** Nothing installed at first boot: these labs need no way to a mirror (see issue 12 below). */
  const PREINSTALLED = { preinstalled: true };
  test('fails when the network mode is unknown', () => expectProblem({ network: { mode: 'routed' } }, 'network.mode', 'one-of'));
  test('fails when bridge mode has no bridge name', () =>
    expectProblem({ network: { mode: 'bridge' }, image: PREINSTALLED }, 'network.bridge', 'bridge-required'));
  test('fails when a bridge name is over 15 characters', () =>
    expectProblem({ network: { mode: 'bridge', bridge: 'br-very-long-name' }, image: PREINSTALLED }, 'network.bridge', 'format'));
  test('fails when a bridge name has invalid characters', () =>
    expectProblem({ network: { mode: 'bridge', bridge: 'br lab' }, image: PREINSTALLED }, 'network.bridge', 'format'));
  test('fails when the cidr is malformed', () => expectProblem({ network: { cidr: '192.168.20/24' } }, 'network.cidr', 'format'));
  test('fails when the cidr prefix is 31', () => expectProblem({ network: { cidr: '192.168.20.0/31' } }, 'network.cidr', 'format'));
  test('fails when the cidr prefix is 0', () => expectProblem({ network: { cidr: '0.0.0.0/0' } }, 'network.cidr', 'format'));
  test('fails when the cidr has host bits set, and says the fix', () =>
    expectProblem({ network: { cidr: '192.168.20.1/24' } }, 'network.cidr', 'cidr'));
  test('fails when the gateway is malformed', () => expectProblem({ network: { gateway: '192.168.20.256' } }, 'network.gateway', 'format'));
  test('fails when the gateway has leading zeros', () => expectProblem({ network: { gateway: '192.168.020.1' } }, 'network.gateway', 'format'));
  test('fails when the gateway is outside the subnet', () =>
    expectProblem({ network: { mode: 'isolated', gateway: '192.168.21.1' }, image: PREINSTALLED }, 'network.gateway', 'address-in-subnet'));
  test('fails when the gateway is the network address', () =>
    expectProblem({ network: { mode: 'isolated', gateway: '192.168.20.0' }, image: PREINSTALLED }, 'network.gateway', 'address-in-subnet'));
  test('fails when a nat gateway is not the first host', () =>
    expectProblem({ network: { gateway: '192.168.20.254' } }, 'network.gateway', 'nat-gateway'));
  test('fails when a dns server is malformed', () => expectProblem({ network: { dns: ['1.1.1.1', 'dns.google'] } }, 'network.dns[1]', 'format'));
});

describe('validateLabConfig: addresses', () => {
  test('fails when a node address is malformed', () => expectProblem(withDirector({ address: '192.168.20' }), 'directors[1].address', 'format'));
  test('fails when a node address is outside the subnet', () =>
    expectProblem(withRealServer({ address: '10.0.0.5' }), 'realServers[1].address', 'address-in-subnet'));
  test('fails when a node address is the broadcast address', () =>
    expectProblem(withRealServer({ address: '192.168.20.255' }), 'realServers[1].address', 'address-in-subnet'));
  test('fails when a VIP is outside the subnet (DR needs one L2 segment)', () =>
    expectProblem(withService({ vip: '10.0.0.1' }), 'services[0].vip', 'address-in-subnet'));
  test('fails when a VIP is the network address', () => expectProblem(withService({ vip: '192.168.20.0' }), 'services[0].vip', 'address-in-subnet'));
  test('fails when the default nodes fall outside a changed cidr, with a hint', () =>
    expectProblem({ network: { cidr: '10.0.0.0/24' } }, 'directors[0].address', 'address-in-subnet', 4));
  test('fails when two nodes share an address', () =>
    expectProblem(withDirector({ address: '192.168.20.141' }), 'directors[1].address', 'unique-addresses'));
  test('fails when a node takes the nat gateway address', () =>
    expectProblem(withDirector({ address: '192.168.20.1' }), 'directors[1].address', 'unique-addresses'));
  test('fails when a director is also listed as a real server (same address)', () =>
    expectProblem(withRealServer({ address: '192.168.20.142' }), 'realServers[1].address', 'unique-addresses'));
  test('fails when a VIP equals a node address', () =>
    expectProblem(withService({ vip: '192.168.20.143' }), 'services[0].vip', 'unique-addresses'));
  test('fails when a VIP equals the gateway', () => expectProblem(withService({ vip: '192.168.20.1' }), 'services[0].vip', 'unique-addresses'));
});

describe('validateLabConfig: directors and VRRP', () => {
  test('fails when there is only one director', () => expectProblem({ directors: [DIRECTORS[0]] }, 'directors', 'count'));
  test('fails when two directors share a priority', () =>
    expectProblem(withDirector({ priority: 180 }), 'directors[1].priority', 'unique-priority'));
  test('fails when a priority is above 254', () => expectProblem(withDirector({ priority: 300 }), 'directors[1].priority', 'range'));
  test('fails when a priority is 255 (reserved for the address owner)', () => expectProblem(withDirector({ priority: 255 }), 'directors[1].priority', 'range'));
  test('fails when a priority is 0', () => expectProblem(withDirector({ priority: 0 }), 'directors[1].priority', 'range'));
  test('fails when a priority is not an integer', () => expectProblem(withDirector({ priority: 80.5 }), 'directors[1].priority', 'range'));
  test('fails when the virtual router id is above 255', () => expectProblem({ vrrp: { virtualRouterId: 300 } }, 'vrrp.virtualRouterId', 'range'));
  test('fails when the virtual router id is 0', () => expectProblem({ vrrp: { virtualRouterId: 0 } }, 'vrrp.virtualRouterId', 'range'));
  test('fails when the advert interval is 0', () => expectProblem({ vrrp: { advertIntSec: 0 } }, 'vrrp.advertIntSec', 'range'));
  test('fails when the advert interval is above 255', () => expectProblem({ vrrp: { advertIntSec: 256 } }, 'vrrp.advertIntSec', 'range'));
  test('fails when the advert interval is fractional with VRRP version 2', () =>
    expectProblem({ vrrp: { advertIntSec: 0.5 } }, 'vrrp.advertIntSec', 'advert-interval'));
  test('fails when a VRRPv3 advert interval is not in 0.01 steps', () =>
    expectProblem({ vrrp: { version: 3, advertIntSec: 0.005 } }, 'vrrp.advertIntSec', 'advert-interval'));
  test('fails when a VRRPv3 advert interval is above 40.95', () =>
    expectProblem({ vrrp: { version: 3, advertIntSec: 41 } }, 'vrrp.advertIntSec', 'advert-interval'));
  test('accepts a VRRPv3 advert interval in 0.01 steps', () => expect(validateLabConfig({ vrrp: { version: 3, advertIntSec: 0.35 } })).toEqual([]));
  test('fails when the VRRP version is not 2 or 3', () => expectProblem({ vrrp: { version: 4 } }, 'vrrp.version', 'one-of'));
  test('fails when the transport is unknown', () => expectProblem({ vrrp: { transport: 'broadcast' } }, 'vrrp.transport', 'one-of'));
  test('fails when authPass is over 8 characters', () => expectProblem({ vrrp: { authPass: '123456789' } }, 'vrrp.authPass', 'format'));
  test('fails when authPass is empty', () => expectProblem({ vrrp: { authPass: '' } }, 'vrrp.authPass', 'format'));
  test('fails when authPass contains whitespace', () => expectProblem({ vrrp: { authPass: 'a b' } }, 'vrrp.authPass', 'format'));
  test('fails when authPass contains a double quote', () => expectProblem({ vrrp: { authPass: 'a"b' } }, 'vrrp.authPass', 'format'));
  test('fails when authPass is not ASCII', () => expectProblem({ vrrp: { authPass: 'pässwd' } }, 'vrrp.authPass', 'format'));
  test('fails when authPass is set with VRRP version 3', () =>
    expectProblem({ vrrp: { version: 3, authPass: 'secret' } }, 'vrrp.authPass', 'auth-pass-version'));
  test('fails when nopreempt is not a boolean', () => expectProblem({ vrrp: { nopreempt: 'yes' } }, 'vrrp.nopreempt', 'type'));
  test('fails when connectionSync is not a boolean', () => expectProblem({ vrrp: { connectionSync: 1 } }, 'vrrp.connectionSync', 'type'));
});

describe('validateLabConfig: fast failover and the director check (issue 8)', () => {
  const FAST_DIRECTORS: LabDirectorConfig[] = [
    { name: 'director-1', address: '192.168.20.141', priority: 250 },
    { name: 'director-2', address: '192.168.20.142', priority: 240 },
  ];
  const fast = (vrrp: Record<string, unknown> = {}, directors: unknown = FAST_DIRECTORS): unknown => ({
    vrrp: { fastFailover: true, version: 3, advertIntSec: 0.2, ...vrrp },
    directors,
  });
  const check = (trackScript: Record<string, unknown>, directors: unknown = FAST_DIRECTORS): unknown => ({
    vrrp: { trackScript: { command: ['/usr/bin/ping', '-c', '1', '192.168.20.1'], ...trackScript } },
    directors,
  });

  test('accepts fast failover whose every BACKUP takes over within 1 s: adverts of 0.1-0.2 s at any priority, 0.25 s from priority 205, 0.26 s from 237', () => {
    for (const advertIntSec of [0.1, 0.2]) {
      expect(validateLabConfig(fast({ advertIntSec }, [{ ...FAST_DIRECTORS[0], priority: 2 }, { ...FAST_DIRECTORS[1], priority: 1 }]))).toEqual([]);
    }
    expect(validateLabConfig(fast({ advertIntSec: 0.25 }, [FAST_DIRECTORS[0], { ...FAST_DIRECTORS[1], priority: 205 }]))).toEqual([]);
    expect(validateLabConfig(fast({ advertIntSec: 0.26 }, [FAST_DIRECTORS[0], { ...FAST_DIRECTORS[1], priority: 237 }]))).toEqual([]);
  });

  test('accepts e2e/lab-multicast.yaml (0.2 s adverts, 250/240: 0.61 s + 0.2 s margin; the e2e measured 0.70 s)', () => {
    expect(validateLabConfig(loadLabConfig(path.join(__dirname, '../../e2e/lab-multicast.yaml')))).toEqual([]);
  });

  test('fails the lab whose BACKUP took over 0.966 s after the last advert (unicast VRRPv3, 0.3 s adverts, 230/200: a 1.00 s gap)', () => {
    // 3 × 0.3 + 56/256 × 0.3 = 0.966 s, + 0.2 s margin: over 1 s whatever the priorities
    const config = fast({ advertIntSec: 0.3, transport: 'unicast' }, [{ ...FAST_DIRECTORS[0], priority: 230 }, { ...FAST_DIRECTORS[1], priority: 200 }]);
    expect(validateLabConfig(config).map((p) => p.message)).toEqual([
      'vrrp.advertIntSec: got 0.3, expected 0.1-0.26 seconds with vrrp.fastFailover; vrrp.fastFailover is true, which needs every director, as a BACKUP, ' +
        "to take over within 1 s of the MASTER's last advert: 3 × advertIntSec + (256 - priority) / 256 × advertIntSec (RFC 5798's master-down interval) + 0.2 s " +
        "(the new MASTER's gratuitous ARPs and the client's retry); at advertIntSec 0.3 even priority 254 takes 1.102 s (0.2 s adverts take over in 0.61 s at priority 240)",
    ]);
    expectProblem(config, 'vrrp.advertIntSec', 'fast-failover');
  });

  test('fails each director too slow as a BACKUP, naming the lowest priority that keeps the bound', () => {
    // 0.25 s adverts: 0.75 s + (256 - 200) / 256 × 0.25 s = 0.805 s, + 0.2 s = 1.005 s
    const config = fast({ advertIntSec: 0.25 }, [FAST_DIRECTORS[0], { ...FAST_DIRECTORS[1], priority: 200 }]);
    expect(validateLabConfig(config).filter((p) => p.path === 'directors[1].priority').map((p) => p.message)).toEqual([
      'directors[1].priority: got 200, expected a priority of at least 205 at advertIntSec 0.25 with vrrp.fastFailover (or shorter adverts); ' +
        'vrrp.fastFailover is true, which needs every director, as a BACKUP, to take over within 1 s of the MASTER\'s last advert: 3 × advertIntSec + ' +
        "(256 - priority) / 256 × advertIntSec (RFC 5798's master-down interval) + 0.2 s (the new MASTER's gratuitous ARPs and the client's retry); " +
        'as a BACKUP this director takes 1.005 s',
    ]);
    expectProblem(config, 'directors[1].priority', 'fast-failover');
  });

  test('fails when fast failover runs on VRRPv2', () => {
    // the fractional interval is refused by version 2 as well
    expectProblem(fast({ version: 2 }), 'vrrp.version', 'fast-failover', 1);
  });
  test('fails when the fast-failover advert interval is below 0.1 s', () => expectProblem(fast({ advertIntSec: 0.05 }), 'vrrp.advertIntSec', 'fast-failover'));
  test('fails when the fast-failover advert interval is 0.27 s or more (no priority keeps the bound)', () => {
    expectProblem(fast({ advertIntSec: 0.27 }, [{ ...FAST_DIRECTORS[0], priority: 254 }, { ...FAST_DIRECTORS[1], priority: 253 }]), 'vrrp.advertIntSec', 'fast-failover');
    expectProblem(fast({ advertIntSec: 0.5 }), 'vrrp.advertIntSec', 'fast-failover');
  });
  test('fails when fastFailover is not a boolean', () => expectProblem({ vrrp: { fastFailover: 'yes' } }, 'vrrp.fastFailover', 'type'));

  test('fast failover with the default directors: the messages name field, value, what is allowed and why', () => {
    // GIVEN fast failover on VRRPv2 defaults (1 s adverts, priorities 180/80), then with 0.25 s adverts
    const messages = validateLabConfig({ vrrp: { fastFailover: true } }).map((p) => p.message);
    const withAdverts = validateLabConfig({ vrrp: { fastFailover: true, version: 3, advertIntSec: 0.25 } }).map((p) => p.message);

    // THEN every problem is listed at once
    expect(messages).toEqual([
      'vrrp.version: got 2, expected 3 with vrrp.fastFailover; vrrp.fastFailover is true: keepalived takes fractional advert intervals with VRRPv3 only',
      expect.stringMatching(/^vrrp\.advertIntSec: got 1, expected 0\.1-0\.26 seconds with vrrp\.fastFailover; .* even priority 254 takes 3\.208 s/),
    ]);
    expect(withAdverts).toEqual([
      expect.stringMatching(/^directors\[0\]\.priority: got 180, expected a priority of at least 205 .* takes 1\.024 s; the default directors have 180 and 80: list directors with priorities such as 250 and 240$/),
      expect.stringMatching(/^directors\[1\]\.priority: got 80, expected a priority of at least 205 .* takes 1\.122 s; the default directors have 180 and 80: list directors with priorities such as 250 and 240$/),
    ]);
  });

  test('accepts a director check with the defaults and resolves them', () => {
    expect(validateLabConfig(check({}))).toEqual([]);
    expect(validateLabConfig(check({ weight: -11, intervalSec: 5, timeoutSec: 5, fall: 1, rise: 3 }))).toEqual([]);
  });
  test('fails when the check command is empty', () => expectProblem(check({ command: [] }), 'vrrp.trackScript.command', 'count'));
  test('fails when the check command has more than 16 words', () =>
    expectProblem(check({ command: ['/usr/bin/true', ...Array.from({ length: 16 }, () => 'x')] }), 'vrrp.trackScript.command', 'count'));
  test('fails when the check executable is not an absolute path', () => expectProblem(check({ command: ['ping', '-c', '1'] }), 'vrrp.trackScript.command[0]', 'track-script'));
  test('fails when the check executable has a .. component', () => expectProblem(check({ command: ['/usr/../bin/ping'] }), 'vrrp.trackScript.command[0]', 'track-script'));
  test.each([['a shell separator', 'a;b'], ['a space', '-c 1'], ['a quote', '"x"'], ['a keepalived comment', '!'], ['a variable', '$HOME'], ['a brace', '{x}'], ['a glob', '*']])(
    'fails when a check argument holds %s', (_what, arg) => expectProblem(check({ command: ['/usr/bin/test', arg] }), 'vrrp.trackScript.command[1]', 'format'));
  test('fails when the check timeout outlasts the interval', () => expectProblem(check({ intervalSec: 2, timeoutSec: 3 }), 'vrrp.trackScript.timeoutSec', 'track-script'));
  test('fails when the check has no command', () => expectProblem({ vrrp: { trackScript: {} } }, 'vrrp.trackScript.command', 'required'));
  test('fails when the check has an unknown key', () => expectProblem(check({ user: 'nobody' }), 'vrrp.trackScript.user', 'unknown-key'));
  test('fails when the check weight is beyond 253', () => expectProblem(check({ weight: -254 }), 'vrrp.trackScript.weight', 'range'));

  test('fails when the check weight cannot move the VIP, naming the spread', () => {
    // GIVEN the default directors (180 and 80: a spread of 100) and a weight of -20
    const problems = validateLabConfig({ vrrp: { trackScript: { command: ['/usr/bin/true'], weight: -20 } } });

    expect(problems.map((p) => [p.rule, p.path, p.message])).toEqual([[
      'track-script', 'vrrp.trackScript.weight',
      "vrrp.trackScript.weight: got -20, expected 0, or a weight whose size exceeds the directors' priority spread (100), such as -110; " +
        'otherwise a failing check on the MASTER leaves it above the other directors and the VIP never moves',
    ]]);
  });

  test('fails when a weighted check meets nopreempt: a BACKUP without preemption never takes the VIP from a MASTER whose priority dropped', () => {
    const problems = validateLabConfig(fast({ nopreempt: true, trackScript: { command: ['/usr/bin/true'], weight: -20 } }));

    expect(problems.map((p) => [p.rule, p.path, p.message])).toEqual([[
      'track-script', 'vrrp.trackScript.weight',
      'vrrp.trackScript.weight: got -20, expected 0 with vrrp.nopreempt (a failing check puts the director in FAULT, which gives up the VIP); ' +
        'with nopreempt no BACKUP takes the VIP from a MASTER whose priority dropped, so a weight never moves it',
    ]]);
  });

  test('every issue 8 option at once is valid (the features lab shape)', () => {
    expect(validateLabConfig(fast({ transport: 'multicast', nopreempt: true, trackScript: { command: ['/usr/bin/ping', '-c', '1', '-W', '1', '192.168.20.1'], weight: 0 } }))).toEqual([]);
    expect(validateLabConfig(fast({ transport: 'multicast', trackScript: { command: ['/usr/bin/ping', '-c', '1', '-W', '1', '192.168.20.1'], weight: -20 } }))).toEqual([]);
  });
});

describe('validateLabConfig: services', () => {
  test('fails when a port is 0', () => expectProblem(withService({ port: 0 }), 'services[0].port', 'range'));
  test('fails when a port is above 65535', () => expectProblem(withService({ port: 70000 }), 'services[0].port', 'range'));
  test('fails when a port is not an integer', () => expectProblem(withService({ port: 80.5 }), 'services[0].port', 'range'));
  test('fails when the protocol is unknown (case matters)', () => expectProblem(withService({ protocol: 'tcp' }), 'services[0].protocol', 'one-of'));
  test('fails when the scheduler is unknown', () =>
    expectProblem(withService({ scheduler: 'round-robin' }), 'services[0].scheduler', 'one-of'));
  test('fails when persistence is negative', () => expectProblem(withService({ persistenceTimeoutSec: -5 }), 'services[0].persistenceTimeoutSec', 'range'));
  test('fails when delayLoop is 0', () => expectProblem(withService({ delayLoopSec: 0 }), 'services[0].delayLoopSec', 'range'));
  test('fails when two services share vip, port and protocol', () =>
    expectProblem({ services: [{ vip: '192.168.20.140' }, { vip: '192.168.20.140', port: 80 }] }, 'services[1]', 'unique-services'));
  test('fails when a service names an unknown real server', () =>
    expectProblem(withService({ realServers: ['rs-1', 'rs-9'] }), 'services[0].realServers[1]', 'service-members'));
  test('fails when a service lists a real server twice', () =>
    expectProblem(withService({ realServers: ['rs-1', 'rs-1'] }), 'services[0].realServers[1]', 'service-members'));
  test('fails when a service has no real servers', () => expectProblem(withService({ realServers: [] }), 'services[0].realServers', 'count'));
  test('fails when there are no real servers at all', () => expectProblem({ realServers: [] }, 'realServers', 'count'));
});

describe('validateLabConfig: health checks', () => {
  test('fails when the check type is unknown', () => expectProblem(withCheck({ type: 'icmp' }), 'services[0].healthCheck.type', 'one-of'));
  test("fails when an http path does not start with '/'", () =>
    expectProblem(withCheck({ type: 'http', path: 'health' }), 'services[0].healthCheck.path', 'format'));
  test('fails when an http path has characters the demo web service cannot serve', () =>
    expectProblem(withCheck({ type: 'http', path: '/health?x=1' }), 'services[0].healthCheck.path', 'format'));
  test('fails when an http status code is not the 200 the demo web service answers', () =>
    expectProblem(withCheck({ type: 'http', statusCode: 204 }), 'services[0].healthCheck.statusCode', 'one-of'));
  test('fails when a UDP service has a tcp check', () =>
    expectProblem({ services: [{ vip: '192.168.20.140', port: 53, protocol: 'UDP', healthCheck: { type: 'tcp' } }] }, 'services[0].healthCheck.type', 'health-check'));
  test('fails when a tcp check has a path', () =>
    expectProblem(withCheck({ path: '/health' }), 'services[0].healthCheck.path', 'health-check'));
  test('fails when connectTimeoutSec is 0', () => expectProblem(withCheck({ connectTimeoutSec: 0 }), 'services[0].healthCheck.connectTimeoutSec', 'range'));
  test('fails when retry is negative', () => expectProblem(withCheck({ retry: -1 }), 'services[0].healthCheck.retry', 'range'));
  test('fails when delayBeforeRetrySec is fractional', () => expectProblem(withCheck({ delayBeforeRetrySec: 1.5 }), 'services[0].healthCheck.delayBeforeRetrySec', 'range'));
  test('fails when a none check has timings', () => expectProblem(withCheck({ type: 'none', retry: 2 }), 'services[0].healthCheck.retry', 'health-check'));
});

describe('validateLabConfig: real servers', () => {
  test('fails when every real server of a service is drained (weight 0): keepalived refuses the config', () =>
    expectProblem({ realServers: [{ name: 'rs-1', address: '192.168.20.143', weight: 0 }, { name: 'rs-2', address: '192.168.20.144', weight: 0 }] },
      'services[0].realServers', 'service-weight'));
  test('fails when a weight is negative', () => expectProblem(withRealServer({ weight: -1 }), 'realServers[1].weight', 'range'));
  test('fails when a weight is above 65535', () => expectProblem(withRealServer({ weight: 65536 }), 'realServers[1].weight', 'range'));
  test('fails when a real-server port is out of range', () => expectProblem(withRealServer({ port: 0 }), 'realServers[1].port', 'range'));
  test('fails when a real-server port differs from its service port (DR cannot remap ports)', () =>
    expectProblem(withRealServer({ port: 8080 }), 'realServers[1].port', 'real-server-port'));
  test('accepts a real-server port equal to its service port', () => expect(validateLabConfig(withRealServer({ port: 80 }))).toEqual([]));
});

describe('validateLabConfig: storagePoolPath, a directory of the lab\'s own', () => {
  test.each([
    '/', '/etc', '/usr', '/bin', '/boot', '/dev', '/proc', '/sys', '/run', '/var', '/var/lib', '/var/tmp', '/home', '/root', '/tmp', '/srv',
    '/mnt', '/opt', '/media', '/home/alice', '/var/lib/libvirt', '/var/lib/libvirt/images', '/var/lib/libvirt/qemu', '/etc/lab',
    '/usr/local/lab', '/proc/self', '/run/lab', '/dev/shm/lab',
  ])('fails when storagePoolPath is %s, a system or shared directory (or inside a system one)', (storagePoolPath) =>
    expectProblem({ storagePoolPath }, 'storagePoolPath', 'storage-pool-path'));

  test.each(['/srv/lab/', '/srv//lab', '/srv/./lab', '/var/lib/libvirt/images/../../..', '/srv/lab/..', '/srv/lab\t1', '/srv/\u0001lab'])(
    'fails when storagePoolPath %j is not normalized or holds a control character (libvirt would store another path)',
    (storagePoolPath) => expectProblem({ storagePoolPath }, 'storagePoolPath', 'format'),
  );

  test.each(['/var/lib/libvirt/images/lab2', '/srv/pools/lab2', '/tmp/lab', '/mnt/usb/lab', '/home/alice/labs/pool', '/root/lab', '/srv/${path.cwd}/%{if} $x'])(
    'accepts storagePoolPath %s, a directory of its own', (storagePoolPath) => expect(validateLabConfig({ storagePoolPath })).toEqual([]),
  );

  test('says which directory, what is allowed and why', () => {
    expect(validateLabConfig({ storagePoolPath: '/etc' }).map((p) => p.message)).toEqual([
      expect.stringMatching(/^storagePoolPath: got "\/etc", expected a directory of the lab's own such as \/var\/lib\/libvirt\/images\/<name>: not a shared directory .*; \/etc is a system directory; libvirt lists every file in the pool directory as a volume of the lab, and destroy removes the directory$/),
    ]);
  });
});

describe('validateLabConfig: host, image, ssh, sizes, notification', () => {
  test('fails when domainType is unknown', () => expectProblem({ domainType: 'xen' }, 'domainType', 'one-of'));
  test("fails when libvirtUri has no '://'", () => expectProblem({ libvirtUri: 'qemu' }, 'libvirtUri', 'format'));
  test('fails when libvirtUri is empty', () => expectProblem({ libvirtUri: '' }, 'libvirtUri', 'format'));
  test("fails when libvirtUri holds a '%' that starts no %XX escape (the provider's URL parser refuses it)", () =>
    expectProblem({ libvirtUri: 'qemu+unix:///system?socket=/run/%{if}/sock' }, 'libvirtUri', 'format'));
  test('accepts ${…} and %XX escapes in libvirtUri (terraform gets them as literals)', () =>
    expect(validateLabConfig({ libvirtUri: 'qemu+unix:///system?socket=/run/${path.cwd}/a%20b' })).toEqual([]));
  test('fails when storagePoolPath is relative', () => expectProblem({ storagePoolPath: 'pools/lab' }, 'storagePoolPath', 'format'));
  test('fails when image.source is empty', () => expectProblem({ image: { source: ' ' } }, 'image.source', 'format'));
  test("fails when an image URL holds a '%' that starts no %XX escape (the provider's URL parser refuses it)", () =>
    expectProblem({ image: { source: 'https://images.example/%{if}.qcow2' } }, 'image.source', 'format'));
  test("accepts '%', '${…}' and '%{…}' in an image path (a file name, not a URL)", () =>
    expect(validateLabConfig({ image: { source: '/var/tmp/${path.cwd}/%{if}/50%.qcow2' } })).toEqual([]));
  test('fails when image.source is a relative path (outside a config file)', () =>
    expectProblem({ image: { source: 'img/debian.qcow2' } }, 'image.source', 'format'));
  test('fails when image.preinstalled is not a boolean', () => expectProblem({ image: { preinstalled: 'true' } }, 'image.preinstalled', 'type'));
  test('fails when the ssh user is root', () => expectProblem({ ssh: { user: 'root' } }, 'ssh.user', 'ssh-user-reserved'));
  test('fails when the ssh user is not a valid Linux user name', () => expectProblem({ ssh: { user: 'Lab User' } }, 'ssh.user', 'format'));
  test('fails when an authorized key is not an OpenSSH public key', () =>
    expectProblem({ ssh: { authorizedKeys: [ed25519Key(), 'AAAAC3NzaC1lZDI1NTE5 me'] } }, 'ssh.authorizedKeys[1]', 'format'));
  test('fails when a key type does not match its blob', () =>
    expectProblem({ ssh: { authorizedKeys: [ed25519Key().replace('ssh-ed25519', 'ssh-rsa')] } }, 'ssh.authorizedKeys[0]', 'ssh-key'));
  test('fails when vcpu is 0', () => expectProblem({ sizes: { director: { vcpu: 0 } } }, 'sizes.director.vcpu', 'range'));
  test('fails when vcpu is above 64', () => expectProblem({ sizes: { realServer: { vcpu: 65 } } }, 'sizes.realServer.vcpu', 'range'));
  test('fails when memory is below 256 MiB', () => expectProblem({ sizes: { realServer: { memoryMiB: 128 } } }, 'sizes.realServer.memoryMiB', 'range'));
  test('fails when a notification email is malformed', () =>
    expectProblem({ notification: { email: ['ops@example.com', 'ops at example'], from: 'k@example.com' } }, 'notification.email[1]', 'format'));
  test('fails when the notification sender is missing', () => expectProblem({ notification: { email: ['ops@example.com'] } }, 'notification.from', 'required'));
  test('fails when the notification has no recipients', () => expectProblem({ notification: { email: [], from: 'k@example.com' } }, 'notification.email', 'count'));
  test('fails when the smtp server is malformed', () =>
    expectProblem({ notification: { email: ['a@b.c'], from: 'k@b.c', smtpServer: '300.1.1.1' } }, 'notification.smtpServer', 'format'));
  test('fails when the smtp server is a host name (keepalived resolves it when it reads the config, before DNS is up)', () =>
    expectProblem({ notification: { email: ['a@b.c'], from: 'k@b.c', smtpServer: 'mail.example.com' } }, 'notification.smtpServer', 'format'));
});

describe('validateLabConfig: packages', () => {
  const KEY = MIRROR_SIGNING_KEY;
  test('a mirror, a security mirror, a proxy and a signing key are valid', () => {
    expect(validateLabConfig({ packages: { mirror: 'http://mirror.example:8080/debian', securityMirror: 'https://mirror.example/debian-security', proxy: 'http://user:pw@proxy.example:3128/', signingKey: KEY } })).toEqual([]);
  });
  test('fails when the mirror is not an http(s) URL', () => expectProblem({ packages: { mirror: 'ftp://mirror.example/debian' } }, 'packages.mirror', 'format'));
  test('fails when the mirror holds a cloud-init $VARIABLE', () => expectProblem({ packages: { mirror: 'http://m.example/$RELEASE' } }, 'packages.mirror', 'format'));
  test('fails when the mirror holds whitespace (a second sources field)', () => expectProblem({ packages: { mirror: 'http://m.example/debian sid' } }, 'packages.mirror', 'format'));
  test('fails when a security mirror has no mirror', () => expectProblem({ packages: { securityMirror: 'http://m.example/debian-security' } }, 'packages.securityMirror', 'packages-need-mirror'));
  test('fails when the proxy has a path', () => expectProblem({ packages: { proxy: 'http://proxy.example:3128/x' } }, 'packages.proxy', 'format'));
  test('fails when the signing key is not an armored public key', () => expectProblem({ packages: { mirror: 'http://m.example/debian', signingKey: 'ABCDEF0123' } }, 'packages.signingKey', 'format'));
  test('fails when a signing key has no mirror', () => expectProblem({ packages: { signingKey: KEY } }, 'packages.signingKey', 'packages-need-mirror'));
  test('fails when a packages key is unknown', () => expectProblem({ packages: { mirrors: 'http://m.example/debian' } }, 'packages.mirrors', 'unknown-key'));
});

describe('validateLabConfig: first-boot packages need a way to the mirror (issue 12)', () => {
  const BRIDGE = { mode: 'bridge', bridge: 'br0', cidr: '192.168.20.0/24', gateway: '192.168.20.1' };
  const message = (config: unknown, path: string): string => validateLabConfig(config).find((p) => p.path === path)?.message ?? '';

  test('fails when a bridged lab on the default image has no dns: apt cannot resolve deb.debian.org', () => {
    expectProblem({ network: BRIDGE }, 'network.dns', 'packages-resolver');
    expect(message({ network: BRIDGE }, 'network.dns')).toMatch(/deb\.debian\.org.*image\.preinstalled: true/);
  });
  test('fails when nat mode is given an empty dns list', () => expectProblem({ network: { dns: [] } }, 'network.dns', 'packages-resolver'));
  test('fails when the mirror or the proxy is a host name and no dns is given', () => {
    expectProblem({ network: BRIDGE, packages: { mirror: 'http://mirror.example/debian' } }, 'network.dns', 'packages-resolver');
    expectProblem({ network: BRIDGE, packages: { proxy: 'http://cache.example:3142' } }, 'network.dns', 'packages-resolver');
    expect(message({ network: BRIDGE, packages: { proxy: 'http://cache.example:3142' } }, 'network.dns')).toContain('cache.example');
  });
  test('fails when the mirror is an IP address but its default security mirror is security.debian.org', () =>
    expectProblem({ network: BRIDGE, packages: { mirror: 'http://192.168.1.5/mirror' } }, 'network.dns', 'packages-resolver'));
  test('a bridged lab needs no dns with a mirror or proxy given by IP address, a dns server, or a preinstalled image', () => {
    expect(validateLabConfig({ network: BRIDGE, packages: { mirror: 'http://192.168.1.5/debian' } })).toEqual([]);
    expect(validateLabConfig({ network: BRIDGE, packages: { proxy: 'http://192.168.1.5:3142', mirror: 'http://mirror.example/debian' } })).toEqual([]);
    expect(validateLabConfig({ network: { ...BRIDGE, dns: ['192.168.1.53'] } })).toEqual([]);
    expect(validateLabConfig({ network: BRIDGE, image: { preinstalled: true } })).toEqual([]);
  });
  test('fails when an isolated lab on the default image has no mirror or proxy: it has no way out to deb.debian.org', () => {
    expectProblem({ network: { mode: 'isolated' } }, 'network.mode', 'packages-route', 1);
    expect(message({ network: { mode: 'isolated' } }, 'network.mode')).toMatch(/image\.preinstalled: true.*packages\.mirror or packages\.proxy.*192\.168\.20\.0\/24.*network\.gateway: a router on the segment/);
  });
  test('fails when a bridged lab on the default image has no gateway: no route to deb.debian.org', () =>
    expectProblem({ network: { mode: 'bridge', bridge: 'br0' } }, 'network.gateway', 'packages-route', 1));
  test('a bridged lab with neither gateway nor dns hears of both at once, not of the second after fixing the first', () => {
    const paths = validateLabConfig({ network: { mode: 'bridge', bridge: 'br0' } }).map((p) => `${p.path} ${p.rule}`);
    expect(paths).toEqual(expect.arrayContaining(['network.gateway packages-route', 'network.dns packages-resolver']));
    expect(validateLabConfig({ network: { mode: 'bridge', bridge: 'br0', gateway: '192.168.20.1', dns: ['192.168.20.1'] } })).toEqual([]);
  });
  test('fails when an isolated lab\'s mirror or proxy is off the segment', () => {
    expectProblem({ network: { mode: 'isolated' }, packages: { mirror: 'http://10.0.0.5/debian' } }, 'packages.mirror', 'packages-route');
    expectProblem({ network: { mode: 'isolated' }, packages: { proxy: 'http://10.0.0.5:3142' } }, 'packages.proxy', 'packages-route');
    expectProblem({ network: { mode: 'isolated' }, packages: { mirror: 'http://192.168.20.5/mirror' } }, 'packages.securityMirror', 'packages-route', 1);
  });
  test('fails when an isolated lab resolves its mirror through a dns server off the segment', () =>
    expectProblem({ network: { mode: 'isolated', dns: ['1.1.1.1'] }, packages: { mirror: 'http://mirror.lab/debian' } }, 'network.dns', 'packages-resolver'));
  test('an isolated lab works with a preinstalled image, or a mirror or proxy on its segment, or a gateway on it', () => {
    expect(validateLabConfig({ network: { mode: 'isolated' }, image: { preinstalled: true } })).toEqual([]);
    expect(validateLabConfig({ network: { mode: 'isolated' }, packages: { mirror: 'http://192.168.20.5/debian' } })).toEqual([]);
    expect(validateLabConfig({ network: { mode: 'isolated' }, packages: { proxy: 'http://192.168.20.5:3142' } })).toEqual([]);
    expect(validateLabConfig({ network: { mode: 'isolated', dns: ['192.168.20.5'] }, packages: { mirror: 'http://mirror.lab/debian' } })).toEqual([]);
    expect(validateLabConfig({ network: { mode: 'isolated', gateway: '192.168.20.254', dns: ['192.168.20.254'] } })).toEqual([]);
  });
});

describe('validateLabConfig: derived MAC addresses', () => {
  test('fails when two VM names hash to the same MAC', () => {
    // GIVEN two names whose sha256-derived MACs collide (24 bits: a few thousand names suffice)
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const name = `rs-${i}`;
      const mac = labMacAddress('lvs-lab', name);
      const other = seen.get(mac);
      if (other) pair = [other, name];
      seen.set(mac, name);
    }
    const config = { realServers: [{ name: pair[0], address: '192.168.20.143' }, { name: pair[1], address: '192.168.20.144' }] };
    // WHEN / THEN
    expectProblem(config, 'realServers[1].name', 'mac-collision');
  });
});

describe('helpers', () => {
  test('parseIpv4 and parseCidr', () => {
    expect(parseIpv4('192.168.20.140')).toBe(3232240780);
    expect(parseIpv4('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(parseIpv4('1.2.3')).toBeUndefined();
    expect(parseIpv4('01.2.3.4')).toBeUndefined();
    expect(parseCidr('192.168.20.7/24')).toEqual({
      address: parseIpv4('192.168.20.7'), prefixLength: 24, networkAddress: parseIpv4('192.168.20.0'), broadcastAddress: parseIpv4('192.168.20.255'),
    });
    expect(parseCidr('192.168.20.0/33')).toBeUndefined();
  });

  test('describeValue marks strings that look like numbers or booleans', () => {
    expect(describeValue('80')).toBe('"80" (a string)');
    expect(describeValue(80)).toBe('80');
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(Array.from({ length: 30 }, (_, i) => i))).toBe('a list of 30 items');
  });

  test('isOpenSshPublicKey accepts a real key shape with or without comment', () => {
    expect(isOpenSshPublicKey(ed25519Key())).toBe(true);
    expect(isOpenSshPublicKey(ed25519Key('').trim())).toBe(true);
    expect(isOpenSshPublicKey(`${ed25519Key()}\nssh-ed25519 AAAA`)).toBe(false);
  });
});

describe('validateLabConfig: line breaks of YAML 1.1 and non-printable characters in free-text fields', () => {
  // PyYAML (cloud-init) reads U+0085, U+2028 and U+2029 as line breaks; controls, lone surrogates
  // and U+FFFE/U+FFFF are not text at all. None of them means anything in these fields.
  const BAD = { 'U+2028': '\u2028', 'U+2029': '\u2029', 'U+0085': '\u0085', 'U+FEFF': '\ufeff', 'ESC': '\x1b', 'DEL': '\x7f', 'U+009B': '\x9b', 'a lone surrogate': '\ud800', 'U+FFFE': '\ufffe' };
  const mirror = 'http://m.example/debian';
  const fields: [string, (bad: string) => unknown][] = [
    ['ssh.authorizedKeys[0]', (bad) => ({ ssh: { authorizedKeys: [ed25519Key(`me${bad}bootcmd:`)] } })],
    ['packages.signingKey', (bad) => ({ packages: { mirror, signingKey: MIRROR_SIGNING_KEY.replace('\n-----END', `${bad}x\n-----END`) } })],
    ['libvirtUri', (bad) => ({ libvirtUri: `qemu:///system?x=${bad}` })],
    ['image.source', (bad) => ({ image: { source: `https://images.example/a${bad}.qcow2` } })],
    ['image.source', (bad) => ({ image: { source: `/var/tmp/a${bad}.qcow2` } })],
    ['storagePoolPath', (bad) => ({ storagePoolPath: `/srv/pools/a${bad}b` })],
  ];
  const cases = fields.flatMap(([path, config]) => Object.entries(BAD).map(([name, bad]) => [path, name, config(bad)] as const));

  test.each(cases)('%s holding %s is refused there', (path, _name, config) => {
    const problems = validateLabConfig(config);
    expect(problems.map((p) => `${p.rule} ${p.path}`)).toEqual([`format ${path}`]);
    expect(problems[0].message).toMatch(new RegExp(`^${path.replace(/[[\].]/g, '\\$&')}: got `));
  });

  test('a key comment and a signing key keep the characters that do belong there', () => {
    expect(validateLabConfig({
      ssh: { authorizedKeys: [ed25519Key('José Müller <jm@host> 日本 (laptop)'), `${ed25519Key('tab\there')}\n`] },
      packages: { mirror, signingKey: MIRROR_SIGNING_KEY.replace(/\n/g, '\r\n') },
    })).toEqual([]);
  });
});

test('a refused string names the character that is no text, and where', () => {
  const [problem] = validateLabConfig({ ssh: { authorizedKeys: [ed25519Key('me\u2028bootcmd:')] } });
  expect(problem.message).toMatch(/^ssh\.authorizedKeys\[0\]: got ".*", expected an OpenSSH public key line .*; it holds U\+2028 at character 84, /);
});

test.each([
  ['notification.from', (address: string) => ({ notification: { email: ['ops@example.com'], from: address } })],
  ['notification.email[0]', (address: string) => ({ notification: { email: [address], from: 'k@example.com' } })],
])('%s longer than an email address can be (254) is refused: keepalived would split its line', (path, config) => {
  const address = `k@${'a'.repeat(250)}.example`;
  const problems = validateLabConfig(config(address));
  expect(problems.map((p) => `${p.rule} ${p.path}`)).toEqual([`length ${path}`]);
  expect(problems[0].message).toContain('at most 254 characters, got 260');
  expect(validateLabConfig(config(`k@${'a'.repeat(240)}.example`))).toEqual([]);
});
