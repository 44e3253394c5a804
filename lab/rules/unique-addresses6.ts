import { parseIpv6 } from '../ipv6';
import { type LabRule, section, join, entries, DR_SEPARATE_HOSTS } from './read';
import { usableNetwork6, type Vm6, vms6Of } from './read6';

/** No IPv6 address used twice (given or default); an IPv6 VIP is no VM's address6. */
export const uniqueAddresses6Rule: LabRule = {
  id: 'unique-addresses6',
  check: (input, report) => {
    const network = usableNetwork6(section(input.lab.network).ipv6Cidr);
    if (!network) return;
    const owners = new Map<bigint, Vm6>();
    for (const vm of vms6Of(input, network)) {
      if (vm.address === undefined) continue;
      const owner = owners.get(vm.address);
      if (!owner) owners.set(vm.address, vm);
      else if (owner.kind === 'director' && vm.kind === 'real server') {
        report(vm.at, vm.value, `a real server address6 that is not a director's (${owner.at})`, vm.defaultHint ?? DR_SEPARATE_HOSTS);
      } else report(vm.at, vm.value, `an address6 not already used (${owner.at} has it)`, vm.defaultHint);
    }
    const vips = new Set<bigint>();
    for (const service of entries(input, 'services')) {
      const vip = parseIpv6(service.vip);
      if (vip === undefined || vips.has(vip)) continue; // services may share a VIP
      vips.add(vip);
      const owner = owners.get(vip);
      if (owner) {
        report(join(service.at, 'vip'), service.vip, `an address no VM owns (${owner.at} has it)`,
          'keepalived moves the VIP between directors and real servers bind it on lo, so it must be a separate address');
      }
    }
  },
};
