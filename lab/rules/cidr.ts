import { formatIpv4, overlaps, parseCidr, type Ipv4Network } from '../ipv4';
import { type LabRule, section, usableNetwork } from './read';

/** Ranges that cannot be a lab segment: the host's own, or never unicast on a link. */
const RESERVED_NETWORKS: readonly { cidr: string; what: string }[] = [
  { cidr: '0.0.0.0/8', what: '"this network" (0.0.0.0/8)' },
  { cidr: '127.0.0.0/8', what: 'loopback (127.0.0.0/8)' },
  { cidr: '169.254.0.0/16', what: 'link-local (169.254.0.0/16)' },
  { cidr: '224.0.0.0/4', what: 'multicast (224.0.0.0/4)' },
  { cidr: '240.0.0.0/4', what: 'reserved (240.0.0.0/4, broadcast included)' },
];

/** `network.cidr`: host bits zero, and a range a lab segment can use. */
export const cidrRule: LabRule = {
  id: 'cidr',
  check: ({ lab }, report) => {
    const cidr = section(lab.network).cidr;
    const network = usableNetwork(cidr);
    if (!network) return; // malformed: a schema problem
    if (network.address !== network.networkAddress) {
      const fixed = `${formatIpv4(network.networkAddress)}/${network.prefixLength}`;
      report('network.cidr', cidr, `a network address with every host bit zero, i.e. ${fixed}`);
      return;
    }
    const reserved = RESERVED_NETWORKS.find((r) => overlaps(network, parseCidr(r.cidr) as Ipv4Network));
    if (reserved) {
      report('network.cidr', cidr, 'a unicast network outside 0.0.0.0/8, 127.0.0.0/8, 169.254.0.0/16 and 224.0.0.0/3',
        `it overlaps ${reserved.what}, which no lab segment can use`);
    }
  },
};
