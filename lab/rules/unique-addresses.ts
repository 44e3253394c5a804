import { parseIpv4 } from '../ipv4';
import { type LabRule, join, type Vm, entries, vmsOf, gatewayOf, DR_SEPARATE_HOSTS } from './read';

/** No address used twice: gateway, directors, real servers; a VIP is no VM's address. */
export const uniqueAddressesRule: LabRule = {
  id: 'unique-addresses',
  check: (input, report) => {
    const owners = new Map<number, { at: string; kind: 'gateway' | Vm['kind'] }>();
    const gateway = gatewayOf(input);
    const gatewayAddress = parseIpv4(gateway.value);
    if (gatewayAddress !== undefined) {
      owners.set(gatewayAddress, { at: gateway.isDefault ? 'the nat gateway, the first host of network.cidr,' : 'network.gateway', kind: 'gateway' });
    }
    for (const vm of vmsOf(input)) {
      const address = parseIpv4(vm.address);
      if (address === undefined) continue;
      const owner = owners.get(address);
      const at = join(vm.at, 'address');
      if (!owner) owners.set(address, { at, kind: vm.kind });
      else if (owner.kind === 'director' && vm.kind === 'real server') {
        report(at, vm.address, `a real server address that is not a director's (${owner.at})`, DR_SEPARATE_HOSTS);
      } else report(at, vm.address, `an address not already used (${owner.at} has it)`);
    }
    const vips = new Set<number>();
    for (const service of entries(input, 'services')) {
      const vip = parseIpv4(service.vip);
      if (vip === undefined || vips.has(vip)) continue; // services may share a VIP
      vips.add(vip);
      const owner = owners.get(vip);
      const at = join(service.at, 'vip');
      if (owner?.kind === 'gateway') report(at, service.vip, `an address not already used (${owner.at} has it)`);
      else if (owner) {
        report(at, service.vip, `an address no VM owns (${owner.at} has it)`,
          'keepalived moves the VIP between directors and real servers bind it on lo, so it must be a separate address');
      }
    }
  },
};
