/**
 * What is generated from the schema for users: the JSON Schema file, the config reference in
 * docs/config.md and the config's TypeScript interfaces (lab/config-types-gen.ts). Pure (the
 * caller reads and writes files): scripts/lab-schema.ts writes or checks
 * them, and a test fails when the committed files drift.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allowedText, type SchemaNode } from './check-schema';
import { CONFIG_TYPES_FILE, configTypes } from './config-types-gen';
import { jsonSchema, LabSchema } from './schema';

export const JSON_SCHEMA_FILE = 'schema/lab.schema.json';
export const FULL_EXAMPLE_FILE = 'examples/full.yaml';
/** The user documentation that holds the generated config reference between its markers. */
export const CONFIG_DOC_FILE = 'docs/config.md';
const BEGIN = '<!-- BEGIN lab config reference: generated from lab/schema.ts by `npm run schema`; do not edit -->';
const END = '<!-- END lab config reference -->';


/** One table row per field (path with `[]` for list items), depth first, in schema order. */
function rows(node: SchemaNode, at: string, required: boolean): string[] {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');
  const here = at
    ? [`| \`${at}\`${required ? ' (required)' : ''} | ${cell(allowedText(node))} | ${node.default !== undefined ? `\`${cell(JSON.stringify(node.default))}\`` : ''} | ${cell(node.description ?? '')} |`]
    : [];
  if (node.type === 'object') {
    const req = node.required ?? [];
    const children = Object.entries(node.properties ?? {}).flatMap(([key, child]) => rows(child, at ? `${at}.${key}` : key, req.includes(key)));
    return [...(at ? [here[0].replace(/\| [^|]*a mapping with the keys [^|]* \|/, '| a mapping |')] : []), ...children];
  }
  if (node.type === 'array' && node.items?.type === 'object') return [...here, ...rows(node.items, `${at}[]`, false).slice(0)];
  return here;
}

/** The docs/config.md region: the full example (validated by the tests) and the field table. */
export function configReference(example: string): string {
  return [
    BEGIN,
    '',
    '```yaml',
    example.trimEnd(),
    '```',
    '',
    '| Field | Allowed | Default | Notes |',
    '| --- | --- | --- | --- |',
    ...rows(LabSchema as unknown as SchemaNode, '', false),
    '',
    END,
  ].join('\n');
}

/** Every generated file, path relative to the repository root -> content. */
export function generatedFiles(root: string): Record<string, string> {
  const doc = fs.readFileSync(path.join(root, CONFIG_DOC_FILE), 'utf8');
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${CONFIG_DOC_FILE} has no region between "${BEGIN}" and "${END}"`);
  const example = fs.readFileSync(path.join(root, FULL_EXAMPLE_FILE), 'utf8');
  return {
    [JSON_SCHEMA_FILE]: `${JSON.stringify(jsonSchema(), null, 2)}\n`,
    [CONFIG_DOC_FILE]: `${doc.slice(0, begin)}${configReference(example)}${doc.slice(end + END.length)}`,
    [CONFIG_TYPES_FILE]: configTypes(),
  };
}
