import { defaultFwmark } from '../derive';
import { MAX_FWMARK } from '../../cloud-init/keepalived-limits';
import { type LabRule, join, isIntegerIn, entries, rawServiceOf } from './read';

/** `fwmark` only with `ports`; marks (given or 1 + index) unique across services. */
export const fwmarkRule: LabRule = {
  id: 'fwmark',
  check: (input, report) => {
    const seen = new Map<number, string>();
    entries(input, 'services').forEach((service, index) => {
      const raw = rawServiceOf(input, service);
      const at = join(service.at, 'fwmark');
      if (raw.ports === undefined) {
        if (raw.fwmark !== undefined) report(at, raw.fwmark, 'no fwmark without ports', 'only a service over several ports is grouped by a firewall mark');
        return;
      }
      const given = raw.fwmark !== undefined;
      const mark = given ? raw.fwmark : defaultFwmark(index);
      if (!isIntegerIn(mark, 1, MAX_FWMARK)) return;
      const first = seen.get(mark);
      if (first) {
        report(at, given ? mark : undefined, `a firewall mark no other service has (${first} has ${mark})`,
          given ? undefined : `the default is 1 + the service's index, ${mark}: give fwmark explicitly`);
      } else seen.set(mark, given ? at : `${at} (default)`);
    });
  },
};
