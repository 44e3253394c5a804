import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabConfigError, describeValue, loadLabConfig, validateLabConfig, type LabProblem } from '../../lab';

/*
 * Issue "Every config the rules accept is safe and works": what a lab config can do at the
 * boundary where it enters the app (inherited key names, alias amplification, echoed secrets and
 * terminal escapes, LAB_CONFIG naming something other than a small regular file, cdktf's token
 * marker, libvirt URIs that run programs).
 */
const ids = (problems: readonly LabProblem[]) => problems.map((p) => `${p.rule} ${p.path}`);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-boundary-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The LabConfigError loading `path` throws (a test failure on any other outcome). */
function loadError(path: string): LabConfigError {
  const outcome = (() => {
    try {
      return loadLabConfig(path);
    } catch (error) {
      return error;
    }
  })();
  expect(outcome).toBeInstanceOf(LabConfigError);
  return outcome as LabConfigError;
}

describe('keys are checked as own properties', () => {
  test.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf'])('fails when the config has the key %s (an inherited name)', (key) => {
    // JSON.parse makes even __proto__ an own key, as the YAML parser does
    const config = JSON.parse(`{"${key}": 1, "network": {"${key}": 2}}`);
    expect(ids(validateLabConfig(config))).toEqual([`unknown-key ${key}`, `unknown-key network.${key}`]);
  });

  test('fails on inherited names in a YAML file, with every problem at once', () => {
    const path = file('proto.yaml', '__proto__: {a: 1}\nconstructor: x\ntoString: y\nvrrp: {valueOf: 3}\n');
    expect(ids(loadError(path).problems)).toEqual(
      ['unknown-key __proto__', 'unknown-key constructor', 'unknown-key toString', 'unknown-key vrrp.valueOf']);
  });
});

describe('size: no input ends in a RangeError', () => {
  test('fails with a problem, not a stack trace, on an anchor amplified by aliases under the alias cap (in the app)', () => {
    // GIVEN a 600 KiB anchor and 99 aliases of it (60 MB once expanded), under the 1 MiB file cap
    const path = file('amplified.yaml', `a: &a "${'x'.repeat(600 * 1024)}"\nb: [${Array(99).fill('*a').join(', ')}]\n`);

    // WHEN loaded THEN one size problem says how big it would be and what is allowed
    const problems = loadError(path).problems;
    expect(ids(problems)).toEqual(['size (root)']);
    expect(problems[0].message.length).toBeLessThan(400);
  });

  test('fails with a problem on a config nested deeper than any lab (no stack overflow in a later step)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(ids(validateLabConfig({ directors: deep }))).toEqual(['size (root)']);
  });

  test('an echoed value is short whatever its size: a huge list, mapping or key', () => {
    const big = 'y'.repeat(5_000_000);
    expect(describeValue(Array(99).fill(big)).length).toBeLessThanOrEqual(120);
    expect(describeValue({ a: big, b: [big] }).length).toBeLessThanOrEqual(120);
    const [problem] = validateLabConfig({ [big.slice(0, 300_000)]: 1 });
    expect(problem.rule).toBe('unknown-key');
    expect(problem.message.length).toBeLessThan(1_000);
  });
});

describe('echoed values: no secret, no terminal escape', () => {
  test('masks the credentials of a URL in any echoed value', () => {
    const problems = validateLabConfig({
      packages: { mirror: 'http://mirror-user:s3cret-mirror@mirror.example/debian', proxy: 'http://proxy-user:s3cret-proxy@proxy example:3128' },
      image: { source: 'ftp://img-user:s3cret-image@images.example/x.qcow2' },
    });
    expect(ids(problems)).toEqual(['format packages.mirror', 'format packages.proxy', 'format image.source']);
    const text = problems.map((p) => p.message).join('\n');
    expect(text).not.toMatch(/s3cret/);
    expect(text).toContain('http://mirror-user:***@mirror.example/debian');
  });

  test('masks a rejected vrrp.authPass', () => {
    const problems = validateLabConfig({ vrrp: { authPass: 'hunter2#', version: 2 } });
    expect(ids(problems)).toEqual(['format vrrp.authPass']);
    expect(problems[0].message).not.toContain('hunter2');
    expect(problems[0].message).toContain('vrrp.authPass: got a string of 8 characters (not shown)');
  });

  test('escapes control characters and terminal escapes in echoed keys and values', () => {
    const key = 'x\u001b]0;pwned\u0007\u009b31m\u202e';
    const problems = validateLabConfig({ [key]: 'v\u001b[2J\r\n', name: 'a\u001b[31m' });
    expect(ids(problems)).toEqual([`unknown-key ${key}`, 'format name']);
    for (const { message } of problems) expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(problems[0].message).toContain('x\\u001b]0;pwned\\u0007\\u009b31m\\u202e: got "v\\u001b[2J\\r\\n"');
  });

  test('escapes control characters in the file name of a config error', () => {
    const path = file('esc\u001b[31m.txt', '{}');
    expect(loadError(path).message).not.toMatch(/\u001b/);
  });
});

describe('LAB_CONFIG: a small regular file, nothing else', () => {
  test('fails on a file over 1 MiB, without reading it', () => {
    const path = file('huge.yaml', `# ${'x'.repeat(1024 * 1024)}\n{}\n`);
    const [problem] = loadError(path).problems;
    expect(`${problem.rule} ${problem.path}`).toBe(`file ${path}`);
    expect(problem.message).toMatch(/expected a regular file of at most 1 MiB .*; it holds 1048\d+ bytes/);
  });

  test('fails on a directory, a device and a symlink, naming what it is', () => {
    mkdirSync(join(dir, 'adir.yaml'));
    symlinkSync(file('target.yaml', '{}'), join(dir, 'link.yaml'));
    const problem = (path: string) => loadError(path).problems[0];
    expect(problem(join(dir, 'adir.yaml')).message).toMatch(/expected a regular file .*; it is a directory/);
    expect(problem(join(dir, 'link.yaml')).message).toMatch(/expected a regular file .*; it is a symbolic link/);
    expect(problem(join(dir, 'adir.yaml')).rule).toBe('file');
  });

  test('fails on /dev/zero (as LAB_CONFIG through a .yaml name) and on a FIFO, without blocking', () => {
    // A FIFO with no writer: opening it for reading would block forever.
    const fifo = join(dir, 'fifo.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const zero = join(dir, 'zero.yaml');
    expect(spawnSync('mknod', [zero, 'c', '1', '5']).status === 0 || spawnSync('ln', ['-s', '/dev/zero', zero]).status === 0).toBe(true);
    const script = `
      const { loadLabConfig, LabConfigError } = require('./lab');
      for (const f of process.argv.slice(1)) {
        try { loadLabConfig(f); console.log('loaded', f); } catch (e) { console.log(e instanceof LabConfigError ? e.problems[0].message : 'CRASH ' + e); }
      }`;
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script, fifo, zero], {
      cwd: join(__dirname, '../..'), encoding: 'utf8', timeout: 60_000,
    });
    expect(r.error).toBeUndefined();
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/expected a regular file .*; it is a FIFO/);
    expect(lines[1]).toMatch(/expected a regular file .*; it is a (character device|symbolic link)/);
  });
});

describe("cdktf's token marker is refused in config text", () => {
  test.each([
    ['storagePoolPath', { storagePoolPath: '/srv/${TfToken[TOKEN.3]}' }],
    ['image.source', { image: { source: '/srv/${TfToken[TOKEN.99999]}.qcow2' } }],
    ['libvirtUri', { libvirtUri: 'qemu+unix:///system?socket=/run/${TfToken[TOKEN.1]}/sock' }],
  ])('fails when %s holds ${TfToken[…]}: it would become a reference to another resource of the stack', (path, config) => {
    const problems = validateLabConfig(config);
    expect(ids(problems)).toEqual([`token-marker ${path}`]);
    expect(problems[0].message).toContain("without '{TfToken['");
  });
});

describe('libvirtUri: nothing that runs a program or weakens a check', () => {
  test.each([
    ['qemu+ext:///system?command=/tmp/x', 'the ext transport'],
    ['QEMU+EXT:///system?command=/tmp/x', 'the ext transport'],
    ['qemu+ssh://root@kvm1.example/system?command=/tmp/x', 'command'],
    ['qemu+ssh://root@kvm1.example/system?Command=/tmp/x', 'command'],
    ['qemu+ssh://root@kvm1.example/system?comm%61nd=/tmp/x', 'command'],
    ['qemu+ssh://root@kvm1.example/system?socket=/run/s;command=/tmp/x', 'command'],
    ['qemu+ssh://root@kvm1.example/system?netcat=/tmp/x', 'netcat'],
    ['qemu+ssh://kvm1.example/system?no_verify=1', 'no_verify'],
    ['qemu+tls://kvm1.example/system?no_verify=0', 'no_verify'],
    ['qemu+ssh://kvm1.example/system?known_hosts_verify=ignore', 'known_hosts_verify'],
    ['qemu+tls://kvm1.example/system?tls_priority=NONE', 'tls_priority'],
    ['qemu+ssh://kvm1.example/system?name=qemu%2Bext:///system', 'name'],
    ['qemu+libssh2://kvm1.example/system', 'the libssh2 transport'],
    ['qemu+unix:///system?socket=/a&socket=/b', 'socket twice'],
    ['qemu+ssh://-oProxyCommand=x/system', 'host'],
  ])('fails on %s (%s)', (libvirtUri) => {
    expect(ids(validateLabConfig({ libvirtUri }))).toEqual(['libvirt-uri libvirtUri']);
  });

  test('says which transports and parameters are allowed', () => {
    const [problem] = validateLabConfig({ libvirtUri: 'qemu+ssh://kvm1.example/system?command=/tmp/x' });
    expect(problem.allowed).toMatch(/transport unix, ssh, tls or tcp/);
    expect(problem.message).toMatch(/command runs a program/);
  });

  test.each([
    'qemu:///system', 'qemu:///session', 'qemu+unix:///system?socket=/run/lab/libvirt-sock', 'qemu+ssh://root@kvm1.example/system',
    'qemu+ssh://lab@kvm1.example:2222/system?keyfile=/home/lab/.ssh/id_ed25519&no_tty=1&socket=/run/libvirt/libvirt-sock',
    'qemu+tls://kvm1.example/system?pkipath=/etc/lab/pki', 'qemu+tcp://10.0.0.1:16509/system', 'qemu+unix:///system?socket=/run/${path.cwd}/a%20b',
  ])('accepts %s', (libvirtUri) => {
    expect(validateLabConfig({ libvirtUri })).toEqual([]);
  });
});
