import { ensureLan, lanBridgeMac } from '../../e2e/lan';
import { resolveLabConfig } from '../../lab';
import { NetnsSandbox } from '../helpers/netns';

/*
 * The sandbox's LAN bridge keeps its MAC when a port with a lower MAC joins it (the client's veth
 * after the lab is up): otherwise the router at the gateway changes MAC under the VMs' ARP
 * caches, and a director whose track script pings the gateway goes FAULT for half a minute.
 */
describe('ensureLan', () => {
  let ns: NetnsSandbox;
  afterAll(() => ns?.destroy());

  test("the bridge keeps its own MAC when a port with a lower MAC joins", () => {
    // GIVEN a bridged lab without a gateway (no router or DNS: only the bridge is made)
    const lab = resolveLabConfig({ network: { mode: 'bridge', bridge: 'br-test' }, image: { preinstalled: true } });
    ns = NetnsSandbox.create('lan');
    ensureLan({ ns: ns.name, wanNs: 'unused', wanIp: '203.0.113.1', uplinkIp: '203.0.113.2', bridge: 'br-test', lab, dnsLog: '/dev/null' });
    const mac = () => ns.run(['cat', '/sys/class/net/br-test/address']).stdout.trim();
    expect(mac()).toBe('02:00:c0:a8:14:00');
    expect(lanBridgeMac(lab)).toBe('02:00:c0:a8:14:00');

    // WHEN a port whose MAC is lower than the bridge's joins it
    for (const argv of [
      ['ip', 'link', 'add', 'cli0', 'address', '00:00:5e:00:53:01', 'type', 'veth', 'peer', 'name', 'cli1'],
      ['ip', 'link', 'set', 'cli0', 'master', 'br-test', 'up'],
    ]) expect(ns.run(argv).stderr).toBe('');

    // THEN the bridge (the LAN's router) keeps its MAC
    expect(ns.run(['ip', '-br', 'link', 'show', 'master', 'br-test']).stdout).toMatch(/^cli0@cli1\s+\S+\s+00:00:5e:00:53:01/m);
    expect(mac()).toBe('02:00:c0:a8:14:00');
  });
});
