import { formatIpv6, ipv6NetworkHolds, parseIpv6 } from '../ipv6';
import { type LabRule, section, join, entries } from './read';
import { usableNetwork6, cidr6Text, vms6Of } from './read6';

/** Every address6 (given or default) and every IPv6 VIP is inside the prefix, and not its subnet-router anycast address. */
export const address6InPrefixRule: LabRule = {
  id: 'address6-in-prefix',
  check: (input, report) => {
    const network = usableNetwork6(section(input.lab.network).ipv6Cidr);
    if (!network) return;
    const allowed = `an address inside ${cidr6Text(network)} other than its subnet-router anycast address ${formatIpv6(network.networkAddress)} (host part 0)`;
    const check = (at: string, value: unknown, address: bigint | undefined, why?: string) => {
      if (address === undefined) return;
      if (!ipv6NetworkHolds(network, address) || address === network.networkAddress) report(at, value, allowed, why);
    };
    for (const vm of vms6Of(input, network)) check(vm.at, vm.value, vm.address, vm.defaultHint);
    for (const service of entries(input, 'services')) {
      check(join(service.at, 'vip'), service.vip, parseIpv6(service.vip), 'DR delivers by MAC, so the VIP must be on the lab segment');
    }
  },
};
