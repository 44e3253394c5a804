import { Document, isSeq, type Scalar } from 'yaml';
import type { ScalarTag } from 'yaml';

/*
 * cloud-init reads YAML with PyYAML, i.e. YAML 1.1, so everything here is emitted with 1.1
 * rules: a MAC such as `52:54:00:12:34:56` must be quoted (1.1 reads it as a base-60
 * integer), as must `yes`/`no`/`on`/`off` and octal-looking strings like `0644`. Multi-line
 * strings become literal blocks and nothing is folded.
 */
const TO_STRING = { lineWidth: 0, blockQuote: 'literal' } as const;

/*
 * What a YAML 1.1 reader may be given raw. PyYAML reads U+0085, U+2028 and U+2029 as line
 * breaks (and `\r` too), so one of them inside a plain, single-quoted or literal scalar ends the
 * line there: the text after it becomes YAML of its own, a top-level key even. It refuses
 * outright what YAML 1.1 does not call printable (C0 and C1 controls, DEL, U+FFFE/U+FFFF, lone
 * surrogates), and a tab ends a plain scalar. The `yaml` package writes all of these raw, even
 * in double quotes, so a string holding any of them is written here instead: double-quoted,
 * every such character escaped. `=` and `<<` alone are YAML 1.1's value and merge keys (PyYAML
 * refuses the one and merges the other), so they are quoted as well.
 */
const RAW_SAFE = /^[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]*$/u;

/*
 * Where the `yaml` package's choice of style differs from what PyYAML reads: a line of spaces
 * only before the first text of a literal block (PyYAML takes its spaces for the indentation
 * and drops them), and in a flow sequence a plain scalar holding '?' or ':' (PyYAML ends the
 * plain scalar there, at any position). Such strings are double-quoted too.
 */
const SPACES_ONLY_LINE = /(?:^|\n) +(?:\n|$)/;
const FLOW_PLAIN_BREAKER = /[?:]/;

/** True when the `yaml` package's own output of `value` reads back as `value` in PyYAML. */
function safeForYamlPackage(value: string, inFlow: boolean): boolean {
  return value !== '=' && value !== '<<' && RAW_SAFE.test(value) && !SPACES_ONLY_LINE.test(value)
    && !(inFlow && FLOW_PLAIN_BREAKER.test(value));
}

/** A YAML double-quoted scalar of printable ASCII: every other character escaped. */
export function doubleQuotedYaml(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/**
 * The 1.1 schema's str tag, writing the strings PyYAML would misread through `doubleQuotedYaml`;
 * without the merge tag, which writes the string `<<` as a merge key.
 */
function yaml11SafeStrings(tags: ScalarTag[]): ScalarTag[] {
  return tags.filter((tag) => tag.tag !== 'tag:yaml.org,2002:merge').map((tag) => {
    if (tag.tag !== 'tag:yaml.org,2002:str' || tag.stringify === undefined) return tag;
    const stringify = tag.stringify.bind(tag);
    return {
      ...tag,
      stringify: (item, ctx, onComment, onChompKeep) => {
        const value = (item as Scalar).value;
        return typeof value !== 'string' || safeForYamlPackage(value, ctx.inFlow === true) ? stringify(item, ctx, onComment, onChompKeep) : doubleQuotedYaml(value);
      },
    };
  });
}

/** Serialises a plain object for cloud-init (network-config, cloud-config body). */
export function toCloudInitYaml(value: unknown, opts: { readonly flowItemsOf?: readonly string[] } = {}): string {
  const doc = new Document(value, { version: '1.1', customTags: (tags) => yaml11SafeStrings(tags as ScalarTag[]) });
  // Short argv lists read better on one line: `- [systemctl, restart, keepalived.service]`.
  for (const key of opts.flowItemsOf ?? []) {
    const list = doc.get(key, true);
    if (isSeq(list)) {
      list.items.forEach((item) => {
        if (isSeq(item)) item.flow = true;
      });
    }
  }
  return doc.toString(TO_STRING);
}
