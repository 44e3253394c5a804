import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

/** Runs the app (main.ts) the way `cdktf synth` does, with LAB_CONFIG and a scratch outdir. */
function runApp(labConfig: string | undefined, outdir: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' };
  delete env.LAB_CONFIG;
  delete env.LAB_STATE_FILE;
  if (labConfig) env.LAB_CONFIG = labConfig;
  Object.assign(env, extraEnv);
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'main.ts'], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('the app (main.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-main-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('without LAB_CONFIG synthesizes the reference topology', () => {
    const out = path.join(dir, 'out');
    const r = runApp(undefined, out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'lvs-dr-lab', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(stack.resource.libvirt_domain)).toHaveLength(4);
    // every seed ISO the stack uploads is written next to it
    const seeds = Object.values(stack.resource.libvirt_volume as Record<string, { name: string; source?: string }>).filter((v) =>
      v.name.endsWith('-cidata.iso'),
    );
    expect(seeds).toHaveLength(4);
    for (const seed of seeds) expect(fs.existsSync(path.join(out, 'stacks', 'lvs-dr-lab', seed.source!))).toBe(true);
    expect(stack.terraform.required_providers.libvirt).toEqual({ source: 'dmacvicar/libvirt', version: '0.8.3' });
  });

  test('reads a YAML lab config named by LAB_CONFIG', () => {
    const file = path.join(dir, 'lab.yaml');
    fs.writeFileSync(file, 'name: lab2\nrealServers:\n  - { name: web-1, address: 192.168.20.150 }\n');
    const out = path.join(dir, 'out');
    const r = runApp(file, out);
    expect(r.status).toBe(0);
    const stack = JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'lvs-dr-lab', 'cdk.tf.json'), 'utf8'));
    expect(Object.values(stack.resource.libvirt_domain).map((d: any) => d.name).sort()).toEqual([
      'lab2--director-1',
      'lab2--director-2',
      'lab2--web-1',
    ]);
  });

  /** The state file of the stack the app wrote (its local backend's path). */
  const statePath = (out: string): string =>
    JSON.parse(fs.readFileSync(path.join(out, 'stacks', 'lvs-dr-lab', 'cdk.tf.json'), 'utf8')).terraform.backend.local.path;

  test('each lab gets its own state file, named after the lab, at an absolute path in the repository root', () => {
    // GIVEN two labs with different names
    const labA = path.join(dir, 'a.yaml');
    const labB = path.join(dir, 'b.yaml');
    fs.writeFileSync(labA, 'name: lab-a\n');
    fs.writeFileSync(labB, 'name: lab-b\n');

    // WHEN the app synthesizes each
    const outA = path.join(dir, 'out-a');
    const outB = path.join(dir, 'out-b');
    expect(runApp(labA, outA).status).toBe(0);
    expect(runApp(labB, outB).status).toBe(0);

    // THEN their states are two files named after them, absolute (terraform runs in the stack's
    // own directory, deep inside the outdir, where a relative path would point elsewhere)
    expect(statePath(outA)).toBe(path.join(root, 'terraform.lab-a.tfstate'));
    expect(statePath(outB)).toBe(path.join(root, 'terraform.lab-b.tfstate'));
  });

  test('LAB_STATE_FILE wins; a relative one is relative to the repository root, not to terraform\'s working directory', () => {
    const labA = path.join(dir, 'a.yaml');
    fs.writeFileSync(labA, 'name: lab-a\n');
    const absolute = path.join(dir, 'elsewhere.tfstate');

    const outAbsolute = path.join(dir, 'out-abs');
    expect(runApp(labA, outAbsolute, { LAB_STATE_FILE: absolute }).status).toBe(0);
    expect(statePath(outAbsolute)).toBe(absolute);

    const outRelative = path.join(dir, 'out-rel');
    expect(runApp(labA, outRelative, { LAB_STATE_FILE: 'states/mine.tfstate' }).status).toBe(0);
    expect(statePath(outRelative)).toBe(path.join(root, 'states', 'mine.tfstate'));
  });

  test('fails when the lab config is invalid: every problem listed, exit 1, no stack written', () => {
    // GIVEN a config with several independent mistakes
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      file,
      [
        'vrrp: { virtualRouterId: 300, authPass: "far-too-long" }',
        'directors:',
        '  - { name: director-1, address: 192.168.20.141, priority: 100 }',
        '  - { name: director-2, address: 192.168.20.143, priority: 100 }',
        'services: [{ vip: 192.168.20.140, scheduler: fastest }]',
        'realServers: [{ name: rs-1, address: 192.168.20.143 }]',
        '',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');

    // WHEN the app runs
    const r = runApp(file, out);

    // THEN it names each field, the value and what is allowed, and writes nothing
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/vrrp\.virtualRouterId: got 300, expected .*1-255/);
    expect(r.stderr).toMatch(/vrrp\.authPass: got "far-too-long".*8/);
    expect(r.stderr).toMatch(/directors\[1\]\.priority: got 100/);
    expect(r.stderr).toMatch(/services\[0\]\.scheduler: got "fastest", expected .*wrr/);
    expect(r.stderr).toMatch(/192\.168\.20\.143/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
    expect(fs.existsSync(path.join(out, 'stacks'))).toBe(false);
  });

  test('fails when storagePoolPath holds a file the lab did not create: exit 1 naming it, no stack written (deploy, diff and destroy synthesize first)', () => {
    // GIVEN a pool directory holding a file of the user's
    const pool = path.join(dir, 'pool');
    fs.mkdirSync(pool);
    fs.writeFileSync(path.join(pool, 'notes.txt'), 'mine');
    const file = path.join(dir, 'lab.yaml');
    fs.writeFileSync(file, `storagePoolPath: ${pool}\n`);
    const out = path.join(dir, 'out');

    // WHEN the app runs
    const r = runApp(file, out);

    // THEN it refuses with the field, the value, the file and what is allowed, and writes nothing
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`storagePoolPath: got "${pool}", expected a directory that does not exist yet, is empty, or holds only this lab's volumes`);
    expect(r.stderr).toContain('it holds notes.txt, which this lab did not create');
    expect(fs.existsSync(path.join(out, 'stacks'))).toBe(false);
    expect(fs.readFileSync(path.join(pool, 'notes.txt'), 'utf8')).toBe('mine');
  });

  test('fails when LAB_CONFIG names a missing file', () => {
    const out = path.join(dir, 'out');
    const r = runApp(path.join(dir, 'nope.yaml'), out);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nope.yaml');
    expect(fs.existsSync(path.join(out, 'stacks'))).toBe(false);
  });
});
