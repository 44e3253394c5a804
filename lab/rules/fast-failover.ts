import {
  ADVERT_INT_MAX_SEC, FAST_FAILOVER_MIN_ADVERT_SEC, FAST_FAILOVER_RULE_TEXT, PRIORITY_MAX, PRIORITY_MIN, fastFailoverMaxAdvertSec, fastFailoverMinPriority, fastFailoverTakeoverSec, keepsFastFailoverBound, masterDownIntervalSec,
} from '../../cloud-init/keepalived-limits';
import { LabSchema } from '../schema';
import { type LabRule, section, join, isIntegerIn, entries } from './read';

/**
 * `vrrp.fastFailover` promises the service back within FAST_FAILOVER_BOUND_SEC of the MASTER's
 * last advert: VRRPv3 (fractional adverts), adverts of at least FAST_FAILOVER_MIN_ADVERT_SEC, and
 * every director, as a BACKUP (any may be one: nopreempt, or after a failover), taking over in
 * time: 3 adverts + skew, skew = (256 - priority) / 256 × advertIntSec (RFC 5798), plus
 * FAST_FAILOVER_MARGIN_SEC.
 */
const DEFAULT_PRIORITIES = (LabSchema.properties.directors.default as readonly { priority: number }[]).map((d) => d.priority);

export const fastFailoverRule: LabRule = {
  id: 'fast-failover',
  check: (input, report) => {
    const vrrp = section(input.lab.vrrp);
    if (vrrp.fastFailover !== true) return;
    const why = 'vrrp.fastFailover is true';
    if (vrrp.version === 2) {
      report('vrrp.version', vrrp.version, '3 with vrrp.fastFailover', `${why}: keepalived takes fractional advert intervals with VRRPv3 only`);
    }
    const interval = vrrp.advertIntSec;
    if (typeof interval !== 'number' || !(interval > 0 && interval <= ADVERT_INT_MAX_SEC)) return;
    const longest = fastFailoverMaxAdvertSec(PRIORITY_MAX);
    if (interval < FAST_FAILOVER_MIN_ADVERT_SEC) {
      report('vrrp.advertIntSec', interval, `${FAST_FAILOVER_MIN_ADVERT_SEC}-${longest} seconds with vrrp.fastFailover`,
        `${why}: a BACKUP takes over 3 advert intervals after the last advert, so below ${FAST_FAILOVER_MIN_ADVERT_SEC} s a director stalled for ${(3 * FAST_FAILOVER_MIN_ADVERT_SEC).toFixed(1)} s loses the VIP`);
      return;
    }
    const minPriority = fastFailoverMinPriority(interval);
    if (minPriority === undefined) {
      report('vrrp.advertIntSec', interval, `${FAST_FAILOVER_MIN_ADVERT_SEC}-${longest} seconds with vrrp.fastFailover`,
        `${why}, which needs ${FAST_FAILOVER_RULE_TEXT}; at advertIntSec ${interval} even priority ${PRIORITY_MAX} takes ${fastFailoverTakeoverSec(PRIORITY_MAX, interval).toFixed(3)} s ` +
        `(0.2 s adverts take over in ${masterDownIntervalSec(240, 0.2, 3).toFixed(2)} s at priority 240)`);
      return;
    }
    for (const director of entries(input, 'directors')) {
      if (!isIntegerIn(director.priority, PRIORITY_MIN, PRIORITY_MAX) || keepsFastFailoverBound(director.priority, interval)) continue;
      report(join(director.at, 'priority'), director.priority, `a priority of at least ${minPriority} at advertIntSec ${interval} with vrrp.fastFailover (or shorter adverts)`,
        `${why}, which needs ${FAST_FAILOVER_RULE_TEXT}; as a BACKUP this director takes ${fastFailoverTakeoverSec(director.priority, interval).toFixed(3)} s` +
        (director.fromDefault ? `; the default directors have ${DEFAULT_PRIORITIES.join(' and ')}: list directors with priorities such as 250 and 240` : ''));
    }
  },
};
