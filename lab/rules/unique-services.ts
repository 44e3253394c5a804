import { parseIpv4 } from '../ipv4';
import { type LabRule, entries, portsOf } from './read';

/** No two services with the same (vip, port, protocol): keepalived would merge or reject them. */
export const uniqueServicesRule: LabRule = {
  id: 'unique-services',
  check: (input, report) => {
    const seen = new Map<string, string>();
    for (const service of entries(input, 'services')) {
      if (parseIpv4(service.vip) === undefined || typeof service.protocol !== 'string') continue;
      // A firewall-mark service takes every one of its ports.
      for (const port of new Set(portsOf(service))) {
        const key = `${String(service.vip)}:${port}/${service.protocol}`;
        const first = seen.get(key);
        if (first && first !== service.at) report(service.at, key, `a (vip, port, protocol) no other service has (${first} has it)`);
        else seen.set(key, service.at);
      }
    }
  },
};
