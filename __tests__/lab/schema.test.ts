import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { loadLabConfig, validateLabConfig } from '../../lab';
import { generatedFiles, JSON_SCHEMA_FILE } from '../../lab/docs';

const root = path.resolve(__dirname, '../..');
const schema = JSON.parse(fs.readFileSync(path.join(root, JSON_SCHEMA_FILE), 'utf8'));
// A standard JSON Schema validator, strict: an unknown keyword in the schema fails the test.
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

/** Every lab config YAML in the repository (examples and the e2e labs). */
const examples = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && !file.startsWith('.') && !file.startsWith('node_modules/'));

describe('schema/lab.schema.json and the config reference (docs/config.md)', () => {
  test.each(Object.keys(generatedFiles(root)))('%s is what `npm run schema` generates from lab/schema.ts (no drift)', (file) => {
    expect(fs.readFileSync(path.join(root, file), 'utf8')).toBe(generatedFiles(root)[file]);
  });
});

describe('the example lab configs', () => {
  test('there are examples to check', () => {
    expect(examples).toEqual(expect.arrayContaining(['examples/full.yaml', 'e2e/lab.yaml', 'e2e/lab-multicast.yaml']));
  });

  test.each(examples)('%s names the schema in a yaml-language-server modeline on its first line', (file) => {
    const first = fs.readFileSync(path.join(root, file), 'utf8').split('\n')[0];
    const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(match).not.toBeNull();
    expect(path.resolve(root, path.dirname(file), match![1])).toBe(path.join(root, JSON_SCHEMA_FILE));
  });

  test.each(examples)('%s is valid against the JSON Schema (ajv) and for the lab (loadLabConfig)', (file) => {
    const document = parseYaml(fs.readFileSync(path.join(root, file), 'utf8'));
    validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(() => loadLabConfig(path.join(root, file))).not.toThrow();
  });
});

describe('the JSON Schema agrees with the field checks', () => {
  test.each([
    ['an unknown key', { nmae: 'lab' }],
    ['a number beyond its bound', { services: [{ vip: '192.168.20.140', persistenceTimeoutSec: 1e21 }] }],
    ['an authPass with a brace', { vrrp: { authPass: 'a{b' } }],
    ['a too-long health path', { services: [{ vip: '192.168.20.140', healthCheck: { path: `/${'a'.repeat(300)}` } }] }],
    ['a wrong type', { sizes: { director: { vcpu: 'two' } } }],
    ['too few directors', { directors: [{ name: 'd1', address: '192.168.20.141', priority: 1 }] }],
    ['a missing required field', { realServers: [{ name: 'rs-1' }] }],
  ])('both reject %s', (_what, config) => {
    expect(validate(config)).toBe(false);
    expect(validateLabConfig(config).length).toBeGreaterThan(0);
  });

  test('both accept the reference topology ({})', () => {
    expect(validate({})).toBe(true);
    expect(validateLabConfig({})).toEqual([]);
  });
});
