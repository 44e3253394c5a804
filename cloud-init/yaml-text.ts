import { Document, isSeq } from 'yaml';

/*
 * cloud-init reads YAML with PyYAML, i.e. YAML 1.1, so everything here is emitted with 1.1
 * rules: a MAC such as `52:54:00:12:34:56` must be quoted (1.1 reads it as a base-60
 * integer), as must `yes`/`no`/`on`/`off` and octal-looking strings like `0644`. Multi-line
 * strings become literal blocks and nothing is folded.
 */
const TO_STRING = { lineWidth: 0, blockQuote: 'literal' } as const;

/** Serialises a plain object for cloud-init (network-config, cloud-config body). */
export function toCloudInitYaml(value: unknown, opts: { readonly flowItemsOf?: readonly string[] } = {}): string {
  const doc = new Document(value, { version: '1.1' });
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
