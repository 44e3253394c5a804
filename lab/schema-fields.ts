/** The field builders of the lab schema (schema.ts and its sections): bounded numbers, addresses, commands. */
import { Type } from '@sinclair/typebox';
import { TRACK_SCRIPT_ARG_PATTERN, TRACK_SCRIPT_MAX_WORDS } from '../cloud-init/keepalived-limits';
import { IPV4_PATTERN_SOURCE } from './ipv4';
import { IPV6_PATTERN_BODY, IPV6_PATTERN_SOURCE } from './ipv6';

/** A closed set as a JSON Schema `enum`, typed as the union of its members. */
export function oneOf<T extends string | number>(values: readonly T[], options: Record<string, unknown> = {}) {
  return Type.Unsafe<T>({ enum: [...values], ...options });
}

/** An integer in [minimum, maximum]: every number of the config is bounded. */
export function integer(minimum: number, maximum: number, options: Record<string, unknown> = {}) {
  return Type.Integer({ minimum, maximum, ...options });
}

export const IPV4_TEXT = 'a dotted-quad IPv4 address such as 192.168.20.10 (no leading zeros)';
export const ipv4 = (options: Record<string, unknown> = {}) => Type.String({ pattern: IPV4_PATTERN_SOURCE, allowed: IPV4_TEXT, ...options });
export const IPV6_TEXT = 'an IPv6 address such as fd77::21 (hexadecimal groups, no embedded IPv4, no zone)';
export const ipv6 = (options: Record<string, unknown> = {}) => Type.String({ pattern: IPV6_PATTERN_SOURCE, allowed: IPV6_TEXT, ...options });
/** A VIP: IPv4, or IPv6 in a dual-stack lab (network.ipv6Cidr). */
export const ipAddress = (options: Record<string, unknown> = {}) => Type.String({
  pattern: `^(?:${IPV4_PATTERN_SOURCE.slice(1, -1)}|${IPV6_PATTERN_BODY})$`,
  allowed: `${IPV4_TEXT}, or with network.ipv6Cidr ${IPV6_TEXT}`,
  ...options,
});

export const seconds = (minimum: number, maximum: number, defaultValue: number, description: string) =>
  integer(minimum, maximum, { default: defaultValue, description, unit: 'seconds' });

export const TRACK_SCRIPT_WORD_TEXT = "a word of at most 128 letters, digits and '.', '_', '/', ':', '=', '@', '%', '+', ',', '-' (no spaces, quotes or shell characters)";

/**
 * A command keepalived runs on the directors as argv: no shell, as root, under script security
 * (the executable and every directory above it writable by root only).
 */
export function argv(description: string, word: { pattern: RegExp; allowed: string } = { pattern: TRACK_SCRIPT_ARG_PATTERN, allowed: TRACK_SCRIPT_WORD_TEXT }) {
  return Type.Array(Type.String({ pattern: word.pattern.source, allowed: word.allowed }), {
    minItems: 1,
    maxItems: TRACK_SCRIPT_MAX_WORDS,
    allowed: `a list of 1-${TRACK_SCRIPT_MAX_WORDS} words: the absolute path of an executable on the directors, then its arguments`,
    description,
  });
}
