import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderKeepalivedConf } from '../../cloud-init';
import { directorKeepalivedModel, LabConfigError, loadLabConfig, resolveLabConfig, validateLabConfig, type LabProblem } from '../../lab';

/*
 * Values the validator used to accept although they break keepalived or cloud-init at first
 * boot while terraform reports success (issue 7). Each is now rejected by a named rule at the
 * offending field, or (healthCheck: {} on UDP) resolved to what the schema says.
 */
const ids = (problems: readonly LabProblem[]) => problems.map((p) => `${p.rule} ${p.path}`);
const withService = (patch: Record<string, unknown>) => ({ services: [{ vip: '192.168.20.140', ...patch }] });

describe('fixed defects: rejected with rule id and field', () => {
  test.each(['a{b', 'x}', '{}'])('fails when vrrp.authPass holds a brace (%s): it would end or open a keepalived block', (pass) => {
    expect(ids(validateLabConfig({ vrrp: { authPass: pass } }))).toEqual(['format vrrp.authPass']);
  });

  test.each(['\\', 'ab\\'])('fails when vrrp.authPass holds a backslash (%s): a trailing one continues the keepalived line', (pass) => {
    expect(ids(validateLabConfig({ vrrp: { authPass: pass } }))).toEqual(['format vrrp.authPass']);
  });

  test('fails when a health-check path is over 255 characters: keepalived splits the line and reads the tail as a directive', () => {
    const path = `/${'a'.repeat(1000)}`;
    expect(ids(validateLabConfig(withService({ healthCheck: { type: 'http', path } })))).toEqual(['length services[0].healthCheck.path']);
  });

  test.each([
    ['services[0].persistenceTimeoutSec', withService({ persistenceTimeoutSec: 1e21 })],
    ['services[0].persistenceTimeoutSec', withService({ persistenceTimeoutSec: 31 * 86400 + 1 })],
    ['services[0].delayLoopSec', withService({ delayLoopSec: 1e21 })],
    ['services[0].healthCheck.connectTimeoutSec', withService({ healthCheck: { connectTimeoutSec: 1e21 } })],
    ['services[0].healthCheck.retry', withService({ healthCheck: { retry: 1e21 } })],
    ['services[0].healthCheck.delayBeforeRetrySec', withService({ healthCheck: { delayBeforeRetrySec: 1e21 } })],
    ['sizes.realServer.memoryMiB', { sizes: { realServer: { memoryMiB: 1e21 } } }],
    ['sizes.director.memoryMiB', { sizes: { director: { memoryMiB: 10 ** 7 } } }],
    ['notification.smtpConnectTimeoutSec', { notification: { email: ['a@b.c'], from: 'k@b.c', smtpConnectTimeoutSec: 1e21 } }],
  ])('fails when %s is beyond its upper bound (1e21 would render as 1e+21)', (path, config) => {
    expect(ids(validateLabConfig(config))).toEqual([`range ${path}`]);
  });

  test.each(['0.0.0.0/8', '127.0.0.0/24', '169.254.0.0/16', '224.0.0.0/24', '239.1.0.0/16', '240.0.0.0/24', '96.0.0.0/3'])(
    'fails when network.cidr %s is loopback, link-local, multicast, reserved or 0.0.0.0/8',
    (cidr) => {
      expect(ids(validateLabConfig({ network: { cidr } }))).toContain('cidr network.cidr');
    },
  );

  test.each(['systemd-network', 'systemd-timesync', 'polkitd', '_chrony', 'messagebus', 'sudo', 'adm', 'dhcpcd', 'clock'])(
    'fails when ssh.user is %s, an account or group the image already has',
    (user) => {
      expect(ids(validateLabConfig({ ssh: { user } }))).toEqual(['ssh-user-reserved ssh.user']);
    },
  );

  test('fails with a config error, not a stack trace, on a YAML alias bomb', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-bomb-'));
    try {
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
      const file = join(dir, 'bomb.yaml');
      writeFileSync(file, `${lines.join('\n')}\n`);
      let error: unknown;
      try {
        loadLabConfig(file);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LabConfigError);
      expect(ids((error as LabConfigError).problems)).toEqual([`syntax ${file}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fixed defects: healthCheck {} on a UDP service', () => {
  test('resolves to no check (the UDP default), so keepalived gets no TCP_CHECK that would remove every real server', () => {
    // GIVEN a UDP service with an empty health-check mapping
    const lab = resolveLabConfig(withService({ port: 53, protocol: 'UDP', healthCheck: {} }));
    // THEN it resolves as if no check were given
    expect(lab.services[0].healthCheck).toEqual({ type: 'none' });
    const conf = renderKeepalivedConf(directorKeepalivedModel(lab, lab.directors[0]));
    expect(conf).not.toContain('TCP_CHECK');
  });
});
