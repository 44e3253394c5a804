/** A problem with a lab config, and the error that carries every problem found. */

/** One thing wrong with a lab config. */
export interface LabProblem {
  /** The rule that found it: stable, for tests and tooling (e.g. `range`, `address-in-subnet`). */
  readonly rule: string;
  /** Field path, e.g. `directors[1].priority`. */
  readonly path: string;
  /** The value received (`undefined` when a required field is missing). */
  readonly value: unknown;
  /** What would have been accepted, e.g. `an integer 1-254`. */
  readonly allowed: string;
  /** `<path>: got <value>, expected <allowed>[; why]`: one line, shown on a terminal (see {@link terminalText}). */
  readonly message: string;
}

/** The longest field path a message shows (a key can be as long as the file). */
const MAX_PATH_CHARS = 200;
/** The longest string value a message shows. */
const MAX_STRING_CHARS = 80;
/** The longest list or mapping a message shows as JSON. */
const MAX_JSON_CHARS = 60;

/** Fields whose values are secrets: a problem says how long the value is, never what it is. */
const SECRET_FIELDS = /(^|\.)authPass$/;

/**
 * Builds a problem with the standard message. The message is safe to print: values are
 * shortened, a URL's credentials and secret fields are masked, and control characters (terminal
 * escapes, newlines, bidirectional overrides) are written as `\uXXXX`.
 */
export function labProblem(rule: string, path: string, value: unknown, allowed: string, why?: string): LabProblem {
  const got = typeof value === 'string' && SECRET_FIELDS.test(path) ? `a string of ${value.length} characters (not shown)` : describeValue(value);
  const message = terminalText(`${shorten(path, MAX_PATH_CHARS)}: got ${got}, expected ${allowed}${why ? `; ${why}` : ''}`);
  return { rule, path, value, allowed, message };
}

/** A value as it appears in a message: strings quoted, long lists and mappings summarized, URL credentials masked. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = JSON.stringify(shorten(maskCredentials(value), MAX_STRING_CHARS));
    // "300" vs 300: say so when a string could be mistaken for another YAML type.
    return /^(-?\d+(\.\d+)?|true|false|yes|no|on|off|null)$/i.test(value) ? `${shown} (a string)` : shown;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value !== 'object') return `a ${typeof value}`;
  // Never the whole value: a list of aliases of one long string is far larger than the file.
  const json = boundedJson(value, MAX_JSON_CHARS);
  if (json !== undefined) return maskCredentials(json);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  return 'a mapping';
}

/** `value` as JSON when that takes at most `budget` characters, else undefined; reads no more than it needs. */
function boundedJson(value: unknown, budget: number): string | undefined {
  let used = 0;
  const out = (text: string | undefined): string | undefined => {
    if (text === undefined || (used += text.length) > budget) return undefined;
    return text;
  };
  const walk = (v: unknown): string | undefined => {
    if (typeof v === 'string') return out(v.length > budget ? undefined : JSON.stringify(v));
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return out(JSON.stringify(v));
    if (typeof v !== 'object') return undefined;
    const parts: string[] = [];
    if (out('[]') === undefined) return undefined;
    const items = Array.isArray(v) ? v.map((item) => [undefined, item] as const) : Object.entries(v as object);
    for (const [key, item] of items) {
      if (item === undefined && key !== undefined) continue;
      const k = key === undefined ? '' : out(key.length > budget ? undefined : `${JSON.stringify(key)}:`);
      const text = k === undefined ? undefined : walk(item === undefined ? null : item);
      if (text === undefined || out(parts.length > 0 ? ',' : '') === undefined) return undefined;
      parts.push(`${k}${text}`);
    }
    return Array.isArray(v) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
  };
  return walk(value);
}

const shorten = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

/**
 * `text` with the credentials of every URL in it masked: `scheme://user:password@` becomes
 * `scheme://user:***@`, and an http(s) URL's user alone (often a token) becomes `***`.
 */
export function maskCredentials(text: string): string {
  return text.replace(/\b([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#@\s"]*)@/g, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    if (colon >= 0) return `${scheme}://${userinfo.slice(0, colon)}:***@`;
    return /^https?$/i.test(scheme) ? `${scheme}://***@` : `${scheme}://${userinfo}@`;
  });
}

/** C0 and C1 controls, DEL, line/paragraph separators and bidirectional formatting characters. */
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` safe to print on a terminal: each control character as `\n`, `\t`, `\r` or `\uXXXX`. */
export function terminalText(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A lab config that failed validation; `problems` holds every problem found, not just the first. */
export class LabConfigError extends Error {
  public readonly problems: readonly LabProblem[];

  /** @param source - where the config came from (a file name), for the message */
  constructor(problems: readonly LabProblem[], source?: string) {
    const where = source ? ` in ${terminalText(shorten(source, MAX_PATH_CHARS))}` : '';
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super([`Invalid lab config${where} (${count}):`, ...problems.map((p) => `  - ${p.message}`)].join('\n'));
    this.name = 'LabConfigError';
    this.problems = problems;
  }
}
