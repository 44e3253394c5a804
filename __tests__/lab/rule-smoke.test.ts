import { labMacAddress } from '../../lab';
import { LAB_RULES } from '../../lab/rules';
import { expectRule } from '../helpers/expect-rule';

/*
 * Every rule once: one config each rule refuses, and the field it names. The rules' own test
 * files (lab-validation, service-options, dual-stack, ...) hold the other cases.
 */
const VIP = '192.168.20.140';
const D1 = { name: 'director-1', address: '192.168.20.141', priority: 180 };
const D2 = { name: 'director-2', address: '192.168.20.142', priority: 80 };
const RS1 = { name: 'rs-1', address: '192.168.20.143' };
const RS2 = { name: 'rs-2', address: '192.168.20.144' };
const directors = (patch: Record<string, unknown>) => ({ directors: [D1, { ...D2, ...patch }] });
const realServers = (patch: Record<string, unknown>) => ({ realServers: [RS1, { ...RS2, ...patch }] });
const service = (patch: Record<string, unknown>) => ({ services: [{ vip: VIP, ...patch }] });
/** A dual-stack lab (bridge mode, VRRPv3) with these IPv6 services. */
const dualStack = (services: Record<string, unknown>[], ipv6Cidr = 'fd77::/64', version = 3) => ({
  network: { mode: 'bridge', bridge: 'br0', gateway: '192.168.20.1', dns: ['192.168.20.1'], ipv6Cidr }, vrrp: { version }, services,
});

/** Two real server names of lab lvs-lab whose derived MACs collide (24 bits: a few thousand names). */
function macTwins(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const name = `rs-${i}`;
    const twin = seen.get(labMacAddress('lvs-lab', name));
    if (twin) return [twin, name];
    seen.set(labMacAddress('lvs-lab', name), name);
  }
}

/** rule id -> [a config it refuses, the path it names]. */
const CASES: Record<string, () => [unknown, string]> = {
  'libvirt-uri': () => [{ libvirtUri: 'qemu+ssh://kvm1.example/system?command=/tmp/x' }, 'libvirtUri'],
  'storage-pool-path': () => [{ storagePoolPath: '/etc' }, 'storagePoolPath'],
  'cidr': () => [{ network: { cidr: '192.168.20.1/24' } }, 'network.cidr'],
  'bridge-required': () => [{ network: { mode: 'bridge' }, image: { preinstalled: true } }, 'network.bridge'],
  'address-in-subnet': () => [directors({ address: '192.168.21.142' }), 'directors[1].address'],
  'nat-gateway': () => [{ network: { gateway: '192.168.20.254' } }, 'network.gateway'],
  'image-release': () => [{ image: { release: 13, source: 'https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2' } }, 'image.release'],
  'packages-need-mirror': () => [{ packages: { securityMirror: 'http://security.example/debian-security' } }, 'packages.securityMirror'],
  'packages-route': () => [{ network: { mode: 'isolated' }, packages: { mirror: 'http://10.0.0.5/debian' } }, 'packages.mirror'],
  'packages-resolver': () => [{ network: { dns: [] } }, 'network.dns'],
  'ssh-user-reserved': () => [{ ssh: { user: 'root' } }, 'ssh.user'],
  'ssh-key': () => [{ ssh: { authorizedKeys: [`ssh-ed25519 ${'A'.repeat(68)} me@laptop`] } }, 'ssh.authorizedKeys[0]'],
  'advert-interval': () => [{ vrrp: { advertIntSec: 0.5 } }, 'vrrp.advertIntSec'],
  'auth-pass-version': () => [{ vrrp: { version: 3, authPass: 'secret' } }, 'vrrp.authPass'],
  'fast-failover': () => [{ vrrp: { version: 3, fastFailover: true, advertIntSec: 0.05 } }, 'vrrp.advertIntSec'],
  'track-script': () => [{ vrrp: { trackScript: { command: ['ping', '-c', '1'] } } }, 'vrrp.trackScript.command[0]'],
  'vm-name-length': () => [directors({ name: `d${'x'.repeat(55)}` }), 'directors[1].name'],
  'unique-names': () => [realServers({ name: 'rs-1' }), 'realServers[1].name'],
  'unique-addresses': () => [realServers({ address: RS1.address }), 'realServers[1].address'],
  'unique-priority': () => [directors({ priority: D1.priority }), 'directors[1].priority'],
  'service-ports': () => [service({ port: 80, ports: [80, 81] }), 'services[0].port'],
  'fwmark': () => [service({ fwmark: 5 }), 'services[0].fwmark'],
  'tls-ports': () => [service({ tlsPorts: [443] }), 'services[0].tlsPorts[0]'],
  'health-check': () => [service({ healthCheck: { type: 'tcp', path: '/healthz' } }), 'services[0].healthCheck.path'],
  'reserved-port': () => [service({ port: 22 }), 'services[0].port'],
  'dh-weight-zero': () => [service({ scheduler: 'dh', inhibitOnFailure: true }), 'services[0].inhibitOnFailure'],
  'sorry-server': () => [service({ port: 53, protocol: 'UDP', healthCheck: { type: 'none' }, sorryServer: true }), 'services[0].sorryServer'],
  'quorum': () => [service({ quorum: { weight: 300 } }), 'services[0].quorum.weight'],
  'misc-check': () => [service({ miscCheck: { command: ['curl', 'http://{address}/'] } }), 'services[0].miscCheck.command[0]'],
  'keepalived-line': () => [{ vrrp: { trackScript: { command: ['/usr/bin/true', ...Array.from({ length: 15 }, () => 'x'.repeat(128))] } } },
    'vrrp.trackScript.command'],
  'service-members': () => [service({ realServers: ['rs-9'] }), 'services[0].realServers[0]'],
  'service-weight': () => [{ realServers: [{ ...RS1, weight: 0 }, { ...RS2, weight: 0 }] }, 'services[0].realServers'],
  'unique-services': () => [{ services: [{ vip: VIP }, { vip: VIP }] }, 'services[1]'],
  'real-server-port': () => [realServers({ port: 8080 }), 'realServers[1].port'],
  'mac-collision': () => [{ realServers: macTwins().map((name, i) => ({ name, address: `192.168.20.${143 + i}` })) }, 'realServers[1].name'],
  'ipv6-cidr': () => [dualStack([{ vip: VIP }], 'fd77::1/64'), 'network.ipv6Cidr'],
  'ipv6-bridge-only': () => [{ network: { ipv6Cidr: 'fd77::/64' } }, 'network.ipv6Cidr'],
  'ipv6-needs-cidr': () => [directors({ address6: 'fd77::142' }), 'directors[1].address6'],
  'address6-in-prefix': () => [dualStack([{ vip: 'fd78::140' }]), 'services[0].vip'],
  'unique-addresses6': () => [{ ...dualStack([{ vip: VIP }]), ...realServers({ address6: 'fd77::143' }) }, 'realServers[1].address6'],
  'ipv6-vip-version': () => [dualStack([{ vip: 'fd77::140' }], 'fd77::/64', 2), 'vrrp.version'],
  'unique-services6': () => [dualStack([{ vip: 'fd77::140' }, { vip: 'fd77:0::140' }]), 'services[1]'],
  'ipv6-service-options': () => [dualStack([{ vip: 'fd77::140', sorryServer: true }]), 'services[0].sorryServer'],
};

describe('every rule, once', () => {
  test('there is a case for every rule and a rule for every case', () => {
    expect(Object.keys(CASES).sort()).toEqual(LAB_RULES.map((rule) => rule.id).sort());
  });

  test.each(LAB_RULES.map((rule) => rule.id))('%s', (rule) => {
    const [config, path] = CASES[rule]();
    expectRule(config, rule, path);
  });
});
