import { overlaps6, parseCidr6, type Ipv6Network } from '../ipv6';
import { type LabRule, section } from './read';
import { usableNetwork6, cidr6Text } from './read6';

/** Ranges that cannot be a lab prefix: never unicast on a link, or the host's own. */
const RESERVED_NETWORKS6: readonly { cidr: string; what: string }[] = [
  { cidr: '::/127', what: 'the unspecified (::) and loopback (::1) addresses' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped addresses (::ffff:0:0/96)' },
  { cidr: 'fe80::/10', what: 'link-local (fe80::/10)' },
  { cidr: 'ff00::/8', what: 'multicast (ff00::/8)' },
];

/** `network.ipv6Cidr`: host bits zero, and a range a lab segment can use. */
export const ipv6CidrRule: LabRule = {
  id: 'ipv6-cidr',
  check: ({ lab }, report) => {
    const cidr = section(lab.network).ipv6Cidr;
    const network = usableNetwork6(cidr);
    if (!network) return; // malformed: a schema problem
    if (network.address !== network.networkAddress) {
      report('network.ipv6Cidr', cidr, `a prefix with every host bit zero, i.e. ${cidr6Text(network)}`);
      return;
    }
    const reserved = RESERVED_NETWORKS6.find((r) => overlaps6(network, parseCidr6(r.cidr) as Ipv6Network));
    if (reserved) {
      report('network.ipv6Cidr', cidr, 'a global or unique-local prefix such as fd77::/64 (not link-local, multicast, loopback or unspecified)',
        `it overlaps ${reserved.what}, which no lab segment can use`);
    }
  },
};
