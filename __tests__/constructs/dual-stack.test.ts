import { LvsDrLabStack } from '../../constructs';
import { resolveLabConfig } from '../../lab';
import { Testing } from '../../constructs/engine';
import { DUAL_STACK_LAB } from '../helpers/dual-stack';
import { roundTripFailures } from '../helpers/round-trip';
import { seedDocuments, seedFiles, synthToDisk } from '../helpers/seed';

describe('a dual-stack lab synthesized', () => {
  // GIVEN the dual-stack lab WHEN synthesized to disk (seeds as the VMs get them)
  const out = synthToDisk((app) => new LvsDrLabStack(app, 'dual', { lab: DUAL_STACK_LAB }));
  afterAll(() => out.dispose());

  test('each VM\'s seed network-config gives lab0 both addresses', () => {
    const lab = resolveLabConfig(DUAL_STACK_LAB);
    for (const vm of [...lab.directors, ...lab.realServers]) {
      expect(seedFiles(out, vm.domainName).networkConfig).toContain(`    addresses:\n      - ${vm.address}/24\n      - ${vm.address6}/64\n`);
    }
  });

  test('directors get the IPv6 instance, real servers the IPv6 VIP on lo and [::] listeners', () => {
    const director = seedFiles(out, 'lvs-lab--director-2').userData;
    expect(director).toContain('vrrp_instance VI_LVS_LAB6 {');
    expect(director).toContain('unicast_src_ip fd77::12');
    expect(director).toContain('real_server fd77::21 8080 {');
    const rs = seedFiles(out, 'lvs-lab--rs-2').userData;
    expect(rs).toContain("readonly VIPS6=('fd77::100')");
    expect(rs).toContain('listen [::]:8080 default_server;');
  });

  test('cloud-init\'s YAML loader reads every VM\'s seed user-data and network-config as exactly the object rendered', () => {
    expect(roundTripFailures(seedDocuments(out, resolveLabConfig(DUAL_STACK_LAB)))).toEqual([]);
  });

  test('outputs the IPv6 VIP URLs in brackets', () => {
    expect(out.json.output.vip_urls.value).toEqual(['http://10.77.0.100/', 'http://[fd77::100]/', 'http://[fd77::100]:8080/']);
  });

  test('the constructs expose the IPv6 VIPs and the instances', () => {
    const stack = new LvsDrLabStack(Testing.app(), 'dual', { lab: DUAL_STACK_LAB });
    expect(stack.cluster.realServers.map((rs) => [rs.name, rs.vips, rs.vips6])).toEqual([
      ['rs-1', ['10.77.0.100'], ['fd77::100']],
      ['rs-2', ['10.77.0.100'], ['fd77::100']],
    ]);
    expect(stack.cluster.directors.map((d) => d.initialState)).toEqual(['MASTER', 'BACKUP']);
    expect(stack.cluster.lab.network.ipv6).toEqual({ cidr: 'fd77::/64', prefixLength: 64, networkAddress: 'fd77::' });
  });

  test('an IPv4-only lab\'s real servers have no IPv6 VIPs', () => {
    const stack = new LvsDrLabStack(Testing.app(), 'v4', { lab: {} });
    expect(stack.cluster.realServers.map((rs) => rs.vips6)).toEqual([[], []]);
  });
});
