import * as fs from 'node:fs';
import * as fc from 'fast-check';
import { renderDirectorUserData, renderKeepalivedConf, renderNetworkConfig, renderNotifyScript, renderRealServerUserData } from '../../cloud-init';
import { networkConfig } from '../../cloud-init/network-config';
import { DEFAULT_NOTIFY_SCRIPT_PATH, NOTIFY_LOG_FILE } from '../../cloud-init/paths';
import { directorCloudConfig, realServerCloudConfig } from '../../cloud-init/user-data';
import { LvsDrLabStack } from '../../constructs';
import { Testing } from '../../constructs/engine';
import {
  directorKeepalivedModel, directorUserDataModel, LabSchema, realServerUserDataModel, resolveLabConfig, staticInterface, validateLabConfig, type LabConfig,
} from '../../lab';
import { checkSchema, type SchemaNode } from '../../lab/check-schema';
import { keepalivedConfigTestAll } from '../helpers/batch';
import { MIRROR_SIGNING_KEY } from '../helpers/lab-fixtures';
import { NetnsSandbox } from '../helpers/netns';
import { roundTripFailures } from '../helpers/round-trip';
import { scanTerraformTemplate, stackStrings } from '../helpers/terraform-template';
import { requireRoot, requireTool } from '../helpers/tools';

/*
 * Every string field of the lab schema, found by walking LabSchema (a field added later is
 * covered without a change here), gets hostile text in an otherwise valid lab. Either the lab
 * is refused with a problem at exactly that field, or everything built from it means exactly
 * the input: cloud-init's YAML loader reads every user-data and network-config back as the
 * object rendered, every keepalived.conf line fits keepalived's 1024-byte line buffer and the
 * file passes `keepalived --config-test`, and every string of the synthesized stack is a
 * terraform literal. LAB_PBT_SEED replays a run; LAB_PBT_FIELD_RUNS sets the labs per field.
 */
const seed = Number(process.env.LAB_PBT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const runsPerField = Number(process.env.LAB_PBT_FIELD_RUNS ?? 8);
const replay = `(replay with LAB_PBT_SEED=${seed})`;

/** A field: its path with `[]` for list items, e.g. `services[].miscCheck.command[]`. */
interface StringField {
  readonly steps: readonly string[];
  readonly node: SchemaNode;
  /** For a list item: its list. */
  readonly list?: SchemaNode;
}
const fieldName = (steps: readonly string[]) => steps.join('.').replace(/\.\[\]/g, '[]');

/** Every string-valued field of the schema (strings and closed sets of strings), in lists and nested mappings too. */
function stringFields(node: SchemaNode, steps: readonly string[] = []): StringField[] {
  if (node.type === 'object') return Object.entries(node.properties ?? {}).flatMap(([key, child]) => stringFields(child, [...steps, key]));
  if (node.type === 'array') return node.items ? stringFields(node.items, [...steps, '[]']).map((f) => (f.steps.length === steps.length + 1 ? { ...f, list: node } : f)) : [];
  if (node.type === 'string' || (node.enum?.length && node.enum.every((v) => typeof v === 'string'))) return [{ steps, node }];
  return [];
}

/** A real OpenSSH ed25519 key line. */
function ed25519Key(fill: number, comment: string): string {
  const u32 = (n: number) => Buffer.from([0, 0, 0, n]);
  return `ssh-ed25519 ${Buffer.concat([u32(11), Buffer.from('ssh-ed25519'), u32(32), Buffer.alloc(32, fill)]).toString('base64')} ${comment}`;
}

/**
 * Valid labs that between them hold every field of the schema: an IPv4 lab with every optional
 * section (VRRPv2 for authPass), and a dual-stack one (ipv6Cidr and address6 need bridge mode and
 * VRRPv3). A field is placed in the first of them that has its enclosing mapping or list.
 */
const BASES: readonly LabConfig[] = [
  {
    name: 'pbt',
    libvirtUri: 'qemu:///system',
    domainType: 'kvm',
    storagePoolPath: '/srv/labs/pbt',
    network: { mode: 'nat', cidr: '192.168.20.0/24', gateway: '192.168.20.1', dns: ['192.168.20.1', '9.9.9.9'] },
    image: { source: '/var/tmp/debian-12.qcow2', preinstalled: false },
    packages: {
      mirror: 'http://mirror.example/debian', securityMirror: 'http://mirror.example/debian-security', proxy: 'http://proxy.example:3142', signingKey: MIRROR_SIGNING_KEY,
    },
    ssh: { user: 'ops', authorizedKeys: [ed25519Key(7, 'ops@laptop'), ed25519Key(9, 'ci')] },
    vrrp: { version: 2, transport: 'unicast', authPass: 'secret', trackScript: { command: ['/usr/bin/ping', '-c', '1', '192.168.20.1'], weight: 0 } },
    directors: [
      { name: 'director-1', address: '192.168.20.141', priority: 180 },
      { name: 'director-2', address: '192.168.20.142', priority: 80 },
    ],
    realServers: [
      { name: 'rs-1', address: '192.168.20.143' },
      { name: 'rs-2', address: '192.168.20.144' },
    ],
    services: [{
      vip: '192.168.20.140',
      protocol: 'TCP',
      scheduler: 'wrr',
      healthCheck: { type: 'http', path: '/healthz' },
      miscCheck: { command: ['/usr/bin/curl', '-fsS', '-o', '/dev/null', 'http://{address}:{port}/ready'] },
      quorum: { weight: 1, up: ['/usr/bin/logger', '-t', 'lvs-lab', 'up'], down: ['/usr/bin/logger', '-t', 'lvs-lab', 'down'] },
      realServers: ['rs-1', 'rs-2'],
    }],
    notification: { email: ['ops@example.com'], from: 'keepalived@example.com', smtpServer: '192.168.20.1' },
  },
  {
    name: 'pbt6',
    network: { mode: 'bridge', bridge: 'br0', cidr: '10.77.0.0/24', ipv6Cidr: 'fd77::/64' },
    // no gateway on this segment: the packages are in the image
    image: { preinstalled: true },
    vrrp: { version: 3 },
    directors: [
      { name: 'director-1', address: '10.77.0.11', address6: 'fd77::11', priority: 180 },
      { name: 'director-2', address: '10.77.0.12', priority: 80 },
    ],
    realServers: [
      { name: 'rs-1', address: '10.77.0.21', address6: 'fd77::21' },
      { name: 'rs-2', address: '10.77.0.22' },
    ],
    services: [{ vip: '10.77.0.100' }, { vip: 'fd77::100' }],
  },
];

/**
 * `lab` with `value` at the field (list items: the item at `index` modulo the list's length);
 * undefined when `lab` lacks the field's container.
 */
function place(lab: LabConfig, steps: readonly string[], value: unknown, index: number): { config: LabConfig; path: string } | undefined {
  const config = structuredClone(lab) as Record<string, unknown>;
  let node: unknown = config;
  let path = '';
  for (const [i, step] of steps.entries()) {
    const last = i === steps.length - 1;
    if (step === '[]') {
      if (!Array.isArray(node) || node.length === 0) return undefined;
      const at = index % node.length;
      path += `[${at}]`;
      if (last) node[at] = value;
      else node = node[at];
    } else {
      if (typeof node !== 'object' || node === null) return undefined;
      const mapping = node as Record<string, unknown>;
      path += path ? `.${step}` : step;
      if (last) mapping[step] = value;
      else if (mapping[step] === undefined) return undefined;
      else node = mapping[step];
    }
  }
  return { config: config as LabConfig, path };
}

/** The value the base lab has at a field (the first list item), for mutations near the valid. */
function valueAt(lab: unknown, steps: readonly string[]): string | undefined {
  let node = lab;
  for (const step of steps) node = step === '[]' ? (Array.isArray(node) ? node[0] : undefined) : (node as Record<string, unknown> | undefined)?.[step];
  return typeof node === 'string' ? node : undefined;
}

/** Text YAML, keepalived, shells and terraform read specially, and the Unicode that breaks lines or is no text. */
const HOSTILE = [
  '\u2028', '\u2029', '\u0085', '\ufeff', '\ud800', '\udc00', '\ufffe', '\0', '\x1b', '\x7f', '\x9b', '\r', '\n', '\r\n', '\t', ' ',
  '"', "'", '\\', '`', '$', '${', '%{', '$${', '%%{', '${TfToken[TOKEN.1]}', '${path.cwd}', '#', '!', ': ', ' #', '- ', '{', '}', '=', '<<', '%', '%25', '%0a', ';', '|', '&',
  '{address}', '{port}', '{name}', '/', '..', '\u00e9', '\u65e5', '\u{1f600}',
];
/** Terraform template sequences, cdktf's token marker among them. */
const TEMPLATES = ['${TfToken[TOKEN.1]}', '${TfToken[TOKEN.0]}', '${path.cwd}', '%{if}', '${', '%{'];
const hostilePiece = fc.oneof(
  fc.constantFrom(...HOSTILE), fc.constantFrom(...TEMPLATES), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
  fc.integer({ min: 100, max: 1500 }).map((n) => 'a'.repeat(n)),
);

/**
 * The valid value grown with its own last character: mostly to the longest the field's form
 * allows (found by bisection against the schema), where line and buffer limits are met.
 */
function grown(field: StringField, valid: string, overshoot = 8): fc.Arbitrary<string> {
  const grow = (n: number) => `${valid}${valid.slice(-1).repeat(n)}`;
  const fits = (n: number) => {
    let ok = true;
    checkSchema(field.node, grow(n), () => { ok = false; });
    return ok;
  };
  let [low, high] = [0, 8192];
  if (fits(high)) low = high;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return fc.oneof({ arbitrary: fc.constant(low), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: low + overshoot }), weight: 1 }).map(grow);
}

/** Values for a field: anything at all, the valid value with hostile text inside or around it, and values of the field's own form. */
function fieldValues(field: StringField, valid: string | undefined): fc.Arbitrary<string> {
  const anything = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(hostilePiece, { maxLength: 6 }).map((parts) => parts.join('')));
  const near = valid === undefined ? [] : [
    fc.tuple(fc.nat(), fc.array(hostilePiece, { minLength: 1, maxLength: 3 })).map(([at, parts]) => {
      const cut = at % (valid.length + 1);
      return `${valid.slice(0, cut)}${parts.join('')}${valid.slice(cut)}`;
    }),
    fc.integer({ min: 1, max: 2000 }).map((n) => `${valid}${'9'.repeat(n)}`),
    // grown with its own last character, up to the field's longest: still of its form, mostly
    grown(field, valid),
  ];
  const ofItsForm: fc.Arbitrary<string>[] = [];
  if (field.node.pattern) {
    try {
      ofItsForm.push(fc.stringMatching(new RegExp(field.node.pattern, 'u')));
    } catch {
      // a pattern fast-check cannot generate from (lookarounds): the near values stand in
    }
  }
  if (field.node.enum) ofItsForm.push(fc.constantFrom(...(field.node.enum as string[])));
  return fc.oneof({ arbitrary: anything, weight: 2 }, ...near.map((arbitrary) => ({ arbitrary, weight: 3 })), ...ofItsForm.map((arbitrary) => ({ arbitrary, weight: 2 })));
}

interface Case {
  readonly field: string;
  /** The concrete path of the value in the config, e.g. `services[0].miscCheck.command[2]` (a whole list: `services[0].miscCheck.command`). */
  readonly path: string;
  readonly value: string | readonly string[];
  readonly config: LabConfig;
}

const FIELDS = stringFields(LabSchema as unknown as SchemaNode);
const fieldNode = (name: string) => FIELDS.find((f) => fieldName(f.steps) === name)!.node;

/** The cases of every field, from one seed: the field's values in the first base lab that holds it. */
function cases(): Case[] {
  return FIELDS.flatMap((field, i) => {
    const base = BASES.find((lab) => place(lab, field.steps, '', 0) !== undefined);
    if (!base) throw new Error(`${fieldName(field.steps)}: no base lab holds this field; add it to BASES`);
    const values = fieldValues(field, valueAt(base, field.steps));
    const isItem = field.steps[field.steps.length - 1] === '[]';
    // A list item also fills its whole list (up to its maximum): what a list adds up to counts too.
    const valid = valueAt(base, field.steps);
    const most = field.list?.maxItems ?? 16;
    const item = valid === undefined ? values : fc.oneof({ arbitrary: grown(field, valid, 0), weight: 12 }, { arbitrary: values, weight: 1 });
    const lists = fc.oneof(fc.array(item, { minLength: 1, maxLength: most }), fc.array(item, { minLength: most, maxLength: most }));
    const samples = fc.sample(fc.tuple(isItem ? fc.oneof({ arbitrary: values, weight: 3 }, lists) : values, fc.nat()), { seed: seed + i, numRuns: runsPerField });
    return samples.map(([value, index]) => {
      const steps = typeof value === 'string' ? field.steps : field.steps.slice(0, -1);
      return { field: fieldName(field.steps), value, ...place(base, steps, value, index)! };
    });
  });
}

/** Keepalived's read buffer (MAXBUF): a longer line is cut, the rest read as another line. */
const KEEPALIVED_LINE_BYTES = 1024;
/**
 * The stack's own references: `${libvirt_<type>.<name>.<attribute>}` as cdktf writes them, each
 * a whole string (the stack builds no string of a reference and text: one that does holds config
 * text turned into a reference, as `${TfToken[TOKEN.1]}` in a pool path becomes).
 */
const OWN_REFERENCE = /^\$\{libvirt_[a-z_]+\.[A-Za-z0-9_-]+\.[a-z_]+\}$/;

describe(`property: every string field of the schema is refused at that field or means exactly what it says ${replay}`, () => {
  const all = cases();
  const outcome = all.map((c) => ({ ...c, problems: validateLabConfig(c.config) }));
  const accepted = outcome.filter((c) => c.problems.length === 0);
  const show = (c: Case) => `${c.path} = ${JSON.stringify(c.value).slice(0, 160)}`;

  test('the schema has string fields, each placed in a valid base lab', () => {
    for (const base of BASES) expect(validateLabConfig(base)).toEqual([]);
    expect(FIELDS.map((f) => fieldName(f.steps))).toEqual(expect.arrayContaining([
      'name', 'libvirtUri', 'storagePoolPath', 'image.source', 'packages.signingKey', 'ssh.authorizedKeys[]', 'vrrp.trackScript.command[]',
      'services[].miscCheck.command[]', 'services[].quorum.up[]', 'services[].realServers[]', 'directors[].name', 'notification.email[]',
    ]));
    // both outcomes are exercised, or the property says little
    expect(accepted.length).toBeGreaterThan(all.length / 10);
    expect(accepted.length).toBeLessThan(all.length);
  });

  test('a refused value is refused at its own field (or, when it has the field\'s form, by a rule tying fields)', () => {
    // A value of the field's own form may still conflict with another field (a renamed real server
    // a service lists, a check type that takes no path): such a rule reports where it sees fit.
    const ofItsForm = (c: Case) => {
      let malformed = false;
      for (const value of typeof c.value === 'string' ? [c.value] : c.value) checkSchema(fieldNode(c.field), value, () => { malformed = true; });
      return !malformed;
    };
    const atField = (c: Case, path: string) => path === c.path || (typeof c.value !== 'string' && path.startsWith(`${c.path}[`));
    const elsewhere = outcome.filter((c) => c.problems.length > 0 && !c.problems.some((p) => atField(c, p.path)) && !ofItsForm(c));
    expect(elsewhere.map((c) => `${show(c)}: refused at ${c.problems.map((p) => `${p.path} (${p.rule})`).join(', ')}`)).toEqual([]);
  });

  test('every user-data and network-config of an accepted lab is read back by cloud-init as exactly the object rendered', () => {
    const documents = accepted.flatMap((c) => {
      const lab = resolveLabConfig(c.config);
      return [
        ...lab.directors.map((d) => directorUserDataModel(lab, d)).map((m) => ({ text: renderDirectorUserData(m), object: directorCloudConfig(m) })),
        ...lab.realServers.map((rs) => realServerUserDataModel(lab, rs)).map((m) => ({ text: renderRealServerUserData(m), object: realServerCloudConfig(m) })),
        ...[...lab.directors, ...lab.realServers].map((vm) => staticInterface(lab, vm)).map((i) => ({ text: renderNetworkConfig(i), object: networkConfig(i) })),
      ].map((d) => ({ ...d, label: show(c) }));
    });
    expect(roundTripFailures(documents)).toEqual([]);
  });

  describe('keepalived.conf of an accepted lab', () => {
    const confs = accepted.flatMap((c) => {
      const lab = resolveLabConfig(c.config);
      return lab.directors.map((d) => ({ case: c, text: renderKeepalivedConf(directorKeepalivedModel(lab, d)) }));
    });

    test(`has no line of ${KEEPALIVED_LINE_BYTES} bytes or more`, () => {
      const long = confs.flatMap((conf) => conf.text.split('\n')
        .filter((line) => Buffer.byteLength(line) + 1 >= KEEPALIVED_LINE_BYTES)
        .map((line) => `${show(conf.case)}: a line of ${Buffer.byteLength(line)} bytes: ${line.slice(0, 80)}...`));
      expect([...new Set(long)]).toEqual([]);
    });

    test('passes keepalived --config-test (commands whose executable this host lacks aside)', () => {
      requireRoot('keepalived --config-test runs in a network namespace');
      requireTool('keepalived', 'keepalived');
      const ns = NetnsSandbox.create('pbtf', [{ name: 'lab0' }]);
      try {
        const notify = { path: DEFAULT_NOTIFY_SCRIPT_PATH, content: renderNotifyScript({ logFile: NOTIFY_LOG_FILE }) };
        const verdicts = keepalivedConfigTestAll(ns, confs.map((c) => c.text), notify);
        const refused = verdicts.flatMap((verdict, i) => {
          if (verdict.status === 0) return [];
          // keepalived rightly refuses a check whose executable is missing (first boot fails loudly
          // then): a value of the schema's form that names no program of this host is no defect
          const missing = /since not found\/accessible|not found|No such file/.test(verdict.output) && executables(confs[i].case.config).some((e) => !fs.existsSync(e));
          return missing ? [] : [`${show(confs[i].case)}:\n${verdict.output}`];
        });
        expect(refused).toEqual([]);
      } finally {
        ns.destroy();
      }
    });
  });

  test('every string of the synthesized stack of an accepted lab is a terraform literal', () => {
    const evaluated = accepted.flatMap((c) => {
      const json = JSON.parse(Testing.synth(new LvsDrLabStack(Testing.app(), 'test', { lab: c.config })));
      const lab = resolveLabConfig(c.config);
      const decode = (value: string) => scanTerraformTemplate(value).text;
      const written = [
        ...(decode(json.provider.libvirt[0].uri) !== lab.libvirtUri ? [`${show(c)}: the provider's uri is ${json.provider.libvirt[0].uri}`] : []),
        ...Object.values(json.resource.libvirt_pool as Record<string, { target: { path: string } }>)
          .filter((pool) => decode(pool.target.path) !== lab.storagePoolPath).map((pool) => `${show(c)}: the pool's path is ${pool.target.path}`),
      ];
      return [...written, ...stackStrings(json).flatMap(({ at, value }) => {
        const { interpolations, directives } = scanTerraformTemplate(value);
        const reference = interpolations.length === 1 && interpolations[0] === value && OWN_REFERENCE.test(value);
        return [...(reference ? [] : interpolations), ...directives].map((sequence) => `${show(c)}: ${at} evaluates ${sequence}`);
      })];
    });
    expect(evaluated).toEqual([]);
  });
});

/** The executables of every command of a lab (track script, misc checks, quorum hooks). */
function executables(config: LabConfig): string[] {
  const commands = [config.vrrp?.trackScript?.command, ...(config.services ?? []).flatMap((s) => [s.miscCheck?.command, s.quorum?.up, s.quorum?.down])];
  return commands.flatMap((command) => (command?.[0] !== undefined ? [command[0]] : []));
}
