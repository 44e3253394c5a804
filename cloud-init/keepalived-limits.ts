/**
 * keepalived's and VRRP's limits, each stated once: the lab schema (`lab/schema.ts`) bounds its
 * fields with them, the rules (`lab/rules/*.ts`) measure configs against them, and the renderers
 * (`keepalived-conf.ts`, `nftables-conf.ts`) trust a lab that passed both. Here, in cloud-init/,
 * because both lab/ and the renderers may import it (cloud-init <- lab).
 */

/**
 * keepalived's longest config line: it reads its config with fgets into a buffer of MAXBUF
 * (1024, lib/parser.h "Maximum config line length"), so a line of more than 1023 characters
 * (indentation included) is cut, and its rest is read as a line of its own: an unterminated
 * quote, or a fragment parsed as a directive. The rule keepalived-line keeps user text within it.
 */
export const KEEPALIVED_MAX_LINE = 1023;

/** VRRP's virtual router ids: one byte, 0 reserved. */
export const VRID_MIN = 1;
export const VRID_MAX = 255;

/** A director's VRRP priority: 255 is reserved for the owner of the VIP, 0 for a MASTER leaving. */
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 254;

/**
 * The advert interval. VRRPv2 carries whole seconds in one byte (1-255); VRRPv3 carries
 * centiseconds in 12 bits (0.01-40.95). The schema takes any number in (0, `ADVERT_INT_MAX_SEC`];
 * the rule advert-interval holds each version to its own range.
 */
export const ADVERT_INT_MAX_SEC = 255;
/** VRRPv3's longest advert interval, in seconds (4095 centiseconds). */
export const ADVERT_INT_V3_MAX_SEC = 40.95;
/** VRRPv3's shortest advert interval, and its step, in seconds (a centisecond). */
export const ADVERT_INT_V3_STEP_SEC = 0.01;

/** True when `advertIntSec` is a whole number of centiseconds (VRRPv3's unit), within float rounding. */
export function isAdvertIntV3Step(advertIntSec: number): boolean {
  return Math.abs(advertIntSec * 100 - Math.round(advertIntSec * 100)) <= 1e-6;
}

/**
 * A director check's weight: keepalived takes -253..253, so that a weighted priority
 * (1-254 plus the weight) can still be brought back into 1-254.
 */
export const TRACK_SCRIPT_WEIGHT_MAX = 253;

/** An hour: the upper bound of every checker and director-check timer (delay_loop, connect_timeout, intervals, timeouts). */
export const MAX_TIMER_SEC = 3600;

/** The largest firewall mark: IPVS keeps marks as 32-bit values, keepalived reads them as positive ints. */
export const MAX_FWMARK = 2147483647;

/** keepalived's `persistence_timeout` upper bound (LVS_MAX_TIMEOUT, 31 days). */
export const MAX_PERSISTENCE_SEC = 31 * 86400;

/**
 * One argument of a track script's command: no whitespace, quotes, `#`/`!` (keepalived comments),
 * braces, `$` (keepalived's config variables), `~`, globs or shell metacharacters. keepalived runs
 * the command itself (execve, no shell); if it ever fell back to `system()` (an executable without
 * a shebang), a shell would still read every word literally.
 */
export const TRACK_SCRIPT_ARG_PATTERN = /^[A-Za-z0-9._/:=@%+,-]{1,128}$/;
/** The executable: an absolute, normalized path (no `.` or `..` component). */
export const TRACK_SCRIPT_PATH_PATTERN = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._+-]+){1,16}$/;
/** At most this many words (the executable and its arguments). */
export const TRACK_SCRIPT_MAX_WORDS = 16;

/**
 * The placeholders a misc check's words may hold, replaced per real server when rendered:
 * `{address}` the real server's address as is, `{host}` the same as a URL's host (an IPv6 address
 * in brackets, `[fd77::21]`; an IPv4 one as is), `{port}` the service's first port, `{name}` the
 * real server's name.
 */
export const MISC_CHECK_PLACEHOLDERS = ['{address}', '{host}', '{port}', '{name}'] as const;
/**
 * One word of a misc check: a track-script word that may also hold the exact placeholders
 * `{address}`, `{host}`, `{port}` and `{name}` (no other brace: keepalived reads braces as
 * blocks; no bracket of the user's own: `{host}` writes them for an IPv6 address). Their values
 * are track-script words themselves, plus the brackets of `{host}`, which keepalived reads
 * literally inside the quoted misc_path.
 */
export const MISC_CHECK_ARG_PATTERN = /^(?=.{1,128}$)(?:[A-Za-z0-9._/:=@%+,-]|\{(?:address|host|port|name)\})+$/;

/**
 * The skew time a BACKUP adds to 3 advert intervals before it takes over (RFC 5798 / RFC 3768, as
 * keepalived 2.2 computes it): VRRPv3 `(256 - priority) / 256 × advert_int`, VRRPv2
 * `(256 - priority) / 256` seconds. It lets the highest-priority BACKUP win; with one BACKUP it is
 * only delay.
 */
export function vrrpSkewSec(priority: number, advertIntSec: number, version: 2 | 3): number {
  return ((256 - priority) / 256) * (version === 3 ? advertIntSec : 1);
}

/** How long a BACKUP waits after the last advert it heard before it becomes MASTER (Master_Down_Interval). */
export function masterDownIntervalSec(priority: number, advertIntSec: number, version: 2 | 3): number {
  return 3 * advertIntSec + vrrpSkewSec(priority, advertIntSec, version);
}

/**
 * Fast failover's promise: the service answers again within this many seconds of the MASTER's
 * last advert (the e2e asserts it from the config: the director failure check's gap).
 */
export const FAST_FAILOVER_BOUND_SEC = 1;
/**
 * What a takeover costs beyond the BACKUP's master-down interval: the new MASTER's gratuitous
 * ARPs reaching the client and the client's next try. The e2e measured 0.09 s (a 0.70 s gap for
 * a 0.61 s interval; its probes are 100 ms apart); 0.2 s leaves room for a loaded host.
 */
export const FAST_FAILOVER_MARGIN_SEC = 0.2;
/**
 * The shortest fast-failover advert interval: below it a director that stalls for three adverts
 * (a busy emulated host) loses the VIP. keepalived 2.2 takes fractions with VRRPv3 only.
 */
export const FAST_FAILOVER_MIN_ADVERT_SEC = 0.1;
/** Rounding slack of the second-fractions below (0.2 × 3 is not exactly 0.6). */
const EPSILON = 1e-9;

/**
 * Fast failover: how long after the MASTER's last advert a director that is BACKUP gets the
 * service answering again: its VRRPv3 master-down interval (3 adverts + skew, RFC 5798) plus
 * `FAST_FAILOVER_MARGIN_SEC`.
 */
export function fastFailoverTakeoverSec(priority: number, advertIntSec: number): number {
  return masterDownIntervalSec(priority, advertIntSec, 3) + FAST_FAILOVER_MARGIN_SEC;
}

/** True when a BACKUP of this priority takes over within `FAST_FAILOVER_BOUND_SEC`. */
export function keepsFastFailoverBound(priority: number, advertIntSec: number): boolean {
  return fastFailoverTakeoverSec(priority, advertIntSec) <= FAST_FAILOVER_BOUND_SEC + EPSILON;
}

/** The longest advert interval (whole centiseconds) with which a BACKUP of this priority keeps the bound. */
export function fastFailoverMaxAdvertSec(priority: number): number {
  const exact = (FAST_FAILOVER_BOUND_SEC - FAST_FAILOVER_MARGIN_SEC) / (3 + (256 - priority) / 256);
  return Math.floor(exact * 100 + EPSILON) / 100;
}

/** The lowest priority (1-254) that keeps the bound at this advert interval; undefined when none does. */
export function fastFailoverMinPriority(advertIntSec: number): number | undefined {
  // 3a + (256 - p) / 256 × a + margin <= bound  <=>  p >= 256 - 256 × (bound - margin - 3a) / a
  const lowest = Math.max(PRIORITY_MIN, Math.ceil(256 - (256 * (FAST_FAILOVER_BOUND_SEC - FAST_FAILOVER_MARGIN_SEC - 3 * advertIntSec)) / advertIntSec - EPSILON));
  return lowest <= PRIORITY_MAX ? lowest : undefined;
}

/** The rule in words, for messages and the schema. */
export const FAST_FAILOVER_RULE_TEXT =
  `every director, as a BACKUP, to take over within ${FAST_FAILOVER_BOUND_SEC} s of the MASTER's last advert: ` +
  `3 × advertIntSec + (256 - priority) / 256 × advertIntSec (RFC 5798's master-down interval) + ${FAST_FAILOVER_MARGIN_SEC} s ` +
  "(the new MASTER's gratuitous ARPs and the client's retry)";
