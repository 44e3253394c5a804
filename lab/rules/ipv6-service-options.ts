import { parseIpv6 } from '../ipv6';
import { type LabRule, join, entries } from './read';

/**
 * What an IPv6 service cannot have yet: `ports` (the directors' marking rules are IPv4 `ip daddr`
 * rules, and keepalived's fwmark service is IPv4 unless told otherwise) and `sorryServer` (the
 * sorry destination is 127.0.0.1, which keepalived refuses in an IPv6 virtual server).
 */
export const ipv6ServiceOptionsRule: LabRule = {
  id: 'ipv6-service-options',
  check: (input, report) => {
    for (const service of entries(input, 'services')) {
      if (parseIpv6(service.vip) === undefined) continue;
      if (service.ports !== undefined) {
        report(join(service.at, 'ports'), service.ports, `no ports with an IPv6 VIP (${join(service.at, 'vip')} is ${String(service.vip)}): one port per IPv6 service`,
          'firewall-mark services are IPv4 only for now');
      }
      if (service.sorryServer === true) {
        report(join(service.at, 'sorryServer'), service.sorryServer, `false with an IPv6 VIP (${join(service.at, 'vip')} is ${String(service.vip)})`,
          'the sorry server is the director itself at 127.0.0.1, which keepalived refuses in an IPv6 virtual server; IPv4 services only for now');
      }
    }
  },
};
