/**
 * Checks a raw value against the lab schema and reports every problem at once: wrong types,
 * out-of-range numbers, malformed strings, unknown keys (with a "did you mean"), missing
 * required fields, too few list items. One problem per field at most, with the field's path.
 *
 * A small interpreter of the JSON Schema keywords `schema.ts` uses, rather than a generic
 * validator, so that each problem names the path, shows the value and says what is allowed in
 * the project's words (a generic validator reports a failed `pattern` as the regex).
 */

/** How a check hands in a problem. */
export type Report = (rule: string, path: string, value: unknown, allowed: string, why?: string) => void;

/** Rule ids of the field checks. */
export const SCHEMA_RULES = {
  /** Not a mapping/list/string/number/boolean where one is expected. */
  type: 'type',
  /** A key the mapping does not have. */
  unknownKey: 'unknown-key',
  /** A required key is missing. */
  required: 'required',
  /** A number outside its bounds (or not a whole number). */
  range: 'range',
  /** A string too long. */
  length: 'length',
  /** A string that does not have the field's form. */
  format: 'format',
  /** A value outside a closed set. */
  oneOf: 'one-of',
  /** Too few or too many list items. */
  count: 'count',
  /** A string holding cdktf's token marker: in the stack it would become a reference to another resource. */
  tokenMarker: 'token-marker',
  /** A config larger or deeper than any lab (checked before anything else). */
  size: 'size',
} as const;

/**
 * What opens a cdktf token in a string (`${TfToken[`, and `#{TfToken[` / `&{TfToken[` for lists
 * and maps): cdktf resolves every such marker in the stack's strings, whatever escapes surround
 * it, into a reference to another of the stack's resources (or fails on an unknown id). Config
 * text never needs it, so a string holding it is refused.
 */
export const TOKEN_MARKER = '{TfToken[';
const TOKEN_MARKER_WHY = "cdktf's token marker: in the stack it would become a reference to another of the stack's resources";

/** Own keys only: a key named `constructor` or `__proto__` is a key like any other, never an inherited property. */
const hasOwn = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** The parts of a (TypeBox / JSON) schema node that the checker and the docs generator read. */
export interface SchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, SchemaNode>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly allowed?: string;
  readonly unit?: string;
  readonly default?: unknown;
  readonly description?: string;
}

const join = (at: string, key: string): string => (at ? `${at}.${key}` : key);

export const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const patterns = new Map<string, RegExp>();
const regex = (source: string): RegExp => {
  let found = patterns.get(source);
  if (!found) patterns.set(source, (found = new RegExp(source, 'u')));
  return found;
};

/** "an integer 1-254", "a positive integer (seconds)", "one of kvm, qemu", ... */
export function allowedText(schema: unknown): string {
  const node = schema as SchemaNode;
  if (node.allowed) return node.allowed;
  const unit = node.unit ? ` (${node.unit})` : '';
  if (node.enum) return `one of ${node.enum.join(', ')}`;
  if (node.const !== undefined) return String(node.const);
  switch (node.type) {
    case 'integer':
      return `an integer ${node.minimum}-${node.maximum}${unit}`;
    case 'number':
      return `a number ${node.minimum}-${node.maximum}${unit}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'array':
      return `a list${node.minItems ? ` of at least ${node.minItems}` : ''}${node.items?.allowed ? `; each ${node.items.allowed}` : ''}`;
    case 'object':
      return `a mapping with the keys ${Object.keys(node.properties ?? {}).join(', ')}`;
    default:
      return 'a value';
  }
}

/** Walks `value` along `schema`, reporting every field problem. */
export function checkSchema(schema: unknown, value: unknown, report: Report, at = ''): void {
  const node = schema as SchemaNode;
  const where = at || '(root)';
  const fail = (rule: string) => report(rule, where, value, allowedText(schema));
  switch (node.type) {
    case 'object': {
      if (!isMapping(value)) return fail(SCHEMA_RULES.type);
      const properties = node.properties ?? {};
      const keys = Object.keys(properties);
      for (const [key, field] of Object.entries(value)) {
        if (!hasOwn(properties, key)) {
          const guess = closestKey(key, keys);
          report(SCHEMA_RULES.unknownKey, join(at, key), field, `one of the keys ${keys.join(', ')}`,
            guess ? `unknown key, did you mean ${guess}?` : 'unknown key');
        } else if (field !== undefined) {
          checkSchema(properties[key], field, report, join(at, key));
        }
      }
      for (const key of node.required ?? []) {
        if (!hasOwn(value, key) || value[key] === undefined) report(SCHEMA_RULES.required, join(at, key), undefined, allowedText(properties[key]));
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return report(SCHEMA_RULES.type, where, value, `a list${node.items ? ` of ${plural(node.items)}` : ''}`);
      if ((node.minItems !== undefined && value.length < node.minItems) || (node.maxItems !== undefined && value.length > node.maxItems)) {
        fail(SCHEMA_RULES.count);
      }
      if (node.items) value.forEach((item, i) => checkSchema(node.items, item, report, `${at}[${i}]`));
      return;
    }
    case 'string':
      if (typeof value !== 'string') return fail(SCHEMA_RULES.type);
      if (node.maxLength !== undefined && value.length > node.maxLength) {
        return report(SCHEMA_RULES.length, where, value, allowedText(schema), `at most ${node.maxLength} characters, got ${value.length}`);
      }
      if (node.pattern !== undefined && !regex(node.pattern).test(value)) {
        return report(SCHEMA_RULES.format, where, value, allowedText(schema), unprintableWhy(value));
      }
      if (node.enum && !node.enum.includes(value)) return fail(SCHEMA_RULES.oneOf);
      if (value.includes(TOKEN_MARKER)) report(SCHEMA_RULES.tokenMarker, where, value, `${allowedText(schema)}, without '${TOKEN_MARKER}'`, TOKEN_MARKER_WHY);
      return;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(SCHEMA_RULES.type);
      if (node.type === 'integer' && !Number.isInteger(value)) return fail(SCHEMA_RULES.range);
      if (node.const !== undefined && value !== node.const) return fail(SCHEMA_RULES.oneOf);
      if ((node.minimum !== undefined && value < node.minimum) || (node.maximum !== undefined && value > node.maximum)
        || (node.exclusiveMinimum !== undefined && value <= node.exclusiveMinimum)) return fail(SCHEMA_RULES.range);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') return fail(SCHEMA_RULES.type);
      return;
    default:
      if (node.enum && !node.enum.includes(value)) return fail(SCHEMA_RULES.oneOf);
  }
}

/**
 * Text as YAML 1.1 (cloud-init's PyYAML) prints it, tab and line feeds included: no other C0 or
 * C1 control, DEL, line break (U+0085, U+2028, U+2029), BOM, lone surrogate or U+FFFE/U+FFFF.
 */
const UNPRINTABLE = /[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]/u;

/** Why a malformed string is refused when it holds a character that is no text ("U+2028 at character 12 ..."), else nothing. */
function unprintableWhy(value: string): string | undefined {
  const found = UNPRINTABLE.exec(value);
  if (!found) return undefined;
  const code = (found[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  return `it holds U+${code} at character ${found.index + 1}, not printable text (or a line break to cloud-init's YAML reader)`;
}

/** "IPv4 addresses", "directors (mappings with name, address, priority)", ... for a list's message. */
function plural(items: SchemaNode): string {
  if (items.type === 'object') {
    const required = items.required ?? [];
    return `mappings${required.length ? ` with ${required.join(', ')}` : ''}`;
  }
  return items.type === 'string' ? 'strings' : `${items.type ?? 'value'}s`;
}

/** The closest allowed key (case-insensitive equal, or at most 2 edits away). */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  // Keys are short: a long one is no typo (and the edit distance would take its length squared).
  if (key.length > 64) return undefined;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The most characters a config may hold once YAML aliases are expanded (strings and keys): as much as the largest file. */
export const MAX_CONFIG_CHARS = 1024 * 1024;
/** The deepest nesting of a config: a lab's is under 6 levels. */
export const MAX_CONFIG_DEPTH = 32;

/**
 * Why `value` is too large or too deep to check (a file under the size cap can still name one
 * long string through many aliases), or undefined. Stops reading as soon as it knows, and
 * guards every later step (checks, defaults, messages) against a value of unbounded size.
 */
export function oversizeReason(value: unknown): string | undefined {
  let chars = 0;
  const seen = (n: number) => (chars += n) > MAX_CONFIG_CHARS;
  const walk = (v: unknown, depth: number): string | undefined => {
    if (typeof v === 'string') return seen(v.length + 1) ? 'characters' : undefined;
    if (typeof v !== 'object' || v === null) return seen(1) ? 'characters' : undefined;
    if (depth >= MAX_CONFIG_DEPTH) return 'depth';
    for (const [key, item] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
      const over = seen(String(key).length + 1) ? 'characters' : walk(item, depth + 1);
      if (over) return over;
    }
    return undefined;
  };
  const over = walk(value, 0);
  if (over === 'depth') return `it nests deeper than ${MAX_CONFIG_DEPTH} levels`;
  return over ? `it holds more than ${MAX_CONFIG_CHARS} characters once YAML aliases are expanded` : undefined;
}
