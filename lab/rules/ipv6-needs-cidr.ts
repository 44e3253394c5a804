import { parseIpv6 } from '../ipv6';
import { type LabRule, section, join, entries } from './read';

/** `address6` and IPv6 VIPs only with `network.ipv6Cidr`. */
export const ipv6NeedsCidrRule: LabRule = {
  id: 'ipv6-needs-cidr',
  check: (input, report) => {
    if (section(input.lab.network).ipv6Cidr !== undefined) return;
    for (const vm of [...entries(input, 'directors'), ...entries(input, 'realServers')]) {
      if (typeof vm.address6 === 'string') {
        report(join(vm.at, 'address6'), vm.address6, 'no address6 without network.ipv6Cidr', 'set network.ipv6Cidr (the lab\'s IPv6 prefix) to give the VMs IPv6 addresses');
      }
    }
    for (const service of entries(input, 'services')) {
      if (parseIpv6(service.vip) !== undefined) {
        report(join(service.at, 'vip'), service.vip, 'an IPv4 address of network.cidr, or an IPv6 VIP with network.ipv6Cidr set',
          'the lab has no IPv6 prefix: set network.ipv6Cidr for a dual-stack lab');
      }
    }
  },
};
