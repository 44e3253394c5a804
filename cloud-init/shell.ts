/** Small helpers shared by the shell-script renderers. */

/** Quotes a value for bash: single quotes, with embedded `'` spelled `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 address without prefix. */
export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}
