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
import { MAX_TIMER_SEC, PRIORITY_MAX, PRIORITY_MIN } from '../cloud-init/keepalived-limits';
import { DEBIAN_RELEASE_FACTS, DEBIAN_RELEASES, DEFAULT_DEBIAN_RELEASE } from '../cloud-init/debian-release';
import { IPV4_PATTERN_SOURCE } from './ipv4';
import { IPV6_PATTERN_BODY, IPV6_PREFIX } from './ipv6';
import { integer, ipv4, ipv6, oneOf, seconds } from './schema-fields';
import { LabHealthCheckSchema, LabMiscCheckSchema, LabQuorumSchema, LabServiceSchema, MAX_SERVICE_PORTS, RESERVED_PORTS, RESERVED_PORTS_TEXT } from './schema-services';
import { LabTrackScriptSchema, LabVrrpSchema } from './schema-vrrp';

export { LabHealthCheckSchema, LabMiscCheckSchema, LabQuorumSchema, LabServiceSchema, MAX_SERVICE_PORTS, RESERVED_PORTS, RESERVED_PORTS_TEXT, LabTrackScriptSchema, LabVrrpSchema };

// The field builders (numbers, addresses, commands) and the VRRP and service sections live in
// schema-fields.ts, schema-vrrp.ts and schema-services.ts; LabSchema puts them together here.

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
    priority: integer(PRIORITY_MIN, PRIORITY_MAX, { description: 'VRRP priority, distinct per director; the highest starts as MASTER (255 is reserved for the VIP owner).' }),
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

