import { ADVERT_INT_MAX_SEC, ADVERT_INT_V3_MAX_SEC, ADVERT_INT_V3_STEP_SEC, isAdvertIntV3Step } from '../../cloud-init/keepalived-limits';
import { type LabRule, section } from './read';

/**
 * `vrrp.advertIntSec`: VRRPv2 carries whole seconds in one byte (1-255); VRRPv3 carries
 * centiseconds in 12 bits (0.01-40.95).
 */
export const advertIntervalRule: LabRule = {
  id: 'advert-interval',
  check: ({ lab }, report) => {
    const vrrp = section(lab.vrrp);
    const interval = vrrp.advertIntSec;
    if (typeof interval !== 'number' || !(interval > 0 && interval <= ADVERT_INT_MAX_SEC)) return;
    const at = 'vrrp.advertIntSec';
    if (vrrp.version === 2 && !Number.isInteger(interval)) {
      report(at, interval, `whole seconds 1-${ADVERT_INT_MAX_SEC} with VRRP version 2`, 'fractional advert intervals need vrrp.version 3');
    } else if (vrrp.version === 3 && (!isAdvertIntV3Step(interval) || interval > ADVERT_INT_V3_MAX_SEC)) {
      report(at, interval, `seconds ${ADVERT_INT_V3_STEP_SEC}-${ADVERT_INT_V3_MAX_SEC} in steps of ${ADVERT_INT_V3_STEP_SEC} with VRRP version 3`);
    }
  },
};
