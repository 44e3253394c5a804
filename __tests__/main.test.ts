import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { seedFiles } from './helpers/seed';

const root = path.resolve(__dirname, '..');

/**
 * Runs the app (main.ts) the way `cdktf synth` does, with LAB_CONFIG and a scratch outdir, and
 * HOME a directory of the test's (without ~/.ssh unless the test makes one: the app reads the
 * user's default public key there).
 */
function runApp(labConfig: string | undefined, outdir: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', HOME: path.join(path.dirname(outdir), 'home') };
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

/** Two well-formed ed25519 public key lines: one in the user's ~/.ssh, one in a config. */
const HOME_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk6r2mFJqzKcQ0u1Bf4bX5tUuJv7YlN3m9p2cQe8sXw me@laptop';
const CONFIG_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB ops@lab';

describe('the app (main.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-main-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A home directory for runApp with `~/.ssh/<file>` holding `key`. */
  function homeWithKey(file: string, key: string): void {
    fs.mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'home', '.ssh', file), `${key}\n`);
  }

  /** The user-data of a VM of the stack the app wrote into `out`, read from its seed ISO. */
  function userData(out: string, domainName: string): string {
    const stackDir = path.join(out, 'stacks', 'lvs-dr-lab');
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    return seedFiles({ dir: stackDir, json, dispose: () => undefined }, domainName).userData;
  }

  /** The stack's annotations in the synth output's manifest, as the CLI prints them after a synth. */
  function annotations(out: string): string[] {
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    return (manifest.stacks['lvs-dr-lab'].annotations as { level: string; constructPath: string; message: string }[]).map(
      (a) => `${a.level} [${a.constructPath}]: ${a.message}`,
    );
  }

  /** The keys the user-data authorizes for its users (`users[].ssh_authorized_keys`). */
  function authorizedKeys(out: string, domainName: string): string[] {
    const users = (parseYaml(userData(out, domainName)) as { users: { ssh_authorized_keys?: string[] }[] }).users;
    return users.flatMap((user) => user.ssh_authorized_keys ?? []);
  }

  test('without LAB_CONFIG synthesizes the reference topology', () => {
    homeWithKey('id_ed25519.pub', HOME_KEY);
    const out = path.join(dir, 'out');
    const r = runApp(undefined, out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(annotations(out)).toEqual(['@cdktf/info [lvs-dr-lab]: authorizing ~/.ssh/id_ed25519.pub for user lab (the lab config lists no ssh.authorizedKeys)']);
    // the manifest records no stack trace: the synth output never names this checkout
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).not.toContain(root);
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

  test('a config without ssh keys authorizes the user\'s default public key on every VM, and says so in an info annotation', () => {
    // GIVEN the reference lab (no keys) and a home with ~/.ssh/id_ed25519.pub
    homeWithKey('id_ed25519.pub', HOME_KEY);
    const out = path.join(dir, 'out');

    // WHEN the app synthesizes it
    const r = runApp(undefined, out);

    // THEN the seeds authorize that key for the lab user, and the user is told which file (the
    // CLI prints the stack's annotations after the synth: cdktf shows no stderr of a synth that worked)
    expect(r.status).toBe(0);
    expect(annotations(out)).toEqual(['@cdktf/info [lvs-dr-lab]: authorizing ~/.ssh/id_ed25519.pub for user lab (the lab config lists no ssh.authorizedKeys)']);
    for (const vm of ['lvs-lab--director-1', 'lvs-lab--rs-2']) {
      expect(authorizedKeys(out, vm)).toEqual([HOME_KEY]);
    }
  });

  test('a config with ssh keys gets no default key', () => {
    // GIVEN a config listing a key, and another key in the home directory
    homeWithKey('id_ed25519.pub', HOME_KEY);
    const file = path.join(dir, 'lab.yaml');
    fs.writeFileSync(file, `ssh: { authorizedKeys: ["${CONFIG_KEY}"] }\n`);
    const out = path.join(dir, 'out');

    // WHEN the app synthesizes it
    const r = runApp(file, out);

    // THEN only the config's key is authorized, and nothing is said
    expect(r.stderr).toBe('');
    expect(annotations(out)).toEqual([]);
    expect(authorizedKeys(out, 'lvs-lab--director-1')).toEqual([CONFIG_KEY]);
    expect(userData(out, 'lvs-lab--director-1')).not.toContain(HOME_KEY.split(' ')[1]);
  });

  test('no key in the config nor in ~/.ssh: the lab synthesizes without a login, and a warning says how to make a key', () => {
    const out = path.join(dir, 'out');
    const r = runApp(undefined, out);
    expect(r.status).toBe(0);
    expect(annotations(out)).toEqual([
      '@cdktf/warn [lvs-dr-lab]: the lab config lists no ssh.authorizedKeys and there is no ~/.ssh/id_ed25519.pub, ~/.ssh/id_ecdsa.pub, ~/.ssh/id_rsa.pub: ' +
        'the VMs will accept no login for user lab; make a key with `ssh-keygen -t ed25519` and deploy again, or list one in ssh.authorizedKeys',
    ]);
    expect(authorizedKeys(out, 'lvs-lab--director-1')).toEqual([]);
    expect(userData(out, 'lvs-lab--director-1')).not.toContain('ssh_authorized_keys');
  });

  test('writes the synth directory for its owner only: cdk.tf.json holds image.source and libvirtUri, credentials included', () => {
    // GIVEN an image URL with credentials
    homeWithKey('id_ed25519.pub', HOME_KEY);
    const file = path.join(dir, 'lab.yaml');
    fs.writeFileSync(file, 'image: { source: "https://alice:s3cret@images.example/debian.qcow2" }\n');
    const out = path.join(dir, 'out');

    // WHEN synthesized THEN no other user can enter the synth directory to read the stack
    expect(runApp(file, out).status).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(out, 'stacks', 'lvs-dr-lab', 'cdk.tf.json'), 'utf8')).toContain('alice:s3cret@');
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
    expect(r.stderr).toMatch(/vrrp\.authPass: got a string of 12 characters \(not shown\), expected .*1-8/);
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
