import { stringify } from 'yaml';

/**
 * Serialises an object for cloud-init. cloud-init reads YAML with PyYAML, i.e. YAML 1.1, so
 * emit 1.1 rules: a MAC such as `52:54:00:12:34:56` must be quoted (1.1 reads it as a
 * base-60 integer), as must `yes`/`no`/`on`/`off` and octal-looking strings like `0644`.
 * Multi-line strings become literal blocks and nothing is folded.
 */
export function toCloudInitYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, blockQuote: 'literal' });
}
