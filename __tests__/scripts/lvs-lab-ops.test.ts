import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveLabConfig } from '../../lab';
import { requireRoot, requireTool } from '../helpers/tools';

/*
 * `lvs-lab status | traffic | drill` as a user runs them, with this machine's real ip, ssh and
 * HTTP: usage errors, and a "lab" whose VMs are addresses in a network namespace without sshd
 * or web service (every address answers, nothing listens): the command must say, for each VM,
 * what it tried and what to do, and still resolve the VIP to the MAC of the namespace's NIC.
 */
const root = path.resolve(__dirname, '../..');

function cli(args: readonly string[], env: NodeJS.ProcessEnv, netns?: string) {
  const argv = [process.execPath, '-r', 'ts-node/register/transpile-only', 'scripts/lvs-lab.ts', ...args];
  const [cmd, rest] = netns ? ['ip', ['netns', 'exec', netns, ...argv]] : [argv[0], argv.slice(1)];
  return spawnSync(cmd, rest, { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-ops-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
  const e: NodeJS.ProcessEnv = { ...process.env, HOME: dir, ...extra };
  if (!extra.LAB_CONFIG) delete e.LAB_CONFIG;
  return e;
};

describe('usage errors: exit 2 and the reason', () => {
  test.each([
    [[], 'name a command: doctor, wait, status, traffic, drill'],
    [['drill'], 'name a drill: failover, rs-down NAME'],
    [['drill', 'rs-down', 'rs-9'], 'drill rs-down rs-9: lab lvs-lab has no such real server; its real servers: rs-1, rs-2'],
    [['traffic', '-n', '0'], '-n 0: expected an integer 1-100000'],
    [['traffic', '-c', '1000'], '-c 1000: expected an integer 1-256'],
    [['status', '--ssh-key', '/nonexistent/key'], '--ssh-key /nonexistent/key: no such file'],
    [['status', '--bogus'], 'Unknown argument: bogus'],
    [['wait', '--timeout', '0'], '--timeout 0: expected whole seconds, 1-86400'],
    [['wait', '--timeout', '1.5'], '--timeout 1.5: expected whole seconds, 1-86400'],
  ])('`lvs-lab %j`', (args, message) => {
    const r = cli(args as string[], env());
    expect(r.stderr).toContain(`lvs-lab: ${message}\n`);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });

  test('a wait time limit from the environment that is not whole seconds: exit 2, naming it', () => {
    const r = cli(['wait'], env({ LAB_WAIT_TIMEOUT_SEC: 'soon' }));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('lvs-lab: LAB_WAIT_TIMEOUT_SEC=soon: expected whole seconds, 1-86400\n');
    expect(r.stdout).toBe('');
  });

  test('a lab config that cannot be read: its problems and exit 2', () => {
    const file = path.join(dir, 'bad.yaml');
    fs.writeFileSync(file, 'vrrp: { virtualRouterId: 300 }\n');
    const r = cli(['status'], env({ LAB_CONFIG: file }));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('vrrp.virtualRouterId: got 300, expected an integer 1-255');
    expect(r.stderr).toContain('lvs-lab: the lab config cannot be read');
  });
});

describe('a lab whose VMs run neither sshd nor a web service (network namespaces, real tools)', () => {
  const id = randomBytes(3).toString('hex');
  const vmNs = `opsvm-${id}`;
  const hostNs = `opshost-${id}`;
  const lab = resolveLabConfig({});
  const director = lab.directors[0];
  beforeAll(() => {
    requireRoot('network namespaces');
    requireTool('ip', 'iproute2');
    requireTool('ssh', 'openssh-client');
    const sh = (ns: string, script: string) => {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-ec', script], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
    };
    for (const ns of [vmNs, hostNs]) spawnSync('ip', ['netns', 'add', ns]);
    const made = spawnSync('ip', ['link', 'add', 'lab0', 'netns', vmNs, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', hostNs], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(made.stderr);
    // every VM address and the VIP on one NIC with the MAC the lab gives the first director
    sh(vmNs, [
      `ip link set lab0 address ${director.macAddress}`, 'ip link set lab0 up', 'ip link set lo up',
      ...[...lab.directors, ...lab.realServers].map((vm) => `ip addr add ${vm.address}/24 dev lab0`),
      `ip addr add ${lab.services[0].vip}/32 dev lab0`,
    ].join('; '));
    sh(hostNs, 'ip link set eth0 up; ip link set lo up; ip addr add 192.168.20.254/24 dev eth0');
  });
  afterAll(() => {
    for (const ns of [vmNs, hostNs]) spawnSync('ip', ['netns', 'del', ns]);
  });

  test('status exits 1: every VM refused ssh (what was run, what to do), no MASTER known, the VIP resolves to the NIC\'s MAC', () => {
    const key = path.join(dir, 'id_test');
    fs.writeFileSync(key, 'not a key\n', { mode: 0o600 });
    const r = cli(['status', '--json', '--ssh-key', key], env(), hostNs);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    const ssh = report.problems.filter((p: { id: string }) => p.id === 'ssh');
    expect(ssh.map((p: { subject: string }) => p.subject)).toEqual([...lab.directors, ...lab.realServers].map((vm) => vm.name));
    expect(ssh[0]).toEqual({
      id: 'ssh', subject: director.name,
      message: `\`ssh -i ${key} lab@${director.address}\` did not get through: ssh: connect to host ${director.address} port 22: Connection refused`,
      fix: 'sshd is not listening yet: the VM is still booting (a first boot installs packages); try again in a minute',
    });
    expect(report.problems.map((p: { id: string }) => p.id)).toContain('vip-holder');
    expect(report.vips[0]).toMatchObject({ vip: lab.services[0].vip, holders: [], arp: { checked: true, mac: director.macAddress, director: director.name } });
  });

  test('traffic exits 1: every request refused, the errors named', () => {
    const r = cli(['traffic', '-n', '5', '--json'], env(), hostNs);
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.services[0]).toMatchObject({ sent: 5, answered: 0, failed: 5, errors: [`connect ECONNREFUSED ${lab.services[0].vip}:80`] });
    expect(report.services[0].predictedFrom).toBe('the config (no director holding the VIP answered)');
  });

  test('drill failover refuses to break a lab without one MASTER: exit 1, nothing stopped', () => {
    const r = cli(['drill', 'failover', '--json'], env(), hostNs);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ version: 1, drill: 'failover', ok: false, problems: [expect.stringMatching(/^the drill needs exactly one MASTER, found none holding the VIPs/)] });
    expect(r.stderr).toContain('fix: run `npm run lvs-lab -- status`');
  });
});
