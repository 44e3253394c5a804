import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path_ from 'node:path';
import * as fc from 'fast-check';
import { App, TerraformStack, Testing } from '../../constructs/engine';
import { LabConfigError } from '../../lab';
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

  test('is composed around the stack\'s own references (cdktf tokens), which stay expressions; the config text is escaped', () => {
    // GIVEN a path made of another pool's path (a reference) and config text
    const stack = new TerraformStack(Testing.app(), 'test');
    const root = new Pool(stack, 'root', { name: 'root', type: 'dir', target: { path: '/srv/root' } });
    new Pool(stack, 'pool', { name: 'p', type: 'dir', target: { path: `${root.target.path}/${terraformLiteral('${path.cwd}/%{if}')}` } });

    // WHEN synthesized THEN the reference is interpolated, the config text is not
    expect(Testing.synth(stack)).toHaveResourceWithProperties(Pool, { target: { path: '${libvirt_pool.root.target[0].path}/$${path.cwd}/%%{if}' } });
  });

  test("refuses text holding cdktf's token marker, which no escape keeps from becoming a reference", () => {
    const token = new Pool(new TerraformStack(Testing.app(), 'other'), 'p', { name: 'p', type: 'dir', target: { path: '/p' } }).name;
    expect(token).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
    for (const text of [token, `/srv/${token}`, `$${token}`, '${TfToken[TOKEN.99999]}', '#{TfToken[TOKEN.1]}']) {
      expect(() => terraformLiteral(text)).toThrow(/token marker/);
    }
  });
});

describe("issue 'Every config the rules accept is safe and works', 2: config text never forms a cdktf token", () => {
  /** A real token of this process: cdktf would resolve its marker anywhere in a string of any stack. */
  const realToken = () => new Pool(new TerraformStack(Testing.app(), 'other'), 'p', { name: 'p', type: 'dir', target: { path: '/p' } }).name;

  test.each([
    ['storagePoolPath', (t: string): LvsDrClusterProps => ({ storagePoolPath: `/srv/${t}` })],
    ['image.source', (t: string): LvsDrClusterProps => ({ image: { source: `/srv/${t}.qcow2` } })],
    ['libvirtUri', (t: string): LvsDrClusterProps => ({ libvirtUri: `qemu+unix:///system?socket=/run/${t}/sock` })],
  ])('a ${TfToken[…]} in %s (a known or unknown token id) is refused with a config problem before anything is synthesized', (path, lab) => {
    for (const token of [realToken(), '${TfToken[TOKEN.99999]}']) {
      // GIVEN the real app's output directory WHEN the stack of such a lab is built
      const outdir = fs.mkdtempSync(path_.join(os.tmpdir(), 'lvs-lab-token-'));
      try {
        let error: unknown;
        try {
          new LvsDrLabStack(new App({ outdir }), 'lab', { lab: lab(token) });
        } catch (e) {
          error = e;
        }
        // THEN a LabConfigError names the field and the rule, and nothing was written
        expect(error).toBeInstanceOf(LabConfigError);
        expect((error as LabConfigError).problems.map((p) => `${p.rule} ${p.path}`)).toEqual([`token-marker ${path}`]);
        expect(fs.readdirSync(outdir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path_.join(outdir, f)).isFile())).toEqual([]);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
  });

  test('text next to the marker, which the rules accept, reaches the provider as written (real synth, real terraform)', () => {
    // GIVEN a lab whose free-text fields hold what the old escaping left alone or nearly a marker
    const pieces = '${TfToken}$TfToken[x]${TfToken.1}{TfToken_[$${x}';
    const lab: LvsDrClusterProps = {
      storagePoolPath: `/srv/labs/${pieces}`,
      image: { source: `/srv/img/${pieces}%{TfToken}.qcow2` },
      libvirtUri: `qemu+unix:///system?socket=/run/${pieces}/sock`,
    };
    const outdir = fs.mkdtempSync(path_.join(os.tmpdir(), 'lvs-lab-token-'));
    try {
      // WHEN synthesized to disk and its strings evaluated by terraform
      const app = new App({ outdir });
      new LvsDrLabStack(app, 'lab', { lab });
      app.synth();
      const json = JSON.parse(fs.readFileSync(path_.join(outdir, 'stacks', 'lab', 'cdk.tf.json'), 'utf8'));
      const pool = Object.values(json.resource.libvirt_pool as Record<string, any>)[0];
      const base = Object.values(json.resource.libvirt_volume as Record<string, any>).find((v) => v.name.endsWith('-base.qcow2'));
      const evaluated = evaluateTerraformStrings([pool.target.path, base.source, json.provider.libvirt[0].uri]);

      // THEN terraform gives each field back exactly as the config says (a path holding '%' goes as a file:// URL)
      evaluated[1] = decodeURIComponent(evaluated[1].replace(/^file:\/\//, ''));
      expect(evaluated).toEqual([lab.storagePoolPath, lab.image!.source, lab.libvirtUri]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

/** The stack's own references: `${libvirt_<type>.<name>.<attribute>}` as cdktf writes them. */
const OWN_REFERENCE = /^\$\{libvirt_[a-z_]+\.[A-Za-z0-9_-]+\.[a-z_]+\}$/;

describe(`property: every config string reaches cdk.tf.json as a literal ${replay}`, () => {
  /** A path segment of config text: never empty, '.' or '..' (the pool path must be normalized). */
  const segment = text(1).map((s) => s.replace(/\//g, '_')).filter((s) => s !== '.' && s !== '..');
  /** The same in a URL: no whitespace, and '%' only in a %XX escape (the schema refuses any other). */
  const urlSegment = segment.map((s) => s.replace(/\s/g, '+').replace(/[%&;#?]/g, encodeURIComponent));
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
