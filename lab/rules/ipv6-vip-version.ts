import { parseIpv6 } from '../ipv6';
import { type LabRule, section, join, entries } from './read';

/** keepalived runs VRRP for IPv6 only as VRRPv3 (RFC 5798); VRRPv2 is IPv4 only. */
export const ipv6VipVersionRule: LabRule = {
  id: 'ipv6-vip-version',
  check: (input, report) => {
    const version = section(input.lab.vrrp).version;
    const first = entries(input, 'services').find((service) => parseIpv6(service.vip) !== undefined);
    if (!first || version !== 2) return;
    report('vrrp.version', version, `3 when a service has an IPv6 VIP (${join(first.at, 'vip')} is ${String(first.vip)})`,
      'VRRP for IPv6 is VRRPv3 (RFC 5798); VRRPv2 carries IPv4 addresses only');
  },
};
