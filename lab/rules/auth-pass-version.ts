import { type LabRule, section } from './read';

/** VRRPv3 (RFC 5798) has no authentication. */
export const authPassVersionRule: LabRule = {
  id: 'auth-pass-version',
  check: ({ lab }, report) => {
    const vrrp = section(lab.vrrp);
    if (typeof vrrp.authPass === 'string' && vrrp.version === 3) {
      report('vrrp.authPass', vrrp.authPass, 'no authPass with vrrp.version 3', 'VRRPv3 (RFC 5798) has no authentication');
    }
  },
};
