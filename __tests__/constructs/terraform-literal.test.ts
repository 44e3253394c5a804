import * as fc from 'fast-check';
import { TerraformStack, Testing } from '../../constructs/engine';
import { Pool } from '../../.gen/providers/libvirt/pool';
import { LvsDrLabStack, type LvsDrClusterProps } from '../../constructs';
import { terraformLiteral } from '../../constructs/terraform-literal';
import { validLab } from '../helpers/lab-arbitraries';
import { evaluateTerraformStrings } from '../helpers/terraform';
import { scanTerraformTemplate, stackStrings } from '../helpers/terraform-template';

/*
 * Text from a lab config is data: terraform must hand it to the provider as written, never
 * evaluate it (issue "Safe deploys", 3: a `${file("/etc/hostname")}` in storagePoolPath came out
 * as the host's name). LAB_PBT_SEED replays a run.
 */
const seed = Number(process.env.LAB_PBT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replay = `(replay with LAB_PBT_SEED=${seed})`;

/** Template sequences and the characters around them, whole or in pieces. */
const TEMPLATE_PIECES = ['${path.cwd}', '%{if}', '%{ if true }x%{ endif }', '${file("/etc/hostname")}', '$${', '%%{', '$$', '%%', '${', '%{', '}', '$', '%', '{'];
const TEXT_CHARS = [...'aZ0-_.~/ \\"\'&<>#!?=:;,|*é'];
const text = (minLength = 0) =>
  fc.array(fc.oneof(fc.constantFrom(...TEMPLATE_PIECES), fc.constantFrom(...TEXT_CHARS)), { minLength, maxLength: 12 }).map((parts) => parts.join(''));

describe('terraformLiteral', () => {
  test(`terraform reads every escaped string back as the original (real terraform, 300 strings) ${replay}`, () => {
    // GIVEN strings full of template sequences and escapes, and the known hard cases
    const strings = [
      ...['${path.cwd}', '%{if}', '$${x}', '$$${x}', '%%{x}', 'a$', '$', '%', '${', '%{', '}{', '$${', '\\${x}', '"${x}"'],
      ...fc.sample(text(), { seed, numRuns: 286 }),
    ];

    // WHEN terraform evaluates each escaped string
    const evaluated = evaluateTerraformStrings(strings.map(terraformLiteral));

    // THEN it gives the original back, and so does the test's template scanner (used below)
    expect(evaluated).toEqual(strings);
    for (const s of strings) expect(scanTerraformTemplate(terraformLiteral(s))).toEqual({ text: s, interpolations: [], directives: [] });
  });

  test('keeps a reference to another resource (a cdktf token) an expression and escapes the text around it', () => {
    // GIVEN a path made of another pool's path (a reference) and config text
    const stack = new TerraformStack(Testing.app(), 'test');
    const root = new Pool(stack, 'root', { name: 'root', type: 'dir', target: { path: '/srv/root' } });
    new Pool(stack, 'pool', { name: 'p', type: 'dir', target: { path: terraformLiteral(`${root.target.path}/${'${path.cwd}'}/%{if}`) } });

    // WHEN synthesized THEN the reference is interpolated, the config text is not
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Pool, { target: { path: '${libvirt_pool.root.target[0].path}/$${path.cwd}/%%{if}' } });
  });
});

/** The stack's own references: `${libvirt_<type>.<name>.<attribute>}` as cdktf writes them. */
const OWN_REFERENCE = /^\$\{libvirt_[a-z_]+\.[A-Za-z0-9_-]+\.[a-z_]+\}$/;

describe(`property: every config string reaches cdk.tf.json as a literal ${replay}`, () => {
  /** A path segment of config text: never empty, '.' or '..' (the pool path must be normalized). */
  const segment = text(1).map((s) => s.replace(/\//g, '_')).filter((s) => s !== '.' && s !== '..');
  /** The same in a URL: no whitespace, and '%' only in a %XX escape (the schema refuses any other). */
  const urlSegment = segment.map((s) => s.replace(/\s/g, '+').replace(/%/g, '%25'));
  const hostileLab = fc.record({
    lab: validLab,
    pool: segment,
    image: fc.oneof(segment.map((s) => `/var/tmp/${s.replace(/\s/g, '+')}.qcow2`), urlSegment.map((s) => `https://images.example/${s}.qcow2`)),
    uri: urlSegment,
    logDir: segment,
  }).map(({ lab, pool, image, uri, logDir }): LvsDrClusterProps => ({
    ...lab,
    storagePoolPath: `/srv/labs/${pool}`,
    image: { ...lab.image, source: image },
    libvirtUri: `qemu+unix:///system?socket=/run/${uri}/libvirt-sock`,
    consoleLogDir: `/var/log/${logDir}`,
  }));

  test('no interpolation but the stack\'s own references, no directive; the free-text fields decode to what the config says', () => {
    fc.assert(
      fc.property(hostileLab, (props) => {
        // GIVEN a valid lab whose free-text fields are full of template sequences WHEN synthesized
        const json = JSON.parse(Testing.synth(new LvsDrLabStack(Testing.app(), 'test', { lab: props })));

        // THEN terraform would evaluate nothing of the config's text
        const evaluated = stackStrings(json).flatMap(({ at, value }) => {
          const { interpolations, directives } = scanTerraformTemplate(value);
          return [...interpolations.filter((i) => !OWN_REFERENCE.test(i)), ...directives].map((sequence) => `${at}: ${sequence}`);
        });
        expect(evaluated).toEqual([]);
        // ... and gives the provider these fields exactly as written
        const decode = (value: string) => scanTerraformTemplate(value).text;
        const only = (type: string) => Object.values(json.resource[type] as Record<string, any>);
        expect(decode(json.provider.libvirt[0].uri)).toBe(props.libvirtUri);
        expect(only('libvirt_pool').map((p) => decode(p.target.path))).toEqual([props.storagePoolPath]);
        const base = only('libvirt_volume').filter((v) => v.name.endsWith('-base.qcow2'));
        // (a path holding '%', '?' or '#' goes as a file:// URL, whose path the provider decodes)
        const opened = (source: string) => (source.startsWith('file://') ? decodeURIComponent(source.slice('file://'.length)) : source);
        expect(base.map((v) => opened(decode(v.source)))).toEqual([props.image!.source]);
      }),
      { seed, numRuns: 40 },
    );
  });
});
