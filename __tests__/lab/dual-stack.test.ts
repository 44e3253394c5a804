import {
  canonicalIpv6, defaultAddress6, directorKeepalivedModel, formatIpv6, labVips, labVips6, parseCidr6, parseIpv6, realServerUserDataModel,
  resolveLabConfig, serviceFamily, staticInterface, validateLabConfig, type LabConfig, type LabProblem,
} from '../../lab';
import { DUAL_STACK_LAB, dualStackLab } from '../helpers/dual-stack';

/** Every problem of a config as `rule path`, and the problems themselves. */
function problemsOf(config: unknown): { ids: string[]; problems: readonly LabProblem[] } {
  const problems = validateLabConfig(config);
  return { ids: problems.map((p) => `${p.rule} ${p.path}`), problems };
}

/** THEN exactly one problem, of `rule` at `path`, whose message names the value and `allowed`. */
function expectOnly(config: unknown, rule: string, path: string, value: string, allowed: RegExp): void {
  const { ids, problems } = problemsOf(config);
  expect(ids).toEqual([`${rule} ${path}`]);
  expect(problems[0].message).toContain(`${path}: got ${value}, expected `);
  expect(problems[0].allowed).toMatch(allowed);
}

const withNetwork = (network: Record<string, unknown>): unknown => ({ ...DUAL_STACK_LAB, network: { ...DUAL_STACK_LAB.network, ...network } });
const withDirector2 = (patch: Record<string, unknown>): unknown => ({
  ...DUAL_STACK_LAB, directors: [DUAL_STACK_LAB.directors?.[0], { ...DUAL_STACK_LAB.directors?.[1], ...patch }],
});
const withServices = (...services: Record<string, unknown>[]): unknown => ({ ...DUAL_STACK_LAB, services });

describe('IPv6 helpers', () => {
  test.each([
    ['fd77::21', 'fd77::21'],
    ['FD77:0:0::0022', 'fd77::22'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['fd00:0:1:0:0:0:0:0', 'fd00:0:1::'],
    ['::', '::'],
    ['1:0:2:0:3:0:4:0', '1:0:2:0:3:0:4:0'],
  ])('%s is %s in RFC 5952 form', (text, canonical) => {
    expect(canonicalIpv6(text)).toBe(canonical);
    expect(formatIpv6(parseIpv6(canonical) as bigint)).toBe(canonical);
  });

  test.each(['fd77::1::2', 'fd77:::1', '1:2:3:4:5:6:7:8:9', 'fd77::g', '::ffff:1.2.3.4', 'fe80::1%lab0', '10.0.0.1', ''])('%j is not an address', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });

  test('parseCidr6 masks host bits off', () => {
    expect(parseCidr6('fd77::5/64')).toMatchObject({ prefixLength: 64, networkAddress: parseIpv6('fd77::'), lastAddress: parseIpv6('fd77::ffff:ffff:ffff:ffff') });
  });

  test('defaultAddress6: the prefix plus the last octet, same digits', () => {
    expect(defaultAddress6('fd77::/64', '10.77.0.21')).toBe('fd77::21');
    expect(defaultAddress6('2001:db8:1:2::/64', '192.168.20.143')).toBe('2001:db8:1:2::143');
    expect(defaultAddress6('fd77::100:0/112', '10.77.3.7')).toBe('fd77::100:7');
  });
});

describe('resolving a dual-stack lab', () => {
  const lab = resolveLabConfig(DUAL_STACK_LAB);

  test('network.ipv6 holds the canonical prefix', () => {
    expect(lab.network.ipv6).toEqual({ cidr: 'fd77::/64', prefixLength: 64, networkAddress: 'fd77::' });
  });

  test('every VM gets an address6: the default from its IPv4 address, or its own in canonical form', () => {
    expect([...lab.directors, ...lab.realServers].map((vm) => [vm.name, vm.address6])).toEqual([
      ['director-1', 'fd77::11'], ['director-2', 'fd77::12'], ['rs-1', 'fd77::21'], ['rs-2', 'fd77::22'],
    ]);
  });

  test('services: IPv6 VIPs canonical with family 6, IPv4 ones as written without a family', () => {
    expect(lab.services.map((s) => [s.vip, s.port, s.family, serviceFamily(s)])).toEqual([
      ['10.77.0.100', 80, undefined, 4], ['fd77::100', 80, 6, 6], ['fd77::100', 8080, 6, 6],
    ]);
    expect(labVips(lab)).toEqual(['10.77.0.100']);
    expect(labVips6(lab)).toEqual(['fd77::100']);
  });

  test('an IPv4-only lab has no IPv6 field anywhere', () => {
    const ipv4 = resolveLabConfig({});
    expect('ipv6' in ipv4.network).toBe(false);
    expect([...ipv4.directors, ...ipv4.realServers].some((vm) => 'address6' in vm)).toBe(false);
    expect(ipv4.services.some((s) => 'family' in s)).toBe(false);
    const model = directorKeepalivedModel(ipv4, ipv4.directors[0]);
    expect(model.instances).toHaveLength(1);
    expect('address6' in model || 'peers6' in model).toBe(false);
    expect('vips6' in realServerUserDataModel(ipv4, ipv4.realServers[0])).toBe(false);
    expect('address6' in staticInterface(ipv4, ipv4.realServers[0])).toBe(false);
  });

  test('director model: an IPv6 instance beside the IPv4 one, with the director\'s and its peers\' address6', () => {
    const model = directorKeepalivedModel(lab, lab.directors[1]);
    expect(model).toMatchObject({ address: '10.77.0.12', peers: ['10.77.0.11'], address6: 'fd77::12', peers6: ['fd77::11'] });
    expect(model.instances.map(({ name, state, virtualRouterId, priority, version, vips, family }) => ({ name, state, virtualRouterId, priority, version, vips, family }))).toEqual([
      { name: 'VI_LVS_LAB', state: 'BACKUP', virtualRouterId: 112, priority: 80, version: 3, vips: ['10.77.0.100'], family: undefined },
      { name: 'VI_LVS_LAB6', state: 'BACKUP', virtualRouterId: 112, priority: 80, version: 3, vips: ['fd77::100'], family: 6 },
    ]);
    expect(model.services.map((s) => [s.vip, s.port, s.realServers.map((r) => r.address)])).toEqual([
      ['10.77.0.100', 80, ['10.77.0.21', '10.77.0.22']],
      ['fd77::100', 80, ['fd77::21', 'fd77::22']],
      ['fd77::100', 8080, ['fd77::21', 'fd77::22']],
    ]);
  });

  test('real server model and network interface carry the IPv6 side', () => {
    expect(realServerUserDataModel(lab, lab.realServers[0])).toMatchObject({ vips: ['10.77.0.100'], vips6: ['fd77::100'] });
    expect(staticInterface(lab, lab.realServers[1])).toMatchObject({ address: '10.77.0.22', prefixLength: 24, address6: 'fd77::22', prefixLength6: 64 });
  });

  test('a real server behind IPv4 services only gets no vips6', () => {
    const only4 = resolveLabConfig({ ...DUAL_STACK_LAB, services: [{ vip: '10.77.0.100' }, { vip: 'fd77::100', realServers: ['rs-2'] }] });
    expect('vips6' in realServerUserDataModel(only4, only4.realServers[0])).toBe(false);
    expect(realServerUserDataModel(only4, only4.realServers[1]).vips6).toEqual(['fd77::100']);
  });
});

describe('validateLabConfig: dual stack', () => {
  test('the dual-stack lab is valid, also with multicast and given address6s', () => {
    expect(validateLabConfig(DUAL_STACK_LAB)).toEqual([]);
    expect(validateLabConfig(dualStackLab({ transport: 'multicast' }))).toEqual([]);
    expect(validateLabConfig(withDirector2({ address6: 'fd77::beef' }))).toEqual([]);
  });

  test.each([
    ['a prefix longer than 120', 'fd77::/121'],
    ['a prefix shorter than 48', 'fd77::/47'],
    ['no prefix length', 'fd77::'],
    ['an IPv4 network', '10.77.0.0/24'],
  ])('fails on %s (schema)', (_what, cidr) => {
    expectOnly(withNetwork({ ipv6Cidr: cidr }), 'format', 'network.ipv6Cidr', JSON.stringify(cidr), /^an IPv6 prefix in CIDR notation such as fd77::\/64, prefix length 48-120$/);
  });

  test('fails when host bits are set, naming the prefix', () => {
    expectOnly(withNetwork({ ipv6Cidr: 'fd77::1/64' }), 'ipv6-cidr', 'network.ipv6Cidr', '"fd77::1/64"', /every host bit zero, i\.e\. fd77::\/64/);
  });

  test.each([
    ['link-local', 'fe80::/64', /link-local \(fe80::\/10\)/],
    ['multicast', 'ff02::/64', /multicast \(ff00::\/8\)/],
    ['loopback and unspecified', '::/64', /unspecified \(::\) and loopback \(::1\)/],
  ])('fails on a %s prefix', (_what, cidr, why) => {
    const { ids, problems } = problemsOf({ network: { mode: 'bridge', bridge: 'br0', ipv6Cidr: cidr }, image: { preinstalled: true } });
    expect(ids).toEqual(['ipv6-cidr network.ipv6Cidr']);
    expect(problems[0].message).toMatch(why);
    expect(problems[0].allowed).toBe('a global or unique-local prefix such as fd77::/64 (not link-local, multicast, loopback or unspecified)');
  });

  test.each(['nat', 'isolated'])('fails with network.mode %s: bridge only, for now', (mode) => {
    const { ids, problems } = problemsOf({ network: { mode, ipv6Cidr: 'fd77::/64' }, image: { preinstalled: true } });
    expect(ids).toEqual(['ipv6-bridge-only network.ipv6Cidr']);
    expect(problems[0].message).toBe(
      `network.ipv6Cidr: got "fd77::/64", expected no ipv6Cidr with network.mode ${mode} (dual stack is supported with network.mode bridge only, for now); libvirt's ${mode} network would need an IPv6 address and routing of its own, which the lab does not configure yet`,
    );
  });

  test('fails on an address6 or an IPv6 VIP without ipv6Cidr', () => {
    const { ids, problems } = problemsOf({
      directors: [{ name: 'director-1', address: '192.168.20.141', address6: 'fd77::11', priority: 180 }, { name: 'director-2', address: '192.168.20.142', priority: 80 }],
      services: [{ vip: 'fd77::100' }],
      vrrp: { version: 3 },
    });
    expect(ids).toEqual(['ipv6-needs-cidr directors[0].address6', 'ipv6-needs-cidr services[0].vip']);
    expect(problems[0].message).toContain('directors[0].address6: got "fd77::11", expected no address6 without network.ipv6Cidr');
    expect(problems[1].message).toContain('services[0].vip: got "fd77::100", expected an IPv4 address of network.cidr, or an IPv6 VIP with network.ipv6Cidr set');
  });

  test('fails on an address6 that is not IPv6 (schema)', () => {
    expectOnly(withDirector2({ address6: '10.77.0.12' }), 'format', 'directors[1].address6', '"10.77.0.12"', /^an IPv6 address such as fd77::21/);
  });

  test('fails on an address6 outside the prefix or its subnet-router anycast address', () => {
    expectOnly(withDirector2({ address6: 'fd78::12' }), 'address6-in-prefix', 'directors[1].address6', '"fd78::12"', /^an address inside fd77::\/64 other than its subnet-router anycast address fd77:: \(host part 0\)$/);
    expectOnly(withDirector2({ address6: 'fd77::' }), 'address6-in-prefix', 'directors[1].address6', '"fd77::"', /inside fd77::\/64/);
  });

  test('fails on an IPv6 VIP outside the prefix', () => {
    expectOnly(withServices({ vip: 'fd78::100' }), 'address6-in-prefix', 'services[0].vip', '"fd78::100"', /inside fd77::\/64/);
  });

  test('fails when a default address6 falls outside a long prefix, and says it is a default', () => {
    const { ids, problems } = problemsOf({ ...DUAL_STACK_LAB, network: { ...DUAL_STACK_LAB.network, ipv6Cidr: 'fd77::/120' },
      realServers: [{ name: 'rs-1', address: '10.77.0.210' }], services: [{ vip: '10.77.0.100' }, { vip: 'fd77::ab' }] });
    expect(ids).toEqual(['address6-in-prefix realServers[0].address6']);
    expect(problems[0].message).toBe(
      'realServers[0].address6: got "fd77::210", expected an address inside fd77::/120 other than its subnet-router anycast address fd77:: (host part 0); this is the default, fd77:: plus the last octet of realServers[0].address (10.77.0.210); set realServers[0].address6 to an address of the prefix',
    );
  });

  test('fails when two VMs share an address6 (given or default) or a VIP is a VM\'s address6', () => {
    const { ids, problems } = problemsOf({
      ...DUAL_STACK_LAB,
      realServers: [{ name: 'rs-1', address: '10.77.0.21' }, { name: 'rs-2', address: '10.77.0.22', address6: 'fd77::0:21' }],
      services: [{ vip: '10.77.0.100' }, { vip: 'fd77::11' }],
    });
    expect(ids).toEqual(['unique-addresses6 realServers[1].address6', 'unique-addresses6 services[1].vip']);
    expect(problems[0].message).toContain('realServers[1].address6: got "fd77::0:21", expected an address6 not already used (realServers[0].address6 has it)');
    expect(problems[1].message).toContain('services[1].vip: got "fd77::11", expected an address no VM owns (directors[0].address6 has it)');
  });

  test('fails when a real server\'s default address6 is a director\'s, and says it is a default', () => {
    const { ids, problems } = problemsOf({
      ...DUAL_STACK_LAB,
      realServers: [{ name: 'rs-1', address: '10.77.0.21' }, { name: 'rs-2', address: '10.77.0.22' }],
      directors: [{ name: 'director-1', address: '10.77.0.11', address6: 'fd77::22', priority: 180 }, { name: 'director-2', address: '10.77.0.12', priority: 80 }],
    });
    expect(ids).toEqual(['unique-addresses6 realServers[1].address6']);
    expect(problems[0].message).toBe(
      'realServers[1].address6: got "fd77::22", expected a real server address6 that is not a director\'s (directors[0].address6); this is the default, fd77:: plus the last octet of realServers[1].address (10.77.0.22); set realServers[1].address6 to an address of the prefix',
    );
  });

  test('fails on an IPv6 VIP with VRRP version 2', () => {
    expectOnly(dualStackLab({ version: 2 }), 'ipv6-vip-version', 'vrrp.version', '2', /^3 when a service has an IPv6 VIP \(services\[1\]\.vip is fd77::100\)$/);
  });

  test('fails on ports (firewall mark) or a sorry server with an IPv6 VIP, both at once', () => {
    const { ids, problems } = problemsOf(withServices({ vip: 'fd77::100', ports: [80, 443], sorryServer: true }));
    expect(ids).toEqual(['ipv6-service-options services[0].ports', 'ipv6-service-options services[0].sorryServer']);
    expect(problems[0].message).toContain('services[0].ports: got [80,443], expected no ports with an IPv6 VIP (services[0].vip is fd77::100): one port per IPv6 service');
    expect(problems[1].message).toContain('services[0].sorryServer: got true, expected false with an IPv6 VIP (services[0].vip is fd77::100)');
    // the same options on an IPv4 service of the same lab are fine
    expect(problemsOf(withServices({ vip: '10.77.0.100', ports: [80, 443], sorryServer: true })).ids).toEqual([]);
  });

  test('fails on two IPv6 services with the same VIP (however spelled), port and protocol', () => {
    const { ids, problems } = problemsOf(withServices({ vip: 'fd77::100' }, { vip: 'FD77:0::100' }));
    expect(ids).toEqual(['unique-services6 services[1]']);
    expect(problems[0].message).toBe('services[1]: got "[fd77::100]:80/TCP", expected a (vip, port, protocol) no other service has (services[0] has it)');
  });

  test('reports every dual-stack problem at once', () => {
    const config: LabConfig = {
      network: { mode: 'nat', ipv6Cidr: 'fd77::1/64' },
      vrrp: { version: 2 },
      services: [{ vip: '192.168.20.140' }, { vip: 'fd77::100' }, { vip: 'fd77::100' }],
    };
    expect(problemsOf(config).ids).toEqual([
      'ipv6-cidr network.ipv6Cidr',
      'ipv6-bridge-only network.ipv6Cidr',
      'ipv6-vip-version vrrp.version',
      'unique-services6 services[2]',
    ]);
  });
});
