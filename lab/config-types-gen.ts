/**
 * The TypeScript interfaces of the lab config (lab/config-types.ts), generated from the schema
 * so that the published declarations carry each field's description and default: an editor
 * shows them on `LvsDrCluster`'s props and on a `LabConfig` literal.
 *
 * The schema stays the single source: lab/docs.ts lists the file among what `npm run schema`
 * writes and `npm run schema:check` checks, and a test holds the interfaces type-equal to the
 * schema's `Static` types.
 */
import type { TSchema } from '@sinclair/typebox';
import type { SchemaNode } from './check-schema';
import {
  LabDirectorSchema, LabHealthCheckSchema, LabImageSchema, LabMiscCheckSchema, LabNetworkSchema, LabNotificationSchema, LabPackagesSchema,
  LabQuorumSchema, LabRealServerSchema, LabSchema, LabServiceSchema, LabSizesSchema, LabSshSchema, LabTrackScriptSchema, LabVmSizeSchema,
  LabVrrpSchema,
} from './schema';

export const CONFIG_TYPES_FILE = 'lab/config-types.ts';

/** Each object of the schema and the interface it becomes, in the order the file declares them. */
const INTERFACES: readonly (readonly [string, TSchema])[] = [
  ['LabConfig', LabSchema],
  ['LabNetworkConfig', LabNetworkSchema],
  ['LabImageConfig', LabImageSchema],
  ['LabPackagesConfig', LabPackagesSchema],
  ['LabSshConfig', LabSshSchema],
  ['LabVrrpConfig', LabVrrpSchema],
  ['LabTrackScriptConfig', LabTrackScriptSchema],
  ['LabDirectorConfig', LabDirectorSchema],
  ['LabServiceConfig', LabServiceSchema],
  ['LabHealthCheckConfig', LabHealthCheckSchema],
  ['LabMiscCheckConfig', LabMiscCheckSchema],
  ['LabQuorumConfig', LabQuorumSchema],
  ['LabRealServerConfig', LabRealServerSchema],
  ['LabSizesConfig', LabSizesSchema],
  ['LabVmSize', LabVmSizeSchema],
  ['LabNotificationConfig', LabNotificationSchema],
];

/** The interface an object schema becomes (TypeBox's Optional copies a schema: compared as JSON). */
function interfaceName(node: SchemaNode): string {
  const json = JSON.stringify(node);
  const named = INTERFACES.find(([, schema]) => JSON.stringify(schema) === json);
  if (!named) throw new Error(`an object of the lab schema has no interface name (add it to INTERFACES): ${json.slice(0, 120)}`);
  return named[0];
}

/** The TypeScript type of a schema node: what TypeBox's `Static` gives, readonly all the way down. */
function typeOf(node: SchemaNode): string {
  if (node.enum) return node.enum.map((value) => (typeof value === 'string' ? `'${value}'` : String(value))).join(' | ');
  switch (node.type) {
    case 'string': return 'string';
    case 'integer': case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'object': return interfaceName(node);
    case 'array': {
      const item = typeOf(node.items as SchemaNode);
      return `readonly ${item.includes(' ') ? `(${item})` : item}[]`;
    }
    default: throw new Error(`no TypeScript type for the schema node ${JSON.stringify(node).slice(0, 120)}`);
  }
}

/**
 * A field's `@default`: the schema's default as a literal, else `- <behaviour>` from the
 * description's "Default: ..." sentence, else what leaving it out means (required fields have none).
 */
function defaultTag(node: SchemaNode, required: boolean): string | undefined {
  if (required) return undefined;
  if (node.default !== undefined) return JSON.stringify(node.default);
  const sentence = DEFAULT_SENTENCE.exec(node.description ?? '');
  if (sentence) return `- ${sentence[1]}`;
  const allOptional = node.type === 'object' && (node.required ?? []).length === 0;
  return allOptional ? '- every field at its default' : '- none';
}

/** The "Default: ..." sentence of a description, which `@default` carries instead. */
const DEFAULT_SENTENCE = /(?:^|\s)Default: (.*?)\.(?=\s|$)/;

/** A JSDoc block (`*` + `/` inside the text cannot end it early). */
function jsDoc(lines: readonly string[], indent: string): string[] {
  const safe = lines.map((line) => line.replace(/\*\//g, '*\\/'));
  if (safe.length === 1) return [`${indent}/** ${safe[0]} */`];
  return [`${indent}/**`, ...safe.map((line) => `${indent} * ${line}`), `${indent} */`];
}

function declaration(name: string, node: SchemaNode): string[] {
  const required = node.required ?? [];
  const members = Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const isRequired = required.includes(key);
    const tag = defaultTag(child, isRequired);
    const text = tag?.startsWith('- ') ? child.description?.replace(DEFAULT_SENTENCE, '').trim() : child.description;
    const doc = [...(text ? [text] : []), ...(tag ? [`@default ${tag}`] : [])];
    return [...(doc.length > 0 ? jsDoc(doc, '  ') : []), `  readonly ${key}${isRequired ? '' : '?'}: ${typeOf(child)};`];
  });
  return [...(node.description ? jsDoc([node.description], '') : []), `export interface ${name} {`, ...members, '}'];
}

/** The content of lab/config-types.ts. */
export function configTypes(): string {
  return [
    '// Generated from lab/schema.ts by `npm run schema` (lab/config-types-gen.ts); do not edit.',
    '// The lab config as a user writes it: every field with its description and default.',
    ...INTERFACES.flatMap(([name, schema]) => ['', ...declaration(name, schema as unknown as SchemaNode)]),
    '',
  ].join('\n');
}
