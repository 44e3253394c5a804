import { keepalivedLine } from '../../cloud-init/keepalived-text';
import { KEEPALIVED_MAX_LINE } from '../../cloud-init/keepalived-limits';
import { validateLabConfig } from '../../lab';
import { commandOfLine } from '../helpers/lab-fixtures';

/**
 * Issue "Every config the rules accept is safe and works": configs the schema's field checks let
 * through but the lab cannot run. Asserted on rule id + path, and once per rule on the message.
 */

/** THEN validating `config` yields exactly these problems, as `rule path`. */
function expectProblems(config: unknown, expected: string[]): void {
  expect(validateLabConfig(config).map((p) => `${p.rule} ${p.path}`)).toEqual(expected);
}

const VIP = '192.168.20.140';

describe("keepalived-line: no rendered keepalived.conf line longer than keepalived's 1023 characters", () => {
  test('the limit is one constant, and the renderer measures what it writes', () => {
    expect(KEEPALIVED_MAX_LINE).toBe(1023);
    expect(keepalivedLine.trackScript(commandOfLine('trackScript', 1023))).toHaveLength(1023);
    expect(keepalivedLine.miscPath(commandOfLine('miscPath', 1023))).toHaveLength(1023);
  });

  test('accepts a director check and quorum hooks whose lines are exactly 1023 characters', () => {
    expect(validateLabConfig({
      vrrp: { trackScript: { command: commandOfLine('trackScript', 1023) } },
      services: [{ vip: VIP, quorum: { up: commandOfLine('quorumHook', 1023, 'up'), down: commandOfLine('quorumHook', 1023, 'down') } }],
    })).toEqual([]);
  });

  test('fails a director check of 16 words of 128 characters (the schema allows 2 KB), naming the field, the length and the limit', () => {
    const command = ['/usr/bin/true', ...Array.from({ length: 15 }, () => 'x'.repeat(128))];
    const config = { vrrp: { trackScript: { command } } };
    expectProblems(config, ['keepalived-line vrrp.trackScript.command']);
    expect(validateLabConfig(config)[0].message).toBe(
      'vrrp.trackScript.command: got a list of 16 items, expected a command whose keepalived.conf line (script "...") is at most 1023 characters: ' +
        'this one is 1961 (the words and the spaces between them: at most 1010 characters); keepalived reads lines of at most 1023 characters ' +
        '(MAXBUF 1024) and reads the rest of a longer one as a line of its own: its config test fails, or a fragment becomes a directive',
    );
  });

  test('fails a director check one character over the limit', () => {
    expectProblems({ vrrp: { trackScript: { command: commandOfLine('trackScript', 1024) } } }, ['keepalived-line vrrp.trackScript.command']);
  });

  test('fails quorum hooks over the limit, each at its path', () => {
    expectProblems({ services: [{ vip: VIP }, { vip: VIP, port: 8080, quorum: { up: commandOfLine('quorumHook', 1024, 'up'), down: commandOfLine('quorumHook', 1100, 'down') } }] }, [
      'keepalived-line services[1].quorum.up',
      'keepalived-line services[1].quorum.down',
    ]);
  });

  test('fails a misc check whose line is short as written but long once {name} is expanded, naming the real server', () => {
    // 16 words of 21 {name}: 2.1 KB as written; rs names of 50 characters make each word 1050
    const long = 'r'.repeat(48);
    const command = ['/usr/bin/true', '{name}'.repeat(21)];
    const config = {
      realServers: [{ name: `${long}-1`, address: '192.168.20.143' }, { name: 'rs-2', address: '192.168.20.144' }],
      services: [{ vip: VIP, miscCheck: { command } }],
    };
    const problems = validateLabConfig(config);
    expect(problems.map((p) => `${p.rule} ${p.path}`)).toEqual(['keepalived-line services[0].miscCheck.command']);
    expect(problems[0].message).toContain(`once its placeholders are expanded for realServers[0] (${long}-1), this one is 1088`);
  });

  test('accepts a misc check that stays within the limit for every real server', () => {
    expect(validateLabConfig({ services: [{ vip: VIP, miscCheck: { command: ['/usr/bin/true', '{name}'.repeat(21)] } }] })).toEqual([]);
  });

  test('notification addresses are capped by the schema (254 characters), far inside the line: one problem each, not two', () => {
    const email = `${'a'.repeat(1100)}@example.org`;
    expectProblems({ notification: { email: ['ops@example.org', email], from: email } }, [
      'length notification.email[1]',
      'length notification.from',
    ]);
  });
});

describe("reserved-port: no service on a port the lab's own machinery uses", () => {
  test('fails port 22 (ssh on every VM) for port, ports and a sorry server, naming field, value and the reserved ports', () => {
    const config = {
      services: [
        { vip: VIP, port: 22 },
        { vip: '192.168.20.150', ports: [80, 22], sorryServer: true },
      ],
    };
    expectProblems(config, ['reserved-port services[0].port', 'reserved-port services[1].ports[1]']);
    const [plain, sorry] = validateLabConfig(config).map((p) => p.message);
    expect(plain).toBe(
      'services[0].port: got 22, expected a port the lab does not use itself: not 22/TCP (sshd on every VM: the lab is operated over ssh) ' +
        "nor 53/TCP (systemd-resolved's stub resolver on every VM (127.0.0.53)) nor 5355/TCP (systemd-resolved's LLMNR on every VM) " +
        "nor 5355/UDP (systemd-resolved's LLMNR on every VM) nor 8848/UDP (the IPVS connection sync daemon on the directors, with vrrp.connectionSync); " +
        "the real servers' nginx cannot bind a port the VMs already listen on (the demo service dies on every port) and the VIP would balance sshd to the real servers",
    );
    expect(sorry).toContain("and the directors' sorry site would not start either");
  });

  test("fails systemd-resolved's ports on every VM: 53/TCP (nginx cannot bind 0.0.0.0:53 beside 127.0.0.53:53) and LLMNR's 5355, TCP and UDP", () => {
    expectProblems({ services: [{ vip: VIP, port: 53 }, { vip: VIP, ports: [5355, 8080] }, { vip: VIP, port: 5355, protocol: 'UDP', healthCheck: { type: 'none' } }] }, [
      'reserved-port services[0].port',
      'reserved-port services[1].ports[0]',
      'reserved-port services[2].port',
    ]);
    expect(validateLabConfig({ services: [{ vip: VIP, port: 53, protocol: 'UDP', healthCheck: { type: 'none' } }] })).toEqual([]);
  });

  test('fails 8848/UDP with connection sync (the default), accepts it without, and accepts 22/UDP and 8848/TCP', () => {
    expectProblems({ services: [{ vip: VIP, port: 8848, protocol: 'UDP', healthCheck: { type: 'none' } }] }, ['reserved-port services[0].port']);
    expect(validateLabConfig({ vrrp: { connectionSync: false }, services: [{ vip: VIP, port: 8848, protocol: 'UDP', healthCheck: { type: 'none' } }] })).toEqual([]);
    expect(validateLabConfig({ services: [{ vip: VIP, port: 22, protocol: 'UDP', healthCheck: { type: 'none' } }, { vip: VIP, port: 8848 }] })).toEqual([]);
  });
});

describe('dh-weight-zero: dh cannot skip a server at weight 0', () => {
  // dh hashes the VIP to one bucket for every client; a bucket naming a server at weight 0 (inhibited
  // after a failed check, or drained) has no fallback: IPVS refuses every client of the service.
  test('fails dh with inhibitOnFailure, and dh with a drained real server, naming the field', () => {
    const config = {
      realServers: [{ name: 'rs-1', address: '192.168.20.143' }, { name: 'rs-2', address: '192.168.20.144', weight: 0 }, { name: 'rs-3', address: '192.168.20.145' }],
      services: [
        { vip: VIP, scheduler: 'dh', inhibitOnFailure: true, realServers: ['rs-1', 'rs-3'] },
        { vip: VIP, port: 8080, scheduler: 'dh' },
      ],
    };
    expectProblems(config, ['dh-weight-zero services[0].inhibitOnFailure', 'dh-weight-zero services[1].realServers']);
    expect(validateLabConfig(config)[1].message).toBe(
      'services[1].realServers: got ["rs-1","rs-2","rs-3"], expected real servers with a weight above 0 with scheduler dh (rs-2 has weight 0), or another scheduler; ' +
        'dh sends every client of the VIP to the one server its hash names and cannot fall back: when that server is at weight 0 IPVS refuses them all',
    );
  });

  test('accepts dh without weight-0 servers, and sh or rr with both (sh renders sh-fallback)', () => {
    expect(validateLabConfig({ services: [{ vip: VIP, scheduler: 'dh' }] })).toEqual([]);
    for (const scheduler of ['sh', 'rr']) expect(validateLabConfig({ services: [{ vip: VIP, scheduler, inhibitOnFailure: true }] })).toEqual([]);
  });
});
