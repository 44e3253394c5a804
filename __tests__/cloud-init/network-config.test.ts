import { parse } from 'yaml';
import type { StaticInterface } from '../../cloud-init';
import { cloudInitNetworkView } from '../helpers/cloud-init';
import { expectRoundTrips, recordRenders } from '../helpers/round-trip';

/** Every document this file renders, read back by cloud-init's loader in the last test. */
const rendered = recordRenders();

const director: StaticInterface = {
  name: 'lab0',
  // All-digit groups: YAML 1.1 (PyYAML, i.e. cloud-init) would read this unquoted as a base-60 integer.
  macAddress: '52:54:00:12:34:56',
  address: '192.168.20.141',
  prefixLength: 24,
  gateway: '192.168.20.1',
  dns: ['192.168.20.1', '9.9.9.9'],
};

describe('renderNetworkConfig', () => {
  test('renders network-config v2 exactly', () => {
    expect(rendered.network(director)).toBe(`version: 2
ethernets:
  lab0:
    match:
      macaddress: "52:54:00:12:34:56"
    set-name: lab0
    addresses:
      - 192.168.20.141/24
    gateway4: 192.168.20.1
    nameservers:
      addresses:
        - 192.168.20.1
        - 9.9.9.9
`);
  });

  test('parses (YAML 1.1, as cloud-init reads it) to exactly the expected structure', () => {
    expect(parse(rendered.network(director), { version: '1.1' })).toEqual({
      version: 2,
      ethernets: {
        lab0: {
          match: { macaddress: '52:54:00:12:34:56' },
          'set-name': 'lab0',
          addresses: ['192.168.20.141/24'],
          gateway4: '192.168.20.1',
          nameservers: { addresses: ['192.168.20.1', '9.9.9.9'] },
        },
      },
    });
  });

  test('no gateway and no DNS: neither key appears', () => {
    const parsed = parse(rendered.network({ ...director, gateway: undefined, dns: [] }), { version: '1.1' });
    expect(parsed.ethernets.lab0).toEqual({ match: { macaddress: '52:54:00:12:34:56' }, 'set-name': 'lab0', addresses: ['192.168.20.141/24'] });
  });

  test("cloud-init's own v2 parser and Debian's ENI renderer produce the intended interface", () => {
    // GIVEN the rendered config, WHEN cloud-init 22.4 loads and renders it for ifupdown
    const view = cloudInitNetworkView(rendered.network(director));

    // THEN PyYAML kept the MAC a string, the NIC is renamed by MAC, and the default route is
    // ifupdown's native `gateway` line (not `post-up route add`, which needs net-tools)
    expect(view.loaded).toMatchObject({ ethernets: { lab0: { match: { macaddress: '52:54:00:12:34:56' } } } });
    expect(view.udevRules.trim()).toBe('SUBSYSTEM=="net", ACTION=="add", DRIVERS=="?*", ATTR{address}=="52:54:00:12:34:56", NAME="lab0"');
    expect(view.eni).toContain('auto lab0\niface lab0 inet static\n    address 192.168.20.141/24\n');
    expect(view.eni).toContain('    gateway 192.168.20.1\n');
    expect(view.eni).toContain('    dns-nameservers 192.168.20.1 9.9.9.9\n');
    expect(view.eni).not.toMatch(/route add/);
  });

  test('an upper-case MAC is lower-cased (the udev rule compares exactly)', () => {
    const view = cloudInitNetworkView(rendered.network({ ...director, macAddress: '52:54:00:AB:CD:EF' }));
    expect(view.udevRules).toContain('ATTR{address}=="52:54:00:ab:cd:ef"');
  });
});

test('every network-config rendered above is read back by cloud-init\'s YAML loader as exactly the object it serializes', () => {
  expectRoundTrips(rendered);
});
