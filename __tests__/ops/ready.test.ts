import { resolveLabConfig } from '../../lab';
import { CLOUD_INIT_ERRORS_COMMAND, CLOUD_INIT_STATUS_COMMAND } from '../../ops/cloud-init';
import { formatReady, formatReadyEvent, formatReadyJson, waitForReady, type ReadyEvent } from '../../ops/ready';
import { FakeLab, settle } from '../helpers/ops-lab';

/* `lvs-lab wait` against a lab whose VMs answer with Debian 12 cloud-init's recorded outputs. */
const lab = resolveLabConfig({});
const [d1, d2] = lab.directors;
const T0 = 1_764_220_800_000;
const MIN = 60_000;

beforeEach(() => jest.useFakeTimers({ now: T0 }));
afterEach(() => jest.useRealTimers());

/** A lab at its first boot: every VM's ssh comes up after `sshAfterMs`, its cloud-init ends at `endsAfterMs` with `outcome`. */
function booting(outcomes: Record<string, string> = {}, sshAfterMs = 40_000, endsAfterMs = 4 * MIN) {
  const fake = new FakeLab(lab);
  for (const vm of [...lab.directors, ...lab.realServers]) {
    fake.firstBoot.set(vm.name, { outcome: outcomes[vm.name] ?? 'success', endsAt: T0 + endsAfterMs });
    fake.unreachable.set(vm.name, 'ssh: connect to host ' + vm.address + ' port 22: Connection refused');
  }
  setTimeout(() => fake.unreachable.clear(), sshAfterMs);
  return fake;
}

const waitOn = (fake: FakeLab, timeoutMs = 15 * MIN, events: ReadyEvent[] = []) =>
  settle(waitForReady(fake.host(), lab, { timeoutMs }, (e) => events.push(e)), 20 * MIN);

describe('a first boot that ends well', () => {
  test('ready once every cloud-init is done and every real server answered through the VIP', async () => {
    const events: ReadyEvent[] = [];
    const report = await waitOn(booting(), 15 * MIN, events);
    expect(report.ok).toBe(true);
    expect(report.timedOut).toBe(false);
    expect(report.problems).toEqual([]);
    expect(report.vms.map((v) => [v.name, v.phase, v.cloudInit])).toEqual([
      [d1.name, 'done', 'done'], [d2.name, 'done', 'done'], ['rs-1', 'done', 'done'], ['rs-2', 'done', 'done'],
    ]);
    expect(report.services).toEqual([{ key: 'TCP 192.168.20.140:80', url: 'http://192.168.20.140:80/', expected: ['rs-1', 'rs-2'], answered: ['rs-1', 'rs-2'], oneAnswerEnough: false, ok: true }]);
    // ended within a poll of the last cloud-init's end
    expect(report.elapsedSec).toBeGreaterThanOrEqual(240);
    expect(report.elapsedSec).toBeLessThanOrEqual(250);
  });

  test('one line per change of each VM: booting, running, done; then each real server\'s first answer', async () => {
    const events: ReadyEvent[] = [];
    await waitOn(booting(), 15 * MIN, events);
    const rs1 = events.filter((e) => e.kind === 'vm' && e.vm.name === 'rs-1').map(formatReadyEvent);
    expect(rs1).toEqual([
      expect.stringMatching(/^\[ +0 s\] rs-1 \(real server, 192\.168\.20\.143\): booting \(ssh: connect to host 192\.168\.20\.143 port 22: Connection refused\)$/),
      expect.stringMatching(/^\[ +4\d s\] rs-1 \(real server, 192\.168\.20\.143\): cloud-init running$/),
      expect.stringMatching(/^\[ +24\d s\] rs-1 \(real server, 192\.168\.20\.143\): cloud-init done$/),
    ]);
    expect(events.filter((e) => e.kind === 'answer').map(formatReadyEvent)).toEqual([
      expect.stringMatching(/^\[ +24\d s\] TCP 192\.168\.20\.140:80: rs-\d answered$/),
      expect.stringMatching(/^\[ +24\d s\] TCP 192\.168\.20\.140:80: rs-\d answered$/),
    ]);
  });

  test('asks cloud-init without sudo; reads the log only of a VM that failed', async () => {
    const fake = booting({ 'rs-2': 'package-missing' });
    await waitOn(fake);
    expect(fake.log.filter((l) => l.includes('sudo') && l !== `rs-2: ${CLOUD_INIT_ERRORS_COMMAND}`)).toEqual([]);
    expect(fake.log.filter((l) => l.endsWith(CLOUD_INIT_ERRORS_COMMAND))).toEqual([`rs-2: ${CLOUD_INIT_ERRORS_COMMAND}`]);
    expect(new Set(fake.log.map((l) => l.slice(l.indexOf(': ') + 2)))).toEqual(new Set([CLOUD_INIT_STATUS_COMMAND, CLOUD_INIT_ERRORS_COMMAND]));
  });

  test('the report: a table of VMs and services, then the verdict', async () => {
    const text = formatReady(await waitOn(booting()));
    expect(text).toMatch(/│ rs-1 +│ real server │ 192\.168\.20\.143 │ done +│ +24\d s │/);
    expect(text).toMatch(/│ TCP 192\.168\.20\.140:80 │ rs-\d, rs-\d +│ - +│/);
    expect(text.trimEnd().split('\n').pop()).toMatch(/^lvs-lab wait: lab lvs-lab is ready after 24\d s: cloud-init done on every VM, every real server answers through every VIP\.$/);
  });

  test('--json: the documented shape', async () => {
    const json = JSON.parse(formatReadyJson(await waitOn(booting())));
    expect(Object.keys(json)).toEqual(['version', 'ok', 'lab', 'elapsedSec', 'timeoutSec', 'timedOut', 'vms', 'services', 'skipped', 'problems']);
    expect(Object.keys(json.vms[0])).toEqual(['name', 'role', 'address', 'phase', 'cloudInit', 'sinceSec']);
  });
});

test('a VIP this machine has no route to (IPv6 off here): not asked, said so; the VMs decide', async () => {
  const fake = booting();
  const host = fake.host();
  const noRoute = { ...host, local: async (command: string, args: readonly string[]) => (args.join(' ') === 'route get 192.168.20.140'
    ? { status: 2, stdout: '', stderr: 'RTNETLINK answers: Network is unreachable\n' } : host.local(command, args)) };
  const report = await settle(waitForReady(noRoute, lab, { timeoutMs: 15 * MIN }), 20 * MIN);
  expect(report.ok).toBe(true);
  expect(report.services).toEqual([]);
  expect(report.skipped).toEqual(['TCP 192.168.20.140:80: this machine has no route to 192.168.20.140 (`ip route get 192.168.20.140`): not asked']);
  expect(formatReady(report)).toContain('skipped TCP 192.168.20.140:80: this machine has no route to 192.168.20.140');
});

describe('fails when', () => {
  test('a real server\'s first boot cannot install a package: exit-worthy at once, naming the VM, apt\'s line and the fix', async () => {
    const report = await waitOn(booting({ 'rs-2': 'package-missing' }));
    expect(report.ok).toBe(false);
    expect(report.timedOut).toBe(false);
    expect(report.elapsedSec).toBeLessThan(260); // not the whole timeout
    expect(report.vms.find((v) => v.name === 'rs-2')).toMatchObject({ phase: 'error', cloudInit: 'error', failedModules: ['package-update-upgrade-install'] });
    expect(report.services).toEqual([]); // not asked: the lab cannot be whole
    expect(report.problems).toEqual([{
      id: 'cloud-init', subject: 'rs-2',
      message: 'cloud-init failed on rs-2 (192.168.20.144) in package-update-upgrade-install: E: Unable to locate package haproxy',
      fix: expect.stringMatching(/^package haproxy could not be installed: .*packages\.mirror.*image\.preinstalled: true.*npm run destroy.*npm run deploy.*`ssh -i \/home\/me\/\.ssh\/id_ed25519 lab@192\.168\.20\.144 sudo cat \/var\/log\/cloud-init-output\.log`$/),
    }]);
    const text = formatReady(report);
    expect(text).toContain('✗ rs-2: cloud-init failed on rs-2 (192.168.20.144) in package-update-upgrade-install: E: Unable to locate package haproxy');
    expect(text.trimEnd().split('\n').pop()).toBe('lvs-lab wait: lab lvs-lab is not ready: 1 problem.');
  });

  test('two VMs fail two ways: each named with its own cause', async () => {
    const report = await waitOn(booting({ [d2.name]: 'dns-failure', 'rs-1': 'runcmd-failure' }));
    expect(report.problems.map((p) => [p.subject, p.message])).toEqual([
      [d2.name, `cloud-init failed on ${d2.name} (${d2.address}) in package-update-upgrade-install: W: Failed to fetch http://apt.lvs-lab.test/debian/dists/bookworm/InRelease  Could not resolve 'apt.lvs-lab.test'`],
      ['rs-1', "cloud-init failed on rs-1 (192.168.20.143) in scripts-user: ('scripts-user', RuntimeError('Runparts: 1 failures (runcmd) in 1 attempted commands'))"],
    ]);
    expect(report.problems[0].fix).toMatch(/^the VM cannot resolve apt\.lvs-lab\.test: check network\.dns/);
  });

  test('cloud-init still runs at the time limit: bounded, says how to follow it and how to wait longer', async () => {
    const report = await waitOn(booting({}, 40_000, 30 * MIN), 5 * MIN);
    expect(report.timedOut).toBe(true);
    expect(report.elapsedSec).toBe(300);
    expect(report.problems.map((p) => p.id)).toEqual(['cloud-init', 'cloud-init', 'cloud-init', 'cloud-init']);
    expect(report.problems[0].message).toBe(`cloud-init on ${d1.name} still runs after 300 s`);
    expect(report.problems[0].fix).toContain('--timeout, or LAB_WAIT_TIMEOUT_SEC for a deploy');
    expect(formatReady(report).trimEnd().split('\n').pop()).toBe('lvs-lab wait: lab lvs-lab is not ready after 300 s: 4 problems.');
  });

  test('a VM ssh never reaches: its reason and the fix', async () => {
    const fake = new FakeLab(lab);
    fake.unreachable.set('rs-1', 'Permission denied (publickey).');
    const report = await waitOn(fake, 3 * MIN);
    expect(report.problems).toEqual([{
      id: 'ssh', subject: 'rs-1',
      message: '`ssh -i /home/me/.ssh/id_ed25519 lab@192.168.20.143` did not get through within 180 s: Permission denied (publickey).',
      fix: expect.stringMatching(/^the VM refused the key: pass --ssh-key/),
    }]);
  });

  test('a real server that never answers through the VIP: named, with what did answer', async () => {
    const fake = booting();
    fake.web.set('rs-2', 'inactive');
    const report = await waitOn(fake, 6 * MIN);
    expect(report.timedOut).toBe(true);
    expect(report.problems).toEqual([{
      id: 'service', subject: 'TCP 192.168.20.140:80',
      message: 'rs-2 never answered through http://192.168.20.140:80/ within 360 s (answered: rs-1)',
      fix: expect.stringContaining('lvs-lab -- status'),
    }]);
  });
});
