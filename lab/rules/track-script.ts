import { MAX_TIMER_SEC, PRIORITY_MAX, PRIORITY_MIN, TRACK_SCRIPT_WEIGHT_MAX } from '../../cloud-init/keepalived-limits';
import { type LabRule, section, isIntegerIn, entries, checkExecutable } from './read';

/**
 * `vrrp.trackScript`: an absolute executable, a timeout within the interval, and a weight that
 * can move the VIP (a failing check on the MASTER must put it below every other director).
 */
export const trackScriptRule: LabRule = {
  id: 'track-script',
  check: (input, report) => {
    const check = section(section(input.lab.vrrp).trackScript);
    if (Object.keys(check).length === 0) return;
    const at = 'vrrp.trackScript';
    checkExecutable(check.command, `${at}.command`, report, '/usr/bin/ping');
    const interval = check.intervalSec;
    if (isIntegerIn(check.timeoutSec, 1, MAX_TIMER_SEC) && isIntegerIn(interval, 1, MAX_TIMER_SEC) && check.timeoutSec > interval) {
      report(`${at}.timeoutSec`, check.timeoutSec, `at most intervalSec (${interval})`, 'a run may not outlast the interval to the next one');
    }
    const weight = check.weight;
    if (!isIntegerIn(weight, -TRACK_SCRIPT_WEIGHT_MAX, TRACK_SCRIPT_WEIGHT_MAX) || weight === 0) return;
    if (section(input.lab.vrrp).nopreempt === true) {
      // RFC 5798 6.4.2: a BACKUP without preemption resets its timer on every advert, whatever
      // the priority in it: a MASTER whose priority dropped keeps the VIP. Only FAULT moves it.
      report(`${at}.weight`, weight, '0 with vrrp.nopreempt (a failing check puts the director in FAULT, which gives up the VIP)',
        'with nopreempt no BACKUP takes the VIP from a MASTER whose priority dropped, so a weight never moves it');
      return;
    }
    const priorities = entries(input, 'directors').map((d) => d.priority).filter((p): p is number => isIntegerIn(p, PRIORITY_MIN, PRIORITY_MAX));
    if (priorities.length < 2) return;
    const spread = Math.max(...priorities) - Math.min(...priorities);
    if (Math.abs(weight) <= spread) {
      report(`${at}.weight`, weight, `0, or a weight whose size exceeds the directors' priority spread (${spread}), such as ${weight < 0 ? -(spread + 10) : spread + 10}`,
        'otherwise a failing check on the MASTER leaves it above the other directors and the VIP never moves');
    }
  },
};
