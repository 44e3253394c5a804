import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LibvirtSandbox } from '../helpers/libvirtd';
import { requireTool } from '../helpers/tools';

/*
 * The lvs-lab command (scripts/lvs-lab.ts) as a user runs it, against this machine's real tools:
 * usage errors, a libvirt that does not answer (real virsh), a lab whose every need is met (a
 * libvirtd of the test's own, e2e/sandbox.sh), and `npm run deploy` stopping at the doctor or
 * going on to cdktf (a stand-in `npx` prints the cdktf command line instead of deploying).
 */
const root = path.resolve(__dirname, '../..');
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk6r2mFJqzKcQ0u1Bf4bX5tUuJv7YlN3m9p2cQe8sXw me@laptop';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-cli-'));
  // libvirt's qemu user must be able to pass through on the way to the pool (the doctor checks it)
  fs.chmodSync(dir, 0o711);
  fs.mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'home', '.ssh', 'id_ed25519.pub'), `${KEY}\n`);
  fs.writeFileSync(path.join(dir, 'npx'), '#!/bin/sh\necho "npx $*"\n', { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `lvs-lab <args>` (or another npm script) with LAB_CONFIG `config`, HOME the test's. */
function run(argv: string[], config?: string) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: path.join(dir, 'home'),
    PATH: `${dir}:${process.env.PATH}`,
    CHECKPOINT_DISABLE: '1',
    // the provider build cache of the real home (scripts/provider.sh), not of the test's
    LVS_LAB_CACHE: process.env.LVS_LAB_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'lvs-dr-lab'),
  };
  delete env.LAB_CONFIG;
  delete env.TERRAFORM_BINARY_NAME;
  if (config) env.LAB_CONFIG = config;
  const [command, args] = argv[0] === 'npm' ? ['npm', argv.slice(1)] : [process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/lvs-lab.ts', ...argv]];
  return spawnSync(command, args, { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
}

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, `${name}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

describe('usage', () => {
  test.each([
    [[], 'name a command: doctor, wait, status, traffic, drill'],
    [['frobnicate'], 'Unknown argument: frobnicate'],
    [['doctor', '--bogus'], 'Unknown argument: bogus'],
    [['doctor', '--json', '--quiet'], 'Arguments json and quiet are mutually exclusive'],
  ])('fails with exit status 2 on `lvs-lab %j`', (args, message) => {
    const r = run(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`lvs-lab: ${message}`);
    expect(r.stdout).toBe('');
  });

  test('--help lists the doctor and its options', () => {
    const r = run(['doctor', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--json');
    expect(r.stdout).toContain('--quiet');
  });
});

describe('a libvirt that does not answer (real virsh)', () => {
  // a local image that is not there either: a fast failure, no DNS lookup of the default image's host
  const deadSocket = () => writeConfig('dead', [
    'name: doctor-dead',
    `libvirtUri: qemu+unix:///system?socket=${dir}/no-such-libvirt-sock`,
    'domainType: qemu',
    `image: { source: ${dir}/missing.qcow2 }`,
    '',
  ].join('\n'));

  test('doctor exits 1, names the socket error and how to start libvirtd', () => {
    requireTool('virsh', 'libvirt-clients');
    const r = run(['doctor'], deadSocket());
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`✗ libvirt          libvirt at qemu+unix:///system?socket=${dir}/no-such-libvirt-sock does not answer: `);
    expect(r.stdout).toContain(`Failed to connect socket to '${dir}/no-such-libvirt-sock': No such file or directory`);
    expect(r.stdout).toContain(`fix: nothing listens on ${dir}/no-such-libvirt-sock: start the libvirtd whose libvirtd.conf puts its socket there`);
    // how this machine starts a service: systemd when it runs it, else by hand
    expect(r.stdout).toContain(fs.existsSync('/run/systemd/system') ? '`sudo systemctl enable --now libvirtd`' : '`sudo virtlogd -d && sudo libvirtd -d`');
  });

  test('--json gives the same verdict to a script', () => {
    const r = run(['doctor', '--json'], deadSocket());
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.lab).toBe('doctor-dead');
    expect(report.checks.find((c: { id: string }) => c.id === 'libvirt')).toMatchObject({ ok: false, fix: expect.stringContaining('start it: `sudo ') });
  });

  test('`npm run deploy` stops at the doctor with its message: cdktf never runs', () => {
    const r = run(['npm', 'run', '--silent', 'deploy'], deadSocket());
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/^✗ libvirt +libvirt at qemu\+unix/m);
    expect(r.stdout).not.toMatch(/^✓/m); // --quiet: failures and warnings only
    expect(`${r.stdout}${r.stderr}`).not.toContain('npx cdktf');
  });
});

describe('a lab whose every need is met (a libvirtd of the test\'s own)', () => {
  let sandbox: LibvirtSandbox;
  let config: string;
  const outdir = path.join(root, 'cdktf.out', 'labs', 'doctor-ok');
  beforeAll(() => {
    sandbox = LibvirtSandbox.up('doctor');
    const image = path.join(dir, 'base.qcow2');
    const made = spawnSync(requireTool('qemu-img', 'qemu-utils'), ['create', '-q', '-f', 'qcow2', image, '16M'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`qemu-img create failed: ${made.stderr}`);
    config = writeConfig('ok', [
      'name: doctor-ok',
      `libvirtUri: ${sandbox.uri}`,
      'domainType: qemu',
      `storagePoolPath: ${dir}/pool`,
      'network: { mode: isolated }',
      `image: { source: ${image}, preinstalled: true }`,
      '',
    ].join('\n'));
  }, 120_000);
  afterAll(() => {
    sandbox?.down();
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.rmSync(`${outdir}.lock`, { force: true }); // scripts/cdktf.sh's lock of the lab
  });

  test('doctor exits 0: every check passes (the provider mirror may only be due to be built)', () => {
    const r = run(['doctor'], config);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const marks = r.stdout.split('\n').filter((line) => /^[✓!✗] /.test(line)).map((line) => line.split(/ +/).slice(0, 2).join(' '));
    expect(marks).toEqual([
      '✓ config', '✓ terraform', expect.stringMatching(/^[✓!] provider$/), '✓ libvirt', '✓ kvm', '✓ bridge', '✓ subnet', '✓ bridge-netfilter',
      '✓ pool-directory', '✓ image', '✓ ssh-key',
    ]);
    expect(r.stdout).toContain(`✓ libvirt          ${sandbox.uri} answers (`);
    expect(r.stdout).toMatch(/^lvs-lab doctor: all 11 checks passed/m);
  });

  test('`npm run deploy` goes on to cdktf after a passing doctor (--no-wait: no VM to wait for here)', () => {
    const r = run(['npm', 'run', '--silent', 'deploy', '--', '--no-wait'], config);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`npx cdktf deploy --skip-provider-lock --output ${outdir} --auto-approve`);
    expect(r.stdout).not.toContain('✗');
  });
});
