/** Dual stack (network.ipv6Cidr): IPv6 beside IPv4 on the same segment; the readers the IPv6 rules share. */
import { parseIpv4 } from '../ipv4';
import { defaultAddress6 } from '../derive';
import { formatIpv6, parseCidr6, parseIpv6, IPV6_PREFIX, type Ipv6Network } from '../ipv6';
import { type RuleInput, section, join, type Vm, entries } from './read';

/** The lab's IPv6 prefix when `network.ipv6Cidr` is usable (valid, prefix 48-120); host bits are masked off. */
export function usableNetwork6(cidr: unknown): Ipv6Network | undefined {
  const network = parseCidr6(cidr);
  return network && network.prefixLength >= IPV6_PREFIX.min && network.prefixLength <= IPV6_PREFIX.max ? network : undefined;
}

export const cidr6Text = (network: Ipv6Network) => `${formatIpv6(network.networkAddress)}/${network.prefixLength}`;

/** A VM's IPv6 address: the one given, else the default derived from its IPv4 address. */
export interface Vm6 {
  readonly at: string;
  readonly kind: Vm['kind'];
  readonly value: unknown;
  readonly address: bigint | undefined;
  /** Why, when the address is a default: which IPv4 address it comes from. */
  readonly defaultHint?: string;
}

export function vms6Of(input: RuleInput, network: Ipv6Network): Vm6[] {
  const cidr = section(input.lab.network).ipv6Cidr as string;
  return (['directors', 'realServers'] as const).flatMap((key) => entries(input, key).map((vm) => {
    const at = join(vm.at, 'address6');
    const kind = key === 'directors' ? 'director' as const : 'real server' as const;
    if (vm.address6 !== undefined) return { at, kind, value: vm.address6, address: parseIpv6(vm.address6) };
    const derived = parseIpv4(vm.address) !== undefined ? defaultAddress6(cidr, vm.address as string) : undefined;
    return {
      at, kind, value: derived, address: parseIpv6(derived),
      defaultHint: `this is the default, ${cidr6Text(network).replace(/\/\d+$/, '')} plus the last octet of ${join(vm.at, 'address')} (${String(vm.address)}); set ${at} to an address of the prefix`,
    };
  }));
}
