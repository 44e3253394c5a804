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
    if (typeof interval !== 'number' || !(interval > 0 && interval <= 255)) return;
    const at = 'vrrp.advertIntSec';
    if (vrrp.version === 2 && !Number.isInteger(interval)) {
      report(at, interval, 'whole seconds 1-255 with VRRP version 2', 'fractional advert intervals need vrrp.version 3');
    } else if (vrrp.version === 3 && (Math.abs(interval * 100 - Math.round(interval * 100)) > 1e-6 || interval > 40.95)) {
      report(at, interval, 'seconds 0.01-40.95 in steps of 0.01 with VRRP version 3');
    }
  },
};
