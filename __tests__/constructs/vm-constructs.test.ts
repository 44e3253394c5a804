import { Domain } from '../../.gen/providers/libvirt/domain';
import { Volume } from '../../.gen/providers/libvirt/volume';
import { LvsDirector, RealServer } from '../../constructs';
import { Testing } from '../../constructs/engine';
import { directorUserData, realServerUserData } from '../helpers/lab-fixtures';

/*
 * The VM-level constructs on their own, without a cluster or a lab config: narrow props (the
 * VM, its interface, its user-data model, where it goes), asserted with cdktf's matchers.
 */
const placement = { poolName: 'shop-pool', baseVolumeId: 'base-volume-id', network: { networkId: 'net-id' }, domainType: 'qemu' as const };
const vm = (name: string, address: string) => ({
  name, domainName: `shop-${name}`, address, macAddress: '52:54:00:aa:bb:cc', vcpu: 2, memoryMiB: 1024,
});
const networkInterface = (address: string) => ({ release: 13 as const, name: 'lab0', macAddress: '52:54:00:aa:bb:cc', address, prefixLength: 24, dns: [] });

describe('LvsDirector on its own', () => {
  // GIVEN a director from its models only WHEN synthesized
  let director!: LvsDirector;
  const synthesized = Testing.synthScope((scope) => {
    director = new LvsDirector(scope, 'lb-1', {
      ...placement, vm: vm('director-1', '192.168.20.141'), networkInterface: networkInterface('192.168.20.141'), userData: directorUserData(),
    });
  });

  test('creates its domain with the given name, engine, size and MAC on the given network', () => {
    expect(synthesized).toHaveResourceWithProperties(Domain, {
      name: 'shop-director-1',
      type: 'qemu',
      vcpu: 2,
      memory: 1024,
      network_interface: [expect.objectContaining({ network_id: 'net-id', mac: '52:54:00:aa:bb:cc' })],
    });
  });

  test('puts its disk over the given base image in the given pool', () => {
    expect(synthesized).toHaveResourceWithProperties(Volume, { pool: 'shop-pool', base_volume_id: 'base-volume-id' });
  });

  test('exposes the keepalived.conf it installs and its initial state', () => {
    expect(director.initialState).toBe('MASTER');
    expect(director.keepalivedConf).toContain('virtual_server 192.168.20.140 80 {');
  });
});

describe('RealServer on its own', () => {
  let realServer!: RealServer;
  const synthesized = Testing.synthScope((scope) => {
    realServer = new RealServer(scope, 'app-1', {
      ...placement, vm: vm('rs-1', '192.168.20.143'), networkInterface: networkInterface('192.168.20.143'), userData: realServerUserData(),
    });
  });

  test('creates its domain and exposes its VIPs', () => {
    expect(synthesized).toHaveResourceWithProperties(Domain, { name: 'shop-rs-1', type: 'qemu' });
    expect(realServer.vips).toEqual(['192.168.20.140']);
  });
});
