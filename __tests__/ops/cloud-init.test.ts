import { classifyCloudInitFailure, parseCloudInitStatus } from '../../ops/cloud-init';
import { recordedCloudInit } from '../helpers/ops-lab';

/*
 * The judgement of a first boot, on what Debian 12's cloud-init (22.4.2) really printed
 * (recorded/cloud-init-22.4/README.md says how): its status JSON, and the error lines of its
 * output log as `lvs-lab wait` reads them.
 */
const status = (scenario: string) => parseCloudInitStatus(recordedCloudInit(scenario, 'status.json'))!;
const judge = (scenario: string) => classifyCloudInitFailure(status(scenario), recordedCloudInit(scenario, 'errors.txt'));

describe('parseCloudInitStatus', () => {
  test('a finished first boot: done, no error', () => {
    expect(status('success')).toEqual({ state: 'done', status: 'done', errors: [], failedModules: [], lastUpdate: 'Thu, 03 Dec 2026 14:00:15 +0000' });
  });

  test.each([
    ['not-run', 'not run'],
    ['running-between-stages', 'running'],
    ['running', 'running'],
  ])('%s: still under way (cloud-init says "%s")', (scenario, word) => {
    expect(status(scenario)).toMatchObject({ state: 'running', status: word, errors: [] });
  });

  test.each([
    ['package-missing', ['package-update-upgrade-install']],
    ['dns-failure', ['package-update-upgrade-install']],
    ['runcmd-failure', ['scripts-user']],
  ])('%s: an error, naming the failed module', (scenario, modules) => {
    const s = status(scenario);
    expect(s.state).toBe('error');
    expect(s.failedModules).toEqual(modules);
  });

  test("a package failure's record holds no apt message (apt's output goes to the log, not the status)", () => {
    expect(status('package-missing').errors[0]).toContain('Stderr: -');
  });

  test('23.4 and later: extended_status is the word shown, status the verdict', () => {
    const s = parseCloudInitStatus(JSON.stringify({ status: 'done', extended_status: 'degraded done', errors: [], recoverable_errors: { WARNING: ['x'] } }));
    expect(s).toMatchObject({ state: 'done', status: 'degraded done' });
  });

  test.each([
    ['bash: line 1: cloud-init: command not found'],
    [''],
    ['{"no": "status"}'],
    ['{ not json'],
  ])('no status in %j: undefined', (stdout) => {
    expect(parseCloudInitStatus(stdout)).toBeUndefined();
  });
});

describe('classifyCloudInitFailure', () => {
  test('a package the mirror lacks: apt\'s line and the fix names packages.mirror and image.preinstalled', () => {
    const f = judge('package-missing');
    expect(f.line).toBe('E: Unable to locate package haproxy');
    expect(f.cause).toBe('package-missing');
    expect(f.fix).toContain('package haproxy could not be installed');
    expect(f.fix).toContain('packages.mirror');
    expect(f.fix).toContain('image.preinstalled: true');
  });

  test('a mirror name the VM cannot resolve: the cause (DNS), not its effect (every package missing)', () => {
    const f = judge('dns-failure');
    expect(f.line).toBe("W: Failed to fetch http://apt.lvs-lab.test/debian/dists/bookworm/InRelease  Could not resolve 'apt.lvs-lab.test'");
    expect(f.cause).toBe('dns');
    expect(f.fix).toMatch(/^the VM cannot resolve apt\.lvs-lab\.test: check network\.dns/);
  });

  test('a mirror without the security suite: the suite is named', () => {
    const f = judge('mirror-suite-missing');
    expect(f.line).toBe("E: The repository 'http://127.0.0.1:8765/debian bookworm-security Release' does not have a Release file.");
    expect(f.cause).toBe('mirror-suite');
    expect(f.fix).toContain('packages.securityMirror');
  });

  test("a first-boot command that failed: cloud-init's record of it, and where its output is", () => {
    const f = judge('runcmd-failure');
    expect(f.cause).toBe('runcmd');
    expect(f.line).toBe("('scripts-user', RuntimeError('Runparts: 1 failures (runcmd) in 1 attempted commands'))");
    expect(f.fix).toContain('/var/log/cloud-init-output.log');
  });

  test('the log could not be read (sudo refused): the status alone still names the module', () => {
    const f = classifyCloudInitFailure(status('package-missing'), '');
    expect(f.cause).toBe('other');
    expect(f.line).toBe('(\'package-update-upgrade-install\', ProcessExecutionError("Unexpected error while running command.');
    expect(f.fix).toContain('/var/log/cloud-init-output.log');
  });
});

describe("Debian 13's cloud-init (25.1.4): the same verdicts from the newer shape", () => {
  const status25 = (scenario: string) => parseCloudInitStatus(recordedCloudInit(`../cloud-init-25.1/${scenario}`, 'status.json'))!;

  test.each([
    ['package-missing', ['package-update-upgrade-install']],
    ['runcmd-failure', ['scripts-user']],
  ])('%s: an error (extended_status "error - done"), naming the failed module', (scenario, modules) => {
    expect(status25(scenario)).toMatchObject({ state: 'error', status: 'error - done', failedModules: modules });
  });

  test('a package failure without the log: the record names the packages, the fix the mirror', () => {
    const f = classifyCloudInitFailure(status25('package-missing'), '');
    expect(f.cause).toBe('package-install');
    expect(f.fix).toContain('packages.mirror');
    expect(f.line).toBe('(\'package-update-upgrade-install\', PackageInstallerError("Failed to install the following packages: {\'lvs-lab-no-such-package\'}. See associated package manager logs for more details."))');
  });
});
