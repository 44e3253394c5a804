/**
 * What a `libvirtUri` may say. The URI is handed to `virsh -c` (the doctor, which `npm run
 * deploy` runs first, as the deploying user: often root) and to terraform's libvirt provider.
 * libvirt's remote driver reads more than an address from it (https://libvirt.org/uri.html):
 * its transport and "extra parameters" can name a program to run, or turn a check off. A lab
 * config is data, so those are refused:
 *
 * - transport `ext`: runs the program its `command` parameter names;
 * - `command` (ssh, ext): the program to run instead of ssh;
 * - `netcat` (ssh): the command run on the remote host in place of nc;
 * - `no_verify` (ssh, tls): turns the host key / server certificate check off (the provider
 *   skips it whatever the value, `no_verify=0` included);
 * - `known_hosts_verify` (libssh): `auto` / `ignore` accept an unknown host key;
 * - `tls_priority` (tls): GnuTLS priorities, which can enable weak or null ciphers;
 * - `name`: the URI the remote daemon opens instead of this one, which is not the one checked;
 * - transports `libssh` and `libssh2`: provider 0.8.3 implements only unix, ssh, tls and tcp.
 *
 * Allowed: `socket` (unix, ssh: the path of the daemon's socket, to connect to: nothing runs;
 * libvirt shell-escapes it for the remote nc), `mode` (unix, ssh: which daemon), `proxy` (ssh:
 * which of libvirt's own helpers), `keyfile` (ssh: the private key to log in with, used on this
 * machine only), `no_tty` (ssh: never ask for a password), `sshauth` (the provider's ssh
 * authentication methods), `pkipath` (tls: the directory of the client certificate and CA).
 * Anything else is refused too (an allowlist): libvirt matches names case-insensitively and
 * percent-decoded, and splits on ';' as well as '&', so names are compared that way; a repeated
 * parameter is refused, because libvirt and the provider would not take the same one.
 */

/** The transports allowed: those terraform's libvirt provider (0.8.3) implements; none means unix (no host) or tls. */
export const LIBVIRT_TRANSPORTS = ['unix', 'ssh', 'tls', 'tcp'] as const;

/** The extra parameters allowed, with the values allowed where they are a closed set. */
const PARAMETERS: Readonly<Record<string, readonly string[] | undefined>> = {
  socket: undefined,
  mode: ['auto', 'legacy', 'direct'],
  proxy: ['auto', 'netcat', 'native'],
  keyfile: undefined,
  no_tty: undefined,
  sshauth: undefined,
  pkipath: undefined,
};

/** Why a refused parameter is refused. */
const REFUSED_PARAMETERS: Readonly<Record<string, string>> = {
  command: 'command runs a program (in place of ssh)',
  netcat: 'netcat runs a command of its choice on the remote host',
  no_verify: 'no_verify turns the host key or server certificate check off',
  known_hosts_verify: 'known_hosts_verify can accept an unknown host key',
  tls_priority: 'tls_priority can enable weak TLS ciphers',
  name: 'name makes the remote daemon open another URI than the one checked',
};

const REFUSED_TRANSPORTS: Readonly<Record<string, string>> = {
  ext: 'the ext transport runs the program its command parameter names',
  libssh: "terraform's libvirt provider does not implement the libssh transport",
  libssh2: "terraform's libvirt provider does not implement the libssh2 transport",
};

/** What a libvirtUri may be, for problems. */
export const LIBVIRT_URI_ALLOWED =
  `a libvirt URI driver[+transport]://[user@][host][:port]/path[?parameters], transport ${LIBVIRT_TRANSPORTS.slice(0, -1).join(', ')} or tcp, ` +
  `parameters among ${Object.keys(PARAMETERS).join(', ')}, each at most once (nothing that runs a program or turns a check off)`;

const URI_FORM = /^([A-Za-z][A-Za-z0-9_.-]*)(?:\+([^:/]*))?:\/\/(?:([^/?#@]*)@)?([^/?#]*)(\/[^?#]*)?(?:\?([^#]*))?(#.*)?$/;

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Why libvirt would do more with `uri` than connect to a daemon and check whom it talks to, or undefined. */
export function libvirtUriReason(uri: string): string | undefined {
  const form = URI_FORM.exec(uri);
  if (!form) return 'not of the form driver[+transport]://[user@][host][:port]/path';
  const [, , rawTransport, , hostPort, , query, fragment] = form;
  const transport = rawTransport?.toLowerCase();
  if (transport !== undefined) {
    if (REFUSED_TRANSPORTS[transport]) return REFUSED_TRANSPORTS[transport];
    if (!(LIBVIRT_TRANSPORTS as readonly string[]).includes(transport)) return `${rawTransport} is not a transport the lab can use`;
  }
  // ssh reads a host starting with '-' as an option (-oProxyCommand=… runs a program).
  if (/^\[?-/.test(hostPort)) return "the host starts with '-', which ssh would read as an option";
  if (fragment !== undefined) return "a '#' fragment, which libvirt does not read";
  const seen = new Set<string>();
  for (const pair of (query ?? '').split(/[&;]/)) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decode(equals < 0 ? pair : pair.slice(0, equals)).toLowerCase();
    const value = decode(equals < 0 ? '' : pair.slice(equals + 1));
    if (REFUSED_PARAMETERS[name]) return REFUSED_PARAMETERS[name];
    if (!Object.prototype.hasOwnProperty.call(PARAMETERS, name)) return `${name} is not a parameter the lab allows`;
    if (seen.has(name)) return `${name} is given twice (libvirt and the provider would not take the same one)`;
    seen.add(name);
    const values = PARAMETERS[name];
    if (values && !values.includes(value.toLowerCase())) return `${name} is one of ${values.join(', ')}`;
  }
  return undefined;
}
