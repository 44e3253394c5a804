/**
 * The lab config schema: the single source of the config's types, defaults and bounds.
 *
 * Written with TypeBox, whose schemas are plain JSON Schema objects: the same object types the
 * config (`Static`), fills defaults (`default`), is walked by `checkSchema` for every field
 * problem at once, and is written out as `schema/lab.schema.json` for editors. Rules that tie
 * fields together (addresses inside the subnet, unique names, ...) live in `rules/` (one file per rule).
 *
 * `allowed` is this project's annotation: the "expected ..." text of a problem with the field.
 * It is dropped from the published JSON Schema (`jsonSchema()`).
 */
import { Type } from '@sinclair/typebox';
import {
  FAST_FAILOVER_BOUND_SEC, FAST_FAILOVER_MIN_ADVERT_SEC, FAST_FAILOVER_RULE_TEXT, fastFailoverMaxAdvertSec, masterDownIntervalSec, MISC_CHECK_ARG_PATTERN, TRACK_SCRIPT_ARG_PATTERN, TRACK_SCRIPT_MAX_WORDS,
} from '../cloud-init/keepalived-conf';
import { DEBIAN_RELEASE_FACTS, DEBIAN_RELEASES, DEFAULT_DEBIAN_RELEASE } from '../cloud-init/debian-release';
import { HEALTH_CHECK_TYPES, SCHEDULERS, SERVICE_PROTOCOLS, VRRP_TRANSPORTS } from '../cloud-init/model';
import { HEALTH_PATH_PATTERN, HEALTH_STATUS_CODE } from '../cloud-init/web-service';
import { IPV4_PATTERN_SOURCE } from './ipv4';
import { IPV6_PATTERN_BODY, IPV6_PATTERN_SOURCE, IPV6_PREFIX } from './ipv6';

/** A closed set as a JSON Schema `enum`, typed as the union of its members. */
function oneOf<T extends string | number>(values: readonly T[], options: Record<string, unknown> = {}) {
  return Type.Unsafe<T>({ enum: [...values], ...options });
}

/** An integer in [minimum, maximum]: every number of the config is bounded. */
function integer(minimum: number, maximum: number, options: Record<string, unknown> = {}) {
  return Type.Integer({ minimum, maximum, ...options });
}

const IPV4_TEXT = 'a dotted-quad IPv4 address such as 192.168.20.10 (no leading zeros)';
const ipv4 = (options: Record<string, unknown> = {}) => Type.String({ pattern: IPV4_PATTERN_SOURCE, allowed: IPV4_TEXT, ...options });
const IPV6_TEXT = 'an IPv6 address such as fd77::21 (hexadecimal groups, no embedded IPv4, no zone)';
const ipv6 = (options: Record<string, unknown> = {}) => Type.String({ pattern: IPV6_PATTERN_SOURCE, allowed: IPV6_TEXT, ...options });
/** A VIP: IPv4, or IPv6 in a dual-stack lab (network.ipv6Cidr). */
const ipAddress = (options: Record<string, unknown> = {}) => Type.String({
  pattern: `^(?:${IPV4_PATTERN_SOURCE.slice(1, -1)}|${IPV6_PATTERN_BODY})$`,
  allowed: `${IPV4_TEXT}, or with network.ipv6Cidr ${IPV6_TEXT}`,
  ...options,
});

/**
 * VM and lab names: hostname labels without '--', which joins the two in the names of a VM's
 * libvirt objects (`<lab>--<vm>`, lab/derive.ts): so no VM's names can be those of another VM,
 * of its lab's own objects, or of a lab of another name.
 */
export const NAME_PATTERN = '^[a-z](-?[a-z0-9])*$';
const NAME_TEXT = "a name of lowercase letters, digits and single '-' between them, starting with a letter ('--' joins lab and VM names)";
/** Linux's limit for a hostname label; `<lab>--<vm>` (the libvirt domain name) must fit it too. */
export const MAX_HOSTNAME = 63;
/** The longest lab name that leaves room for `--` and a one-letter VM name in 63 characters. */
export const MAX_LAB_NAME = MAX_HOSTNAME - 3;

export const DOMAIN_TYPES = ['kvm', 'qemu'] as const;
/** `kvm` needs hardware virtualization; `qemu` is software emulation (TCG). */
export type DomainType = (typeof DOMAIN_TYPES)[number];

export const NETWORK_MODES = ['nat', 'isolated', 'bridge'] as const;
/** `nat`/`isolated`: libvirt creates and owns the bridge. `bridge`: attach to an existing host bridge. */
export type NetworkMode = (typeof NETWORK_MODES)[number];

/**
 * A mirror URL as it goes into an apt sources line: http(s), a host, an optional port and a
 * plain path. No whitespace, quotes, `$` (cloud-init substitutes `$VARS` in the sources list),
 * `[`/`]` (apt's option brackets) or `#`.
 */
const MIRROR_URL_PATTERN = '^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\\d{1,5})?(?:/[A-Za-z0-9._~%+-]*)*$';
const MIRROR_URL_TEXT = 'an http(s):// URL of a Debian mirror such as http://mirror.example/debian (host, optional port, plain path)';
/** A proxy: http(s)://[user[:password]@]host[:port][/]. */
const PROXY_URL_PATTERN = "^https?://(?:[A-Za-z0-9._~%!*'()+,;=-]+(?::[A-Za-z0-9._~%!*'()+,;=-]*)?@)?[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\\d{1,5})?/?$";
const PGP_KEY_PATTERN = "^[ \\t\\r\\n]*-----BEGIN PGP PUBLIC KEY BLOCK-----\\r?\\n[A-Za-z0-9+/=:\\t\\r\\n .,()@<>'_-]+\\r?\\n-----END PGP PUBLIC KEY BLOCK-----[ \\t\\r\\n]*$";
export const MAX_SIGNING_KEY_CHARS = 64 * 1024;

/**
 * Printable text as a character class body: what YAML 1.1 (cloud-init's PyYAML) calls printable,
 * without its line breaks U+0085, U+2028 and U+2029 and without U+FEFF; so no C0 or C1 control,
 * DEL, lone surrogate or U+FFFE/U+FFFF. Basic Multilingual Plane only, so that a validator reads
 * the pattern alike with or without Unicode mode.
 */
const NON_ASCII_PRINTABLE = '\\xa0-\\u2027\\u202a-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd';
const PRINTABLE_CLASS = `\\x20-\\x7e${NON_ASCII_PRINTABLE}`;
/** `NON_ASCII_PRINTABLE` without JavaScript's whitespace (`\\s`: the Unicode spaces). */
const NON_ASCII_VISIBLE = '\\xa1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u202a-\\u202e\\u2030-\\u205e\\u2060-\\u2fff\\u3001-\\ud7ff\\ue000-\\ufefe\\uff00-\\ufffd';

/**
 * URL text where '%' only starts a %XX escape: the provider parses URLs with Go's net/url, which
 * refuses any other '%' ("invalid URL escape"), so such a value could never be deployed. Visible
 * text only: no whitespace, control or line break of any kind.
 */
const URL_TEXT = `(?:[!-$&-~${NON_ASCII_VISIBLE}]|%[0-9A-Fa-f]{2})`;

const EMAIL_PATTERN = '^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*$';
/**
 * The longest email address (RFC 5321's 256-octet path, less its angle brackets): keepalived
 * reads its config in lines of at most 1024 bytes and would take the rest of a longer one for
 * another keyword.
 */
const MAX_EMAIL = 254;

export const SSH_KEY_TYPES = [
  'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;
/** The form of an authorized key line (the rules check that its blob holds a key of its type). */
export const SSH_KEY_PATTERN = `^[ \\t\\r\\n]*(${SSH_KEY_TYPES.map((t) => t.replace(/\./g, '\\.')).join('|')}) [A-Za-z0-9+/]{16,}={0,2}( [\\t${PRINTABLE_CLASS}]*)?[ \\t\\r\\n]*$`;

/** keepalived's `persistence_timeout` upper bound (LVS_MAX_TIMEOUT, 31 days). */
const MAX_PERSISTENCE_SEC = 31 * 86400;
/** An hour: the upper bound of every checker timer (delay_loop, connect_timeout, delay_before_retry). */
const MAX_TIMER_SEC = 3600;

const seconds = (minimum: number, maximum: number, defaultValue: number, description: string) =>
  integer(minimum, maximum, { default: defaultValue, description, unit: 'seconds' });

export const LabNetworkSchema = Type.Object(
  {
    mode: Type.Optional(oneOf(NETWORK_MODES, { default: 'nat', description: 'nat | isolated (libvirt creates the bridge) | bridge (an existing host bridge)' })),
    bridge: Type.Optional(Type.String({
      pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$',
      allowed: "an interface name of 1-15 characters: letters, digits, '_', '.' and '-', not starting with '.' or '-'",
      description: 'Name of an existing host bridge; required when mode is bridge (Linux interface names: at most 15 bytes).',
    })),
    cidr: Type.Optional(Type.String({
      pattern: `^${IPV4_PATTERN_SOURCE.slice(1, -1)}/([1-9]|[12][0-9]|30)$`,
      allowed: 'an IPv4 network in CIDR notation such as 192.168.20.0/24, prefix length 1-30',
      default: '192.168.20.0/24',
      description: 'The lab subnet (prefix 1-30; not loopback, link-local, multicast, reserved or 0.0.0.0/8).',
    })),
    gateway: Type.Optional(ipv4({ description: "The VMs' default route. Default: the subnet's first host for nat (libvirt holds it); none for isolated/bridge." })),
    dns: Type.Optional(Type.Array(ipv4(), { description: 'The VMs\' DNS servers. Default: [gateway] for nat; [] for isolated/bridge.' })),
    ipv6Cidr: Type.Optional(Type.String({
      pattern: `^(?:${IPV6_PATTERN_BODY})/(4[89]|[5-9][0-9]|1[01][0-9]|120)$`,
      allowed: `an IPv6 prefix in CIDR notation such as fd77::/64, prefix length ${IPV6_PREFIX.min}-${IPV6_PREFIX.max}`,
      description: 'Dual stack: the lab\'s IPv6 prefix (not link-local, multicast, loopback or unspecified); every VM gets an address6 in it and services may have IPv6 VIPs (vrrp.version 3). Bridge mode only for now. Default: none (IPv4 only).',
    })),
  },
  { additionalProperties: false, description: 'The L2 segment of the lab: every VM and every VIP in one subnet (DR delivers by MAC).' },
);

const releaseImages = DEBIAN_RELEASES.map((r) => `${r}: ${DEBIAN_RELEASE_FACTS[r].genericCloudImage}`).join('; ');

export const LabImageSchema = Type.Object(
  {
    release: Type.Optional(oneOf(DEBIAN_RELEASES, {
      allowed: DEBIAN_RELEASES.join(' or '),
      description:
        `The Debian release the image runs: ${DEBIAN_RELEASES.map((r) => `${r} (${DEBIAN_RELEASE_FACTS[r].codename})`).join(' or ')}. ` +
        'It decides the apt suites of packages.mirror and what the VMs\' cloud-init is given. ' +
        `Default: the release image.source names (debian-12-… or /bookworm/, debian-13-… or /trixie/), else ${DEFAULT_DEBIAN_RELEASE}.`,
    })),
    source: Type.Optional(Type.String({
      pattern: `^(https?://${URL_TEXT}+|/[!-~${NON_ASCII_VISIBLE}]*)$`,
      allowed: "an http(s):// URL ('%' only in a %XX escape) or an absolute path of a qcow2 cloud image",
      description:
        'An http(s) URL or a path of a qcow2 cloud image (in a file, relative paths are relative to the file). ' +
        `Default: Debian's genericcloud image of image.release (${releaseImages}).`,
    })),
    preinstalled: Type.Optional(Type.Boolean({ default: false, description: 'true: keepalived, ipvsadm and nginx (and nftables for firewall-mark services, openssl for TLS ports) are baked into the image; cloud-init installs nothing.' })),
  },
  { additionalProperties: false, description: 'The cloud image every VM boots from (each VM gets a copy-on-write volume over it).' },
);

export const LabPackagesSchema = Type.Object(
  {
    mirror: Type.Optional(Type.String({
      pattern: MIRROR_URL_PATTERN,
      allowed: MIRROR_URL_TEXT,
      description: "A Debian mirror replacing the image's apt sources (deb.debian.org/debian): suites <codename> and <codename>-updates of image.release (trixie, or bookworm for 12). Default: the image's own sources.",
    })),
    securityMirror: Type.Optional(Type.String({
      pattern: MIRROR_URL_PATTERN,
      allowed: MIRROR_URL_TEXT.replace('/debian', '/debian-security'),
      description: "A mirror of Debian's security archive (suite <codename>-security, e.g. trixie-security); only with mirror. Default: mirror's .../debian -> .../debian-security, else http://security.debian.org/debian-security.",
    })),
    proxy: Type.Optional(Type.String({
      pattern: PROXY_URL_PATTERN,
      allowed: 'an http(s):// proxy URL such as http://proxy.example:3128 (optionally with user:password@)',
      description: "apt's http and https proxy (apt-cacher-ng: port 3142). Default: no proxy.",
    })),
    signingKey: Type.Optional(Type.String({
      maxLength: MAX_SIGNING_KEY_CHARS,
      pattern: PGP_KEY_PATTERN,
      allowed: `an ASCII-armored OpenPGP public key block (-----BEGIN PGP PUBLIC KEY BLOCK----- … -----END PGP PUBLIC KEY BLOCK-----), at most ${MAX_SIGNING_KEY_CHARS} characters`,
      description: "The ASCII-armored key that signs mirror and securityMirror, for a repository not signed by Debian's keys; only with mirror.",
    })),
  },
  { additionalProperties: false, description: 'Where the VMs get packages (first-boot install and later apt).' },
);

export const LabSshSchema = Type.Object(
  {
    user: Type.Optional(Type.String({
      pattern: '^[a-z_][a-z0-9_-]{0,31}$',
      allowed: "a Linux user name: a lowercase letter or '_', then up to 31 lowercase letters, digits, '_' or '-'",
      default: 'lab',
      description: 'The login user cloud-init creates (not an account the image already has).',
    })),
    authorizedKeys: Type.Optional(Type.Array(
      Type.String({
        pattern: SSH_KEY_PATTERN,
        allowed: `an OpenSSH public key line "<type> <base64> [comment]", type one of ${SSH_KEY_TYPES.join(', ')}`,
      }),
      { default: [], description: 'OpenSSH public keys. Default: none (and no password is ever set); the app (npm run deploy) then authorizes the first of your ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_rsa.pub, and says so.' },
    )),
  },
  { additionalProperties: false, description: 'The login cloud-init sets up on every VM: a user and its SSH keys (no password).' },
);

/**
 * Characters keepalived's parser reads literally in `auth_pass`: printable ASCII except '"',
 * '#', '!' (quotes, comments), '{', '}' (blocks) and '\\' (a trailing one continues the line).
 */
const AUTH_PASS_PATTERN = '^[\\x24-\\x5b\\x5d-\\x7a\\x7c\\x7e]{1,8}$';

const TRACK_SCRIPT_WORD_TEXT = "a word of at most 128 letters, digits and '.', '_', '/', ':', '=', '@', '%', '+', ',', '-' (no spaces, quotes or shell characters)";

/**
 * A command keepalived runs on the directors as argv: no shell, as root, under script security
 * (the executable and every directory above it writable by root only).
 */
function argv(description: string, word: { pattern: RegExp; allowed: string } = { pattern: TRACK_SCRIPT_ARG_PATTERN, allowed: TRACK_SCRIPT_WORD_TEXT }) {
  return Type.Array(Type.String({ pattern: word.pattern.source, allowed: word.allowed }), {
    minItems: 1,
    maxItems: TRACK_SCRIPT_MAX_WORDS,
    allowed: `a list of 1-${TRACK_SCRIPT_MAX_WORDS} words: the absolute path of an executable on the directors, then its arguments`,
    description,
  });
}

export const LabTrackScriptSchema = Type.Object(
  {
    command: argv('The check as argv, e.g. [/usr/bin/ping, -c, "1", -W, "1", 192.168.20.1]: keepalived runs it directly, no shell, as root (script security: the executable and its directories writable by root only). Exit 0 passes.'),
    intervalSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 2, 'Seconds between two runs.')),
    timeoutSec: Type.Optional(integer(1, MAX_TIMER_SEC, {
      unit: 'seconds', description: 'A run that takes longer fails; at most intervalSec. Default: intervalSec.',
    })),
    fall: Type.Optional(integer(1, 100, { default: 2, description: 'Failures in a row that fail the check.' })),
    rise: Type.Optional(integer(1, 100, { default: 2, description: 'Successes in a row that pass a failed check again.' })),
    weight: Type.Optional(integer(-253, 253, {
      allowed: 'an integer from -253 to 253',
      default: 0,
      description: '0: a director whose check fails goes FAULT and gives up the VIP (if it fails on every director, none holds the VIP). Negative: its priority drops by -weight instead, positive: a passing check raises it; |weight| must exceed the directors\' priority spread, so the VIP moves; with nopreempt only 0 moves it (no BACKUP preempts a MASTER whose priority dropped).',
    })),
  },
  { additionalProperties: false, description: "A user-given check on the directors (keepalived's vrrp_script, tracked by the VRRP instance). Default: none." },
);

export const LabVrrpSchema = Type.Object(
  {
    virtualRouterId: Type.Optional(integer(1, 255, { default: 112, description: 'The VRID: unique on the segment.' })),
    advertIntSec: Type.Optional(Type.Number({
      exclusiveMinimum: 0,
      maximum: 255,
      allowed: 'a number of seconds > 0 and <= 255',
      default: 1,
      description: 'Whole seconds 1-255 with version 2; 0.01-40.95 in steps of 0.01 with version 3.',
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

const vmName = () => Type.String({
  pattern: NAME_PATTERN,
  allowed: NAME_TEXT,
  description: 'The guest hostname; <lab name>--<name> is its libvirt domain name (at most 63 characters) and the prefix of its volumes.',
});

export const LabDirectorSchema = Type.Object(
  {
    name: vmName(),
    address: ipv4({ description: 'A host address of network.cidr.' }),
    address6: Type.Optional(ipv6({ description: "An address of network.ipv6Cidr; only with it. Default: the prefix plus address's last octet, same digits (10.77.0.21 in fd77::/64 -> fd77::21)." })),
    priority: integer(1, 254, { description: 'VRRP priority, distinct per director; the highest starts as MASTER (255 is reserved for the VIP owner).' }),
  },
  { additionalProperties: false },
);

export const LabHealthCheckSchema = Type.Object(
  {
    type: Type.Optional(oneOf(HEALTH_CHECK_TYPES, {
      description: 'Default: tcp for a TCP service, none for a UDP service (the only choice there). https: an HTTPS GET (SSL_GET, certificate not verified) to a port of tlsPorts.',
    })),
    port: Type.Optional(integer(1, 65535, {
      description: "tcp/http/https only: the port the check connects to (connect_port), one of the service's ports; http not a port of tlsPorts, https one of them. Default: for https the first port of tlsPorts, otherwise the service's first port.",
    })),
    connectTimeoutSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 3, 'tcp/http/https only.')),
    retry: Type.Optional(integer(0, 100, { default: 5, description: 'Misses before removal (0: fail on the first). tcp/http/https only.' })),
    delayBeforeRetrySec: Type.Optional(seconds(1, MAX_TIMER_SEC, 3, 'tcp/http/https only.')),
    path: Type.Optional(Type.String({
      maxLength: 255,
      pattern: HEALTH_PATH_PATTERN.source,
      allowed: "a plain URL path of at most 255 characters: '/' then letters, digits, '.', '_', '~', '-' and '/'",
      default: '/',
      description: 'http/https only. The demo web service answers every health path with 200.',
    })),
    statusCode: Type.Optional(Type.Integer({
      const: HEALTH_STATUS_CODE,
      default: HEALTH_STATUS_CODE,
      description: "http/https only. The real servers' demo web service answers health paths with 200.",
    })),
  },
  { additionalProperties: false, description: "How the directors check each real server of the service (keepalived's checker of a real_server)." },
);

/** The largest firewall mark: IPVS keeps marks as 32-bit values, keepalived reads them as positive ints. */
export const MAX_FWMARK = 2147483647;
/** A firewall-mark service groups 2-8 ports. */
export const MAX_SERVICE_PORTS = 8;

const MISC_CHECK_WORD_TEXT = "a word of at most 128 letters, digits, '.', '_', '/', ':', '=', '@', '%', '+', ',', '-' and the placeholders {address}, {host}, {port}, {name} (no spaces, quotes, brackets, other braces or shell characters)";

export const LabQuorumSchema = Type.Object(
  {
    weight: Type.Optional(integer(1, 65535, {
      default: 1,
      description: "The service is up while its healthy real servers' weights add up to at least this; at most the sum of the service's real servers' weights.",
    })),
    hysteresis: Type.Optional(integer(0, 65535, {
      default: 0,
      description: 'Less than weight: the service goes up again at weight + hysteresis and down below weight - hysteresis.',
    })),
    up: Type.Optional(argv('Run on the directors when the quorum is gained, as argv (like vrrp.trackScript.command: no shell, as root). Default: none.')),
    down: Type.Optional(argv('Run on the directors when the quorum is lost, e.g. [/usr/bin/logger, -t, lvs-lab-quorum, down]. Default: none.')),
  },
  { additionalProperties: false, description: "keepalived's quorum of the service (quorum, hysteresis, quorum_up, quorum_down). Default: quorum 1, no hysteresis, no hooks." },
);

export const LabMiscCheckSchema = Type.Object(
  {
    command: argv(
      'The check as argv, run by the directors for every real server of the service (no shell, as root); exit 0 passes. Words may hold {address}, {host}, {port} and {name}: the real server\'s address, the same as a URL\'s host (an IPv6 address in brackets, [fd77::21]; an IPv4 one as is), the service\'s first port and the real server\'s name, e.g. [/usr/bin/curl, -fsS, -o, /dev/null, --max-time, "2", "http://{host}:{port}/ready"], which works for IPv4 and IPv6 services alike.',
      { pattern: MISC_CHECK_ARG_PATTERN, allowed: MISC_CHECK_WORD_TEXT },
    ),
    timeoutSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 5, 'A run that takes longer fails (misc_timeout).')),
  },
  {
    additionalProperties: false,
    description: "An extra checker on every real server of the service (keepalived's MISC_CHECK), beside healthCheck: a server is removed when any of its checks fails. Default: none.",
  },
);

/**
 * Ports the lab's own machinery listens on, which the rule reserved-port refuses for services
 * (as `ss -tulpn` lists them on the lab's VMs): sshd on every VM (TCP 22: the lab is deployed,
 * checked and operated over ssh); systemd-resolved on every VM, its stub resolver on
 * 127.0.0.53:53 and 127.0.0.54:53 (TCP: nginx's wildcard bind of 53 fails beside it) and LLMNR on
 * every address (TCP and UDP 5355); with connection sync the IPVS sync daemon on the directors
 * (UDP 8848, IP_VS_SYNC_PORT, keepalived's lvs_sync_daemon default). VRRP is IP protocol 112, no
 * port; keepalived runs without an SNMP agent.
 */
export const RESERVED_PORTS: readonly { port: number; protocol: 'TCP' | 'UDP'; what: string; withConnectionSync?: true }[] = [
  { port: 22, protocol: 'TCP', what: 'sshd on every VM: the lab is operated over ssh' },
  { port: 53, protocol: 'TCP', what: "systemd-resolved's stub resolver on every VM (127.0.0.53)" },
  { port: 5355, protocol: 'TCP', what: "systemd-resolved's LLMNR on every VM" },
  { port: 5355, protocol: 'UDP', what: "systemd-resolved's LLMNR on every VM" },
  { port: 8848, protocol: 'UDP', what: 'the IPVS connection sync daemon on the directors, with vrrp.connectionSync', withConnectionSync: true },
];
/** The reserved ports in words: `22/TCP (...) nor 8848/UDP (...)`. */
export const RESERVED_PORTS_TEXT = RESERVED_PORTS.map((r) => `${r.port}/${r.protocol} (${r.what})`).join(' nor ');

const servicePort = (options: Record<string, unknown> = {}) => integer(1, 65535, options);

export const LabServiceSchema = Type.Object(
  {
    vip: ipAddress({ description: 'A host address of network.cidr that no VM owns (DR delivers by MAC: one L2 segment), or an address of network.ipv6Cidr (needs vrrp.version 3).' }),
    port: Type.Optional(servicePort({ default: 80, description: `Not with ports. Not a port the lab uses itself: ${RESERVED_PORTS_TEXT}.` })),
    ports: Type.Optional(Type.Array(servicePort(), {
      minItems: 2,
      maxItems: MAX_SERVICE_PORTS,
      allowed: `a list of 2-${MAX_SERVICE_PORTS} distinct ports 1-65535`,
      description: `Instead of port: one service over several ports, grouped by a firewall mark (nftables on the directors marks the packets to the VIP on these ports; keepalived's virtual_server fwmark). The first port is the service's port (URLs, checks). Not ${RESERVED_PORTS_TEXT}.`,
    })),
    fwmark: Type.Optional(integer(1, MAX_FWMARK, {
      description: 'The firewall mark of a service with ports (only with ports), unique across services. Default: 1 + the index of the service in services.',
    })),
    tlsPorts: Type.Optional(Type.Array(servicePort(), {
      minItems: 1,
      maxItems: MAX_SERVICE_PORTS,
      allowed: `a list of 1-${MAX_SERVICE_PORTS} distinct ports of the service (its port or ports)`,
      description: "TCP only: the service's ports on which the real servers' demo web service (and the directors' sorry site) speak HTTPS, with a self-signed certificate generated at first boot. Default: none, plain http.",
    })),
    protocol: Type.Optional(oneOf(SERVICE_PROTOCOLS, { default: 'TCP', description: 'The transport protocol of the service.' })),
    scheduler: Type.Optional(oneOf(SCHEDULERS, { default: 'wrr', description: "The IPVS scheduling algorithm (keepalived's lb_algo); wrr and wlc use the real servers' weights." })),
    persistenceTimeoutSec: Type.Optional(integer(0, MAX_PERSISTENCE_SEC, {
      default: 0, unit: 'seconds, 0 = off', description: "0 = off; an idle timeout, not a hard limit (keepalived's maximum: 31 days).",
    })),
    delayLoopSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 6, 'Seconds between health checks.')),
    healthCheck: Type.Optional(LabHealthCheckSchema),
    miscCheck: Type.Optional(LabMiscCheckSchema),
    sorryServer: Type.Optional(Type.Boolean({
      default: false,
      description: 'TCP only. true: when the quorum is lost (every real server down), the directors answer themselves (sorry_server 127.0.0.1): an nginx site on every port of the service answers 503 "sorry-from <director>".',
    })),
    inhibitOnFailure: Type.Optional(Type.Boolean({
      default: false,
      description: 'true: a real server whose check fails stays in IPVS with weight 0 (inhibit_on_failure) instead of being removed, so its connections drain. Not with scheduler dh, which cannot skip a server at weight 0 (with sh the directors rehash its clients: sh-fallback).',
    })),
    quorum: Type.Optional(LabQuorumSchema),
    realServers: Type.Optional(Type.Array(Type.String(), {
      minItems: 1,
      allowed: 'at least one real server name',
      description: 'Names of the real servers behind this service. Default: every real server.',
    })),
  },
  { additionalProperties: false },
);

export const LabRealServerSchema = Type.Object(
  {
    name: vmName(),
    address: ipv4({ description: 'A host address of network.cidr.' }),
    address6: Type.Optional(ipv6({ description: "An address of network.ipv6Cidr; only with it. Default: the prefix plus address's last octet, same digits (10.77.0.21 in fd77::/64 -> fd77::21)." })),
    weight: Type.Optional(integer(0, 65535, { default: 100, description: '0 drains the server.' })),
    port: Type.Optional(integer(1, 65535, { description: 'DR cannot remap ports: if given it must equal every service\'s port. Default: the service port.' })),
  },
  { additionalProperties: false },
);

export const LabVmSizeSchema = Type.Object(
  {
    vcpu: Type.Optional(integer(1, 64, { default: 1, description: 'Virtual CPUs of each VM of the role.' })),
    memoryMiB: Type.Optional(integer(256, 65536, { default: 512, unit: 'MiB', description: 'Memory of each VM of the role, in MiB.' })),
  },
  { additionalProperties: false, description: 'The size of every VM of one role.' },
);

export const LabSizesSchema = Type.Object(
  { director: Type.Optional(LabVmSizeSchema), realServer: Type.Optional(LabVmSizeSchema) },
  { additionalProperties: false, description: 'The VM sizes, by role (directors, real servers).' },
);

export const LabNotificationSchema = Type.Object(
  {
    email: Type.Array(Type.String({ pattern: EMAIL_PATTERN, maxLength: MAX_EMAIL, allowed: 'an email address such as ops@example.com' }), {
      minItems: 1,
      allowed: 'a list of at least one email address',
      description: 'Where the alerts go (notification_email).',
    }),
    from: Type.String({ pattern: EMAIL_PATTERN, maxLength: MAX_EMAIL, allowed: 'an email address such as keepalived@example.com', description: 'The sender of the alerts (notification_email_from).' }),
    smtpServer: Type.Optional(ipv4({
      default: '127.0.0.1',
      description: 'An IPv4 address: keepalived resolves a host name when it reads its config, and refuses the whole config when that fails (no DNS yet at first boot).',
    })),
    smtpConnectTimeoutSec: Type.Optional(seconds(1, MAX_TIMER_SEC, 30, 'Seconds.')),
  },
  { additionalProperties: false, description: "keepalived's SMTP alerts (global_defs)." },
);

/** The lab config as a user writes it: every field optional; `{}` is the reference topology. */
export const LabSchema = Type.Object(
  {
    name: Type.Optional(Type.String({
      pattern: NAME_PATTERN,
      maxLength: MAX_LAB_NAME,
      allowed: `${NAME_TEXT}, at most ${MAX_LAB_NAME} characters`,
      default: 'lvs-lab',
      description: 'Prefix of every libvirt object: <name>-net, <name>-pool, <name>-base.qcow2, and <name>--<VM name> for the VMs. The app names the lab\'s state file after it too (terraform.<name>.tfstate).',
    })),
    libvirtUri: Type.Optional(Type.String({
      pattern: `^[!-$&-9;-~${NON_ASCII_VISIBLE}]${URL_TEXT}*://${URL_TEXT}*$`,
      maxLength: 4096,
      allowed: 'a libvirt connection URI such as qemu:///system (a non-empty string containing "://", no whitespace, \'%\' only in a %XX escape)',
      default: 'qemu:///system',
      description: 'The libvirt connection the provider creates the lab through (qemu:///system: the system libvirtd of this machine).',
    })),
    domainType: Type.Optional(oneOf(DOMAIN_TYPES, { default: 'kvm', description: 'kvm | qemu (software emulation, for hosts without KVM).' })),
    storagePoolPath: Type.Optional(Type.String({
      // Normalized: libvirt stores `//` and a trailing `/` collapsed (every plan would replace
      // the pool), and keeps `..`, which could climb out of the directory the rules check.
      pattern: `^(?:/|(?:/(?!\\.\\.?(?:/|$))[\\x20-\\x2e\\x30-\\x7e${NON_ASCII_PRINTABLE}]+)+)$`,
      maxLength: 4096,
      allowed: "a normalized absolute path without control characters (no '//', '.' or '..' component, no trailing '/') such as /var/lib/libvirt/images/lvs-lab",
      description: 'Directory of the libvirt storage pool the lab creates: a directory of its own, not a system or shared one (/, /etc, /home, /tmp, /var/lib/libvirt/images, ...); if it exists, it must be empty or hold only this lab\'s volumes (<name>-…). Default: /var/lib/libvirt/images/<name>.',
    })),
    network: Type.Optional(LabNetworkSchema),
    image: Type.Optional(LabImageSchema),
    packages: Type.Optional(LabPackagesSchema),
    ssh: Type.Optional(LabSshSchema),
    vrrp: Type.Optional(LabVrrpSchema),
    directors: Type.Optional(Type.Array(LabDirectorSchema, {
      minItems: 2,
      allowed: 'at least 2 directors (VRRP failover needs a MASTER and a BACKUP)',
      default: [
        { name: 'director-1', address: '192.168.20.141', priority: 180 },
        { name: 'director-2', address: '192.168.20.142', priority: 80 },
      ],
      description: 'Replaces the default pair wholesale. VRRP failover needs a MASTER and a BACKUP.',
    })),
    services: Type.Optional(Type.Array(LabServiceSchema, {
      default: [{ vip: '192.168.20.140' }],
      description: 'Replaces the default service wholesale.',
    })),
    realServers: Type.Optional(Type.Array(LabRealServerSchema, {
      minItems: 1,
      allowed: 'at least one real server',
      default: [
        { name: 'rs-1', address: '192.168.20.143', weight: 100 },
        { name: 'rs-2', address: '192.168.20.144', weight: 100 },
      ],
      description: 'Replaces the default real servers wholesale.',
    })),
    sizes: Type.Optional(LabSizesSchema),
    notification: Type.Optional(LabNotificationSchema),
  },
  {
    additionalProperties: false,
    title: 'lvs-dr-lab lab config',
    description: 'An LVS-DR keepalived lab on libvirt. Every field is optional; directors, services and realServers replace the defaults wholesale.',
  },
);

/** Readonly all the way down: configs are values, never mutated. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The config's types, as a user writes it: interfaces generated from these schemas (with each
 * field's description and default for editors), held type-equal to `DeepReadonly<Static<...>>`
 * of each schema by a test.
 */
export type {
  LabConfig, LabNetworkConfig, LabImageConfig, LabPackagesConfig, LabSshConfig, LabVrrpConfig, LabTrackScriptConfig, LabDirectorConfig,
  LabHealthCheckConfig, LabServiceConfig, LabQuorumConfig, LabMiscCheckConfig, LabRealServerConfig, LabVmSize, LabSizesConfig,
  LabNotificationConfig,
} from './config-types';

/** This project's annotations, not JSON Schema keywords: dropped from the published schema. */
const ANNOTATIONS = ['allowed', 'unit'];

/** The JSON Schema (draft 2020-12) of a lab config file, as committed in schema/lab.schema.json. */
export function jsonSchema(): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(Object.entries(node).filter(([key]) => !ANNOTATIONS.includes(key)).map(([key, value]) => [key, strip(value)]));
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    ...(strip(LabSchema) as Record<string, unknown>),
  };
}

