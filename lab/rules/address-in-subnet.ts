import { parseIpv4 } from '../ipv4';
import { type LabRule, section, join, entries, vmsOf, usableNetwork, gatewayOf, DEFAULT_ADDRESS_HINT, subnetHolds, subnetText } from './read';

/** Addresses (gateway, directors, real servers, VIPs) are hosts of the lab subnet. */
export const addressInSubnetRule: LabRule = {
  id: 'address-in-subnet',
  check: (input, report) => {
    const network = usableNetwork(section(input.lab.network).cidr);
    if (!network) return;
    const check = (at: string, value: unknown, why?: string) => {
      const address = parseIpv4(value);
      if (address !== undefined && !subnetHolds(network, address)) report(at, value, subnetText(network), why);
    };
    const gateway = gatewayOf(input);
    if (!gateway.isDefault) check('network.gateway', gateway.value);
    for (const vm of vmsOf(input)) check(join(vm.at, 'address'), vm.address, vm.fromDefault ? DEFAULT_ADDRESS_HINT : undefined);
    for (const service of entries(input, 'services')) {
      check(join(service.at, 'vip'), service.vip,
        service.fromDefault ? DEFAULT_ADDRESS_HINT : 'DR delivers by MAC, so the VIP must be on the lab segment');
    }
  },
};
