import { formatIpv6, parseIpv6 } from '../ipv6';
import { type LabRule, isIntegerIn, entries } from './read';

/** No two IPv6 services with the same (vip, port, protocol), however the VIP is spelled. */
export const uniqueServices6Rule: LabRule = {
  id: 'unique-services6',
  check: (input, report) => {
    const seen = new Map<string, string>();
    for (const service of entries(input, 'services')) {
      const vip = parseIpv6(service.vip);
      if (vip === undefined || !isIntegerIn(service.port, 1, 65535) || typeof service.protocol !== 'string') continue;
      const key = `[${formatIpv6(vip)}]:${service.port}/${service.protocol}`;
      const first = seen.get(key);
      if (first) report(service.at, key, `a (vip, port, protocol) no other service has (${first} has it)`);
      else seen.set(key, service.at);
    }
  },
};
