import * as fc from 'fast-check';
import { toCloudInitYaml } from '../../cloud-init/yaml-text';
import { roundTripFailures } from '../helpers/round-trip';

/*
 * The emitter against the reader that matters: whatever strings a cloud-config holds, PyYAML
 * (cloud-init's loader) reads back exactly the object that was serialized. LAB_PBT_SEED replays.
 */
const seed = Number(process.env.LAB_PBT_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Strings over the whole code-unit range (lone surrogates included), biased to what YAML 1.1 treats specially. */
const SPECIAL = ['\u2028', '\u2029', '\u0085', '\ufeff', '\r', '\n', '\t', '\0', '\x1b', '\x7f', '\x9f', '\ud800', '\udfff', '\ufffe', '\uffff',
  '"', "'", '\\', '#', ': ', ' #', '- ', '=', '<<', '~', '!', '&', '*', '|', '>', '%', '@', '`', '{', '}', '[', ']', ',', '?', ' ', '${', '%{', '0644', 'yes', 'off', '1:20', '0x1f', '.inf', 'null'];
export const yamlString = fc.oneof(
  fc.string({ unit: fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.constantFrom('a', 'b', ' ')), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('=', '<<', '~', '', ' ', '\n', 'a\n', '\na', ' a\n b\n', 'a\r\nb', '- a', '? a', 'a:', '0o7', '1_000', '2001-01-01', '+1', '.5', 'Y', 'n', 'NULL'),
);

describe('toCloudInitYaml: cloud-init reads back exactly what was serialized', () => {
  test(`any strings, as values, list items, flow argv and keys (replay with LAB_PBT_SEED=${seed})`, () => {
    const leaf = fc.oneof(yamlString, fc.boolean(), fc.integer());
    const doc = fc.record({
      strings: fc.array(yamlString, { maxLength: 4 }),
      runcmd: fc.array(fc.oneof(yamlString, fc.array(yamlString, { maxLength: 4 })), { maxLength: 3 }),
      nested: fc.dictionary(yamlString, fc.oneof(leaf, fc.array(leaf, { maxLength: 3 }), fc.dictionary(yamlString, leaf, { maxKeys: 2 })), { maxKeys: 4 }),
      value: yamlString,
    });
    const objects = fc.sample(doc, { seed, numRuns: 400 });
    const documents = objects.map((object, i) => ({ label: `document ${i} ${JSON.stringify(object)}`, text: toCloudInitYaml(object, { flowItemsOf: ['runcmd'] }), object }));
    expect(roundTripFailures(documents)).toEqual([]);
  });
});
