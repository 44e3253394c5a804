import { resolveLabConfig, type LabConfig } from '../../lab';
import type { DoctorCheck, LabContext } from '../../doctor/check';
import { bridgeCheck } from '../../doctor/checks/bridge';
import { bridgeNetfilterCheck } from '../../doctor/checks/bridge-netfilter';
import { subnetCheck } from '../../doctor/checks/subnet';
import { localHost, type DoctorHost } from '../../doctor/host';
import { forwardVerdict, ipLinks, ipRoutes } from '../../doctor/parse';
import { NetnsSandbox } from '../helpers/netns';
import { requireTool } from '../helpers/tools';

/*
 * The checks that read the network against the real tools (ip, iptables, sysctl) in a throwaway
 * network namespace: its own links, routes, iptables tables and bridge sysctls, so the host's are
 * neither read nor touched. What the stand-in host of checks.test.ts prints is checked here
 * against what the tools really print.
 */
let ns: NetnsSandbox;
beforeAll(() => {
  requireTool('iptables', 'iptables');
  requireTool('sysctl', 'procps');
  requireTool('virsh', 'libvirt-clients');
  ns = NetnsSandbox.create('doctor', [{ name: 'lan0', addresses: ['192.168.0.2/16'] }]);
  must(['ip', 'route', 'add', '10.9.9.9', 'dev', 'lan0']);
  must(['ip', 'route', 'add', 'blackhole', '10.20.0.0/16']);
});
afterAll(() => ns?.destroy());

function must(argv: string[]): void {
  const r = ns.run(argv);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.output}`);
}

/** This machine, with every program run inside the namespace. */
function hostInNamespace(): DoctorHost {
  const local = localHost(process.env);
  return { ...local, run: (command, args, options) => local.run('ip', ['netns', 'exec', ns.name, command, ...args], options) };
}

function check(c: DoctorCheck<LabContext>, config: LabConfig = {}) {
  return c.run({ host: hostInNamespace(), root: '/nonexistent', config, lab: resolveLabConfig(config) });
}

describe('parsers, on what the tools print', () => {
  test('ip -j route: networks, a host route as /32, a blackhole without a device; no default route', () => {
    const routes = ipRoutes(ns.run(['ip', '-j', 'route']).stdout).map(({ dst, dev, type, text }) => ({ dst, dev, type, text }));
    expect(routes).toEqual(expect.arrayContaining([
      { dst: '192.168.0.0/16', dev: 'lan0', type: 'unicast', text: '192.168.0.0/16 dev lan0' },
      { dst: '10.9.9.9/32', dev: 'lan0', type: 'unicast', text: '10.9.9.9/32 dev lan0' },
      { dst: '10.20.0.0/16', dev: undefined, type: 'blackhole', text: 'blackhole 10.20.0.0/16' },
    ]));
    expect(routes).toHaveLength(3);
  });

  test('ip -j -d link: a veth\'s kind and the UP flag', () => {
    expect(ipLinks(ns.run(['ip', '-j', '-d', 'link', 'show', 'dev', 'lan0']).stdout)).toEqual([{ name: 'lan0', up: true, kind: 'veth' }]);
  });
});

describe('subnet, against real routes', () => {
  test('fails when the namespace\'s LAN (192.168.0.0/16) covers the lab', () => {
    const r = check(subnetCheck);
    expect(r.ok).toBe(false);
    expect(r.problem).toContain("overlaps the host's route 192.168.0.0/16 dev lan0");
  });

  test('passes for a lab in a subnet nothing routes', () => {
    const lab: LabConfig = {
      network: { cidr: '10.30.0.0/24' },
      directors: [{ name: 'd1', address: '10.30.0.11', priority: 100 }, { name: 'd2', address: '10.30.0.12', priority: 50 }],
      services: [{ vip: '10.30.0.10' }],
      realServers: [{ name: 'rs1', address: '10.30.0.21' }],
    };
    expect(check(subnetCheck, lab)).toEqual({ id: 'subnet', ok: true, summary: 'no host route overlaps network.cidr 10.30.0.0/24' });
  });
});

describe('bridge and bridge-netfilter, against a real bridge and real iptables', () => {
  const bridged: LabConfig = { network: { mode: 'bridge', bridge: 'br-lab', cidr: '192.168.0.0/16' }, image: { preinstalled: true },
    directors: [{ name: 'd1', address: '192.168.20.141', priority: 100 }, { name: 'd2', address: '192.168.20.142', priority: 50 }],
    services: [{ vip: '192.168.20.140' }],
    realServers: [{ name: 'rs1', address: '192.168.20.143' }] };

  test('a missing bridge, a veth named as the bridge, a bridge that is down, then up', () => {
    expect(check(bridgeCheck, bridged).problem).toBe('network.bridge br-lab does not exist on this host (Device "br-lab" does not exist.)');
    expect(check(bridgeCheck, { ...bridged, network: { ...bridged.network, bridge: 'lan0' } }).problem)
      .toBe('network.bridge lan0 is a veth link, not a bridge');
    must(['ip', 'link', 'add', 'br-lab', 'type', 'bridge']);
    expect(check(bridgeCheck, bridged).problem).toBe("bridge br-lab is down: the VMs' links would have no carrier");
    must(['ip', 'link', 'set', 'br-lab', 'up']);
    expect(check(bridgeCheck, bridged)).toEqual({ id: 'bridge', ok: true, summary: 'br-lab is a bridge and up' });
  });

  test('FORWARD policy DROP with bridge-nf-call-iptables=1 fails; an ACCEPT rule for the bridge passes', () => {
    // The bridge sysctls are the namespace's own (per network namespace since Linux 5.3); 1 is
    // also the default of a new namespace.
    must(['sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
    must(['iptables', '-P', 'FORWARD', 'DROP']);
    const dropped = check(bridgeNetfilterCheck, bridged);
    expect(dropped.ok).toBe(false);
    expect(dropped.fix).toContain('`iptables -I FORWARD -i br-lab -o br-lab -j ACCEPT`');

    must(['iptables', '-I', 'FORWARD', '-i', 'br-lab', '-o', 'br-lab', '-j', 'ACCEPT']);
    const rules = ns.run(['iptables', '-S']).stdout;
    expect(forwardVerdict(rules, 'br-lab')).toEqual({ policy: 'DROP', dockerUser: false, acceptsBridge: true });
    expect(check(bridgeNetfilterCheck, bridged).ok).toBe(true);
  });
});
