import { formatIpv4, parseIpv4 } from '../ipv4';
import { type LabRule, section, usableNetwork, gatewayOf, subnetHolds } from './read';

/** nat: libvirt gives the host the first address of the cidr and routes from there; the gateway can only be that. */
export const natGatewayRule: LabRule = {
  id: 'nat-gateway',
  check: (input, report) => {
    const network = section(input.lab.network);
    const gateway = gatewayOf(input);
    const subnet = usableNetwork(network.cidr);
    const address = parseIpv4(gateway.value);
    if (gateway.isDefault || network.mode !== 'nat' || !subnet || address === undefined) return;
    if (address !== subnet.networkAddress + 1 && subnetHolds(subnet, address)) {
      const firstHost = formatIpv4(subnet.networkAddress + 1);
      report('network.gateway', gateway.value, `${firstHost}, the first host, in nat mode`, `libvirt's nat network puts the host, the only way out, at ${firstHost}`);
    }
  },
};
