import { parse } from 'yaml';
import type { StaticInterface } from '../../cloud-init';
import { cloudInitNetplanView, cloudInitNetworkView } from '../helpers/cloud-init';
import { expectRoundTrips, recordRenders } from '../helpers/round-trip';

/** Every document this file renders, read back by cloud-init's loader in the last test. */
const rendered = recordRenders();

/** Debian 13's (the default release). */
const director: StaticInterface = {
  release: 13,
  name: 'lab0',
  // All-digit groups: YAML 1.1 (PyYAML, i.e. cloud-init) would read this unquoted as a base-60 integer.
  macAddress: '52:54:00:12:34:56',
  address: '192.168.20.141',
  prefixLength: 24,
  gateway: '192.168.20.1',
  dns: ['192.168.20.1', '9.9.9.9'],
};
/** The same NIC on Debian 12. */
const director12: StaticInterface = { ...director, release: 12 };

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
    routes:
      - to: 0.0.0.0/0
        via: 192.168.20.1
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
          routes: [{ to: '0.0.0.0/0', via: '192.168.20.1' }],
          nameservers: { addresses: ['192.168.20.1', '9.9.9.9'] },
        },
      },
    });
  });

  test('no gateway and no DNS: neither key appears', () => {
    const parsed = parse(rendered.network({ ...director, gateway: undefined, dns: [] }), { version: '1.1' });
    expect(parsed.ethernets.lab0).toEqual({ match: { macaddress: '52:54:00:12:34:56' }, 'set-name': 'lab0', addresses: ['192.168.20.141/24'] });
  });

  test('Debian 12: the default route is gateway4, the rest as on 13', () => {
    const parsed = parse(rendered.network(director12), { version: '1.1' });
    expect(parsed.ethernets.lab0.gateway4).toBe('192.168.20.1');
    expect(parsed.ethernets.lab0.routes).toBeUndefined();
    const { gateway4: _, ...rest } = parsed.ethernets.lab0;
    const { routes: __, ...rest13 } = parse(rendered.network(director), { version: '1.1' }).ethernets.lab0;
    expect(rest).toEqual(rest13);
  });

  test("Debian 13: cloud-init 25.1's v2 parser, its netplan renderer and netplan generate give networkd the intended interface, without a warning", () => {
    // GIVEN the rendered config, WHEN trixie's cloud-init renders it for netplan and netplan for networkd
    const view = cloudInitNetplanView(rendered.network(director));

    // THEN the NIC is renamed by MAC, has its address, DNS and a default route, and netplan warned of nothing
    expect(view.loaded).toMatchObject({ ethernets: { lab0: { match: { macaddress: '52:54:00:12:34:56' } } } });
    expect(view.networkd['10-netplan-lab0.link']).toContain('[Match]\nPermanentMACAddress=52:54:00:12:34:56\n\n[Link]\nName=lab0\n');
    const network = view.networkd['10-netplan-lab0.network'];
    expect(network).toContain('Address=192.168.20.141/24\n');
    expect(network).toContain('DNS=192.168.20.1\nDNS=9.9.9.9\n');
    expect(network).toContain('[Route]\nDestination=0.0.0.0/0\nGateway=192.168.20.1\n');
    expect(view.generateOutput).not.toMatch(/WARNING|deprecated/);
  });

  test("Debian 13: `gateway4` would make netplan warn (why 13 gets a routes entry)", () => {
    const view = cloudInitNetplanView(rendered.network(director12));
    expect(view.generateOutput).toMatch(/`gateway4` has been deprecated/);
  });

  test("Debian 12: cloud-init 22.4's own v2 parser and Debian's ENI renderer produce the intended interface", () => {
    // GIVEN the rendered config, WHEN cloud-init 22.4 loads and renders it for ifupdown
    const view = cloudInitNetworkView(rendered.network(director12));

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
    const view = cloudInitNetworkView(rendered.network({ ...director12, macAddress: '52:54:00:AB:CD:EF' }));
    expect(view.udevRules).toContain('ATTR{address}=="52:54:00:ab:cd:ef"');
  });
});

test('every network-config rendered above is read back by cloud-init\'s YAML loader as exactly the object it serializes', () => {
  expectRoundTrips(rendered);
});
