/** The lab schema's `vrrp` section: the directors' VRRP instance and the director check. */
import { Type } from '@sinclair/typebox';
import {
  ADVERT_INT_MAX_SEC, ADVERT_INT_V3_MAX_SEC, ADVERT_INT_V3_STEP_SEC, FAST_FAILOVER_BOUND_SEC, FAST_FAILOVER_MIN_ADVERT_SEC, FAST_FAILOVER_RULE_TEXT,
  fastFailoverMaxAdvertSec, masterDownIntervalSec, MAX_TIMER_SEC, TRACK_SCRIPT_WEIGHT_MAX, VRID_MAX, VRID_MIN,
} from '../cloud-init/keepalived-limits';
import { VRRP_TRANSPORTS } from '../cloud-init/model';
import { argv, integer, oneOf, seconds } from './schema-fields';

/**
 * Characters keepalived's parser reads literally in `auth_pass`: printable ASCII except '"',
 * '#', '!' (quotes, comments), '{', '}' (blocks) and '\\' (a trailing one continues the line).
 */
const AUTH_PASS_PATTERN = '^[\\x24-\\x5b\\x5d-\\x7a\\x7c\\x7e]{1,8}$';

export const LabTrackScriptSchema = Type.Object(
  {
    command: argv('The check as argv, e.g. [/usr/bin/ping, -c, "1", -W, "1", 192.168.20.1]: keepalived runs it directly, no shell, as root (script security: the executable and its directories writable by root only). Exit 0 passes.'),
    intervalSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 2, 'Seconds between two runs.')),
    timeoutSec: Type.Optional(integer(1, MAX_TIMER_SEC, {
      unit: 'seconds', description: 'A run that takes longer fails; at most intervalSec. Default: intervalSec.',
    })),
    fall: Type.Optional(integer(1, 100, { default: 2, description: 'Failures in a row that fail the check.' })),
    rise: Type.Optional(integer(1, 100, { default: 2, description: 'Successes in a row that pass a failed check again.' })),
    weight: Type.Optional(integer(-TRACK_SCRIPT_WEIGHT_MAX, TRACK_SCRIPT_WEIGHT_MAX, {
      allowed: `an integer from -${TRACK_SCRIPT_WEIGHT_MAX} to ${TRACK_SCRIPT_WEIGHT_MAX}`,
      default: 0,
      description: '0: a director whose check fails goes FAULT and gives up the VIP (if it fails on every director, none holds the VIP). Negative: its priority drops by -weight instead, positive: a passing check raises it; |weight| must exceed the directors\' priority spread, so the VIP moves; with nopreempt only 0 moves it (no BACKUP preempts a MASTER whose priority dropped).',
    })),
  },
  { additionalProperties: false, description: "A user-given check on the directors (keepalived's vrrp_script, tracked by the VRRP instance). Default: none." },
);

export const LabVrrpSchema = Type.Object(
  {
    virtualRouterId: Type.Optional(integer(VRID_MIN, VRID_MAX, { default: 112, description: 'The VRID: unique on the segment.' })),
    advertIntSec: Type.Optional(Type.Number({
      exclusiveMinimum: 0,
      maximum: ADVERT_INT_MAX_SEC,
      allowed: `a number of seconds > 0 and <= ${ADVERT_INT_MAX_SEC}`,
      default: 1,
      description: `Whole seconds 1-${ADVERT_INT_MAX_SEC} with version 2; ${ADVERT_INT_V3_STEP_SEC}-${ADVERT_INT_V3_MAX_SEC} in steps of ${ADVERT_INT_V3_STEP_SEC} with version 3.`,
    })),
    version: Type.Optional(oneOf([2, 3] as const, { default: 2, allowed: '2 or 3', description: 'VRRP version; fractional advertIntSec needs 3.' })),
    transport: Type.Optional(oneOf(VRRP_TRANSPORTS, { default: 'unicast', description: "unicast: advertisements go to the other directors' addresses (unicast_peer); multicast: to VRRP's multicast group." })),
    authPass: Type.Optional(Type.String({
      pattern: AUTH_PASS_PATTERN,
      allowed: 'a string of 1-8 printable ASCII characters without whitespace, \'"\', \'#\', \'!\', \'{\', \'}\' or a backslash',
      description: "VRRPv2 PASS authentication. Default: '1111' (the reference's) with version 2; none with version 3, which has no authentication.",
    })),
    nopreempt: Type.Optional(Type.Boolean({ default: false, description: 'true: every director starts BACKUP; a returning director does not take the VIP back.' })),
    connectionSync: Type.Optional(Type.Boolean({ default: true, description: 'IPVS connection sync between the directors (lvs_sync_daemon).' })),
    fastFailover: Type.Optional(Type.Boolean({
      default: false,
      description: `true: the service answers again within ${FAST_FAILOVER_BOUND_SEC} s of the MASTER's last advert. Needs version 3, advertIntSec of at least ${FAST_FAILOVER_MIN_ADVERT_SEC} s, and ${FAST_FAILOVER_RULE_TEXT}: e.g. advertIntSec 0.2 with priorities 250 and 240 takes over ${masterDownIntervalSec(240, 0.2, 3).toFixed(2)} s after the last advert; adverts of at most ${fastFailoverMaxAdvertSec(254)} s even at priority 254. Renders the gratuitous ARP timing for it.`,
    })),
    trackScript: Type.Optional(LabTrackScriptSchema),
  },
  { additionalProperties: false, description: "The directors' VRRP instance that moves the VIPs between them (keepalived's vrrp_instance)." },
);
