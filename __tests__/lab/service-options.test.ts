import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  directorKeepalivedModel, directorUserDataModel, realServerUserDataModel, resolveLabConfig, validateLabConfig, type LabConfig,
} from '../../lab';

/**
 * The service options: ports/fwmark, tlsPorts, https checks and healthCheck.port, sorryServer,
 * inhibitOnFailure, quorum and miscCheck. Validation is asserted on rule id + path (and, once per
 * rule, on the message: field, value, what is allowed); resolution on the ResolvedService fields
 * and the renderer models.
 */

const VIP = '192.168.20.140';
const service = (patch: Record<string, unknown>): Record<string, unknown> => ({ vip: VIP, ...patch });
const withServices = (...services: Record<string, unknown>[]): unknown => ({ services });

/** THEN validating `config` yields exactly these problems, as `rule path`. */
function expectProblems(config: unknown, expected: string[]): void {
  expect(validateLabConfig(config).map((p) => `${p.rule} ${p.path}`)).toEqual(expected);
}

/** The message of the one problem at `path`. */
function messageAt(config: unknown, path: string): string {
  const found = validateLabConfig(config).filter((p) => p.path === path);
  expect(found).toHaveLength(1);
  return found[0].message;
}

const CURL_READY = ['/usr/bin/curl', '-fsS', '-o', '/dev/null', '--max-time', '2', 'http://{address}:8080/ready'];
const LOGGER_DOWN = ['/usr/bin/logger', '-t', 'lvs-lab-quorum', 'down'];

/** The example service of docs/config.md: every option at once. */
const EVERY_OPTION = service({
  ports: [80, 443, 8080],
  fwmark: 10,
  tlsPorts: [443],
  healthCheck: { type: 'https', path: '/healthz' },
  sorryServer: true,
  inhibitOnFailure: true,
  quorum: { weight: 100, hysteresis: 20, up: ['/usr/bin/logger', '-t', 'lvs-lab-quorum', 'up'], down: LOGGER_DOWN },
  miscCheck: { command: CURL_READY, timeoutSec: 3 },
});

describe('service options: valid configs', () => {
  test('every option at once is valid', () => {
    expect(validateLabConfig(withServices(EVERY_OPTION))).toEqual([]);
  });

  test('an http check on a plain port of a service with TLS ports, and a tcp check on a TLS port', () => {
    expect(validateLabConfig(withServices(
      service({ ports: [80, 443], tlsPorts: [443], healthCheck: { type: 'http', port: 80 } }),
      service({ vip: '192.168.20.150', port: 443, tlsPorts: [443], healthCheck: { type: 'tcp' } }),
    ))).toEqual([]);
  });

  test('firewall-mark services on the same VIP with other ports, default marks 1 and 2', () => {
    expect(validateLabConfig(withServices(service({ ports: [80, 443] }), service({ ports: [8080, 8443] })))).toEqual([]);
  });
});

describe('service options: failures', () => {
  test('fails when port and ports are both given; names the field, value and what is allowed', () => {
    const config = withServices(service({ port: 80, ports: [80, 443] }));
    expectProblems(config, ['service-ports services[0].port']);
    expect(messageAt(config, 'services[0].port')).toBe("services[0].port: got 80, expected no port with ports; ports replaces port: its first port is the service's port");
  });

  test('fails when ports has one port, nine ports, a duplicate or a port out of range', () => {
    expectProblems(withServices(service({ ports: [80] })), ['count services[0].ports']);
    expectProblems(withServices(service({ ports: [1, 2, 3, 4, 5, 6, 7, 8, 9] })), ['count services[0].ports']);
    expectProblems(withServices(service({ ports: [80, 443, 80] })), ['service-ports services[0].ports[2]']);
    expect(messageAt(withServices(service({ ports: [80, 70000] })), 'services[0].ports[1]')).toBe('services[0].ports[1]: got 70000, expected an integer 1-65535');
  });

  test('fails when fwmark is given without ports, is out of range, or two services share a mark', () => {
    expect(messageAt(withServices(service({ port: 80, fwmark: 3 })), 'services[0].fwmark'))
      .toBe('services[0].fwmark: got 3, expected no fwmark without ports; only a service over several ports is grouped by a firewall mark');
    expectProblems(withServices(service({ ports: [80, 443], fwmark: 2147483648 })), ['range services[0].fwmark']);
    expectProblems(withServices(service({ ports: [80, 443], fwmark: 5 }), service({ ports: [8080, 8443], fwmark: 5 })), ['fwmark services[1].fwmark']);
  });

  test('fails when a given mark equals another service\'s default (1 + its index), and says so', () => {
    const config = withServices(service({ ports: [80, 443] }), service({ ports: [8080, 8443], fwmark: 1 }));
    expect(messageAt(config, 'services[1].fwmark')).toBe('services[1].fwmark: got 1, expected a firewall mark no other service has (services[0].fwmark (default) has 1)');
  });

  test('fails when two services share a (vip, port, protocol) through ports', () => {
    expectProblems(withServices(service({ ports: [80, 443] }), service({ port: 443 })), ['unique-services services[1]']);
  });

  test('fails when a TLS port is not a port of the service, listed twice, or on a UDP service', () => {
    expect(messageAt(withServices(service({ ports: [80, 443], tlsPorts: [8443] })), 'services[0].tlsPorts[0]'))
      .toBe("services[0].tlsPorts[0]: got 8443, expected one of the service's ports (80, 443)");
    expectProblems(withServices(service({ ports: [80, 443], tlsPorts: [443, 443] })), ['tls-ports services[0].tlsPorts[1]']);
    expectProblems(withServices(service({ port: 53, protocol: 'UDP', tlsPorts: [53] })), ['tls-ports services[0].tlsPorts']);
  });

  test('fails when a port is TLS for one service and plain for another on the same real servers', () => {
    const config = withServices(service({ port: 443, tlsPorts: [443] }), service({ vip: '192.168.20.150', port: 443 }));
    expectProblems(config, ['tls-ports services[1].tlsPorts']);
    expect(messageAt(config, 'services[1].tlsPorts')).toBe(
      'services[1].tlsPorts: got nothing, expected port 443 in tlsPorts, as in services[0]; both services share real servers, whose one nginx speaks HTTPS on port 443',
    );
  });

  test('fails when two sorry services on different real servers disagree on a TLS port (one sorry site per director)', () => {
    const realServers = [{ name: 'rs-1', address: '192.168.20.143' }, { name: 'rs-2', address: '192.168.20.144' }];
    const config = {
      realServers,
      services: [
        service({ port: 443, tlsPorts: [443], sorryServer: true, realServers: ['rs-1'] }),
        service({ vip: '192.168.20.150', port: 443, sorryServer: true, realServers: ['rs-2'] }),
      ],
    };
    expectProblems(config, ['tls-ports services[1].tlsPorts']);
    expect(messageAt(config, 'services[1].tlsPorts')).toContain("both services share the directors' sorry site, whose one nginx speaks HTTPS on port 443");
    expect(validateLabConfig({ ...config, services: [config.services[0], { ...config.services[1], sorryServer: false }] })).toEqual([]);
  });

  test('fails when an https check has no TLS port to check', () => {
    const config = withServices(service({ healthCheck: { type: 'https' } }));
    expect(messageAt(config, 'services[0].healthCheck.type')).toBe(
      'services[0].healthCheck.type: got "https", expected an https check only on a service with tlsPorts (this one has none); the real servers speak HTTPS only on tlsPorts',
    );
  });

  test('fails when an https check targets a plain port, or an http check a TLS port', () => {
    expect(messageAt(withServices(service({ ports: [80, 443], tlsPorts: [443], healthCheck: { type: 'https', port: 80 } })), 'services[0].healthCheck.port'))
      .toBe('services[0].healthCheck.port: got 80, expected a port of tlsPorts (443) for an https check; port 80 is plain http on the real servers');
    expect(messageAt(withServices(service({ ports: [443, 80], tlsPorts: [443], healthCheck: { type: 'http' } })), 'services[0].healthCheck.type'))
      .toBe('services[0].healthCheck.type: got "http", expected for an http check, a port not in tlsPorts (80); or type https; port 443 speaks HTTPS on the real servers');
  });

  test('fails when the check port is not a port of the service, or is given with type none', () => {
    expect(messageAt(withServices(service({ ports: [80, 443], healthCheck: { port: 8080 } })), 'services[0].healthCheck.port'))
      .toBe("services[0].healthCheck.port: got 8080, expected one of the service's ports (80, 443); the check probes the service on the real servers");
    expectProblems(withServices(service({ healthCheck: { type: 'none', port: 80 } })), ['health-check services[0].healthCheck.port']);
  });

  test('path and statusCode are allowed with https, not with tcp', () => {
    expect(validateLabConfig(withServices(service({ port: 443, tlsPorts: [443], healthCheck: { type: 'https', path: '/ready', statusCode: 200 } })))).toEqual([]);
    expectProblems(withServices(service({ healthCheck: { type: 'tcp', path: '/ready' } })), ['health-check services[0].healthCheck.path']);
  });

  test('fails when a UDP service asks for a sorry server', () => {
    const config = withServices(service({ port: 53, protocol: 'UDP', sorryServer: true }));
    expect(messageAt(config, 'services[0].sorryServer')).toBe("services[0].sorryServer: got true, expected false for a UDP service; the directors' sorry site is an nginx web site (TCP)");
  });

  test('fails when sorryServer or inhibitOnFailure is not a boolean', () => {
    expectProblems(withServices(service({ sorryServer: 'yes', inhibitOnFailure: 1 })), ['type services[0].sorryServer', 'type services[0].inhibitOnFailure']);
  });

  test('fails when the quorum exceeds the sum of the real servers\' weights, naming them', () => {
    const config = { ...(withServices(service({ quorum: { weight: 151 } })) as object), realServers: [
      { name: 'rs-1', address: '192.168.20.143', weight: 100 },
      { name: 'rs-2', address: '192.168.20.144', weight: 50 },
    ] };
    expect(messageAt(config, 'services[0].quorum.weight')).toBe(
      "services[0].quorum.weight: got 151, expected at most 150, the sum of the weights of the service's real servers (rs-1 100, rs-2 50); keepalived refuses a quorum its real servers can never reach",
    );
  });

  test('fails when the hysteresis is not below the quorum weight', () => {
    expect(messageAt(withServices(service({ quorum: { weight: 5, hysteresis: 5 } })), 'services[0].quorum.hysteresis')).toBe(
      'services[0].quorum.hysteresis: got 5, expected less than quorum.weight (5), i.e. 0-4; keepalived lowers a hysteresis of weight or more to weight - 1 (with a warning that fails its config test)',
    );
    expectProblems(withServices(service({ quorum: { hysteresis: 1 } })), ['quorum services[0].quorum.hysteresis']);
  });

  test('fails when the quorum is out of range or has an unknown key', () => {
    expectProblems(withServices(service({ quorum: { weight: 0, hysteresis: 70000, minimum: 1 } })),
      ['range services[0].quorum.weight', 'range services[0].quorum.hysteresis', 'unknown-key services[0].quorum.minimum']);
  });

  test('fails when a quorum hook is not an absolute executable or holds a shell word', () => {
    expect(messageAt(withServices(service({ quorum: { down: ['logger', 'down'] } })), 'services[0].quorum.down[0]')).toBe(
      "services[0].quorum.down[0]: got \"logger\", expected the absolute path of an executable on the directors, such as /usr/bin/logger (no '.' or '..' component); keepalived runs it directly, without a shell or a search of PATH",
    );
    expectProblems(withServices(service({ quorum: { up: ['/usr/bin/logger', 'a b'] } })), ['format services[0].quorum.up[1]']);
    expectProblems(withServices(service({ quorum: { up: [] } })), ['count services[0].quorum.up']);
  });

  test('fails when a misc check word holds another placeholder, or its executable one', () => {
    const config = withServices(service({ miscCheck: { command: ['/usr/bin/curl', 'http://{hostname}/'] } }));
    expect(messageAt(config, 'services[0].miscCheck.command[1]')).toBe(
      'services[0].miscCheck.command[1]: got "http://{hostname}/", expected a word of at most 128 letters, digits, \'.\', \'_\', \'/\', \':\', \'=\', \'@\', \'%\', \'+\', \',\', \'-\' and the placeholders {address}, {host}, {port}, {name} (no spaces, quotes, brackets, other braces or shell characters)',
    );
    expectProblems(withServices(service({ miscCheck: { command: ['/opt/{name}/check'] } })), ['misc-check services[0].miscCheck.command[0]']);
    expectProblems(withServices(service({ miscCheck: { command: ['curl', '{address}'] } })), ['misc-check services[0].miscCheck.command[0]']);
  });

  test('fails when a misc check has no command or a timeout out of range', () => {
    expectProblems(withServices(service({ miscCheck: { timeoutSec: 0 } })), ['range services[0].miscCheck.timeoutSec', 'required services[0].miscCheck.command']);
  });

  test('reports every problem of the service options at once', () => {
    expectProblems(withServices(service({
      port: 80, ports: [80, 443], tlsPorts: [8443], fwmark: 0, healthCheck: { type: 'https', port: 22 }, quorum: { weight: 1000 }, miscCheck: { command: ['curl'] },
    })), [
      'range services[0].fwmark',
      'service-ports services[0].port',
      'tls-ports services[0].tlsPorts[0]',
      'health-check services[0].healthCheck.port',
      'quorum services[0].quorum.weight',
      'misc-check services[0].miscCheck.command[0]',
    ]);
  });
});

describe('service options: the resolved lab and the renderer models', () => {
  const lab = resolveLabConfig({ services: [EVERY_OPTION, service({ port: 8443 }), service({ vip: '192.168.20.150', ports: [53, 5353], protocol: 'UDP' })] } as unknown as LabConfig);

  test('ResolvedService: port is the first port; ports, fwmark, tlsPorts, the check port, the options', () => {
    expect(lab.services[0]).toEqual({
      vip: VIP,
      port: 80,
      ports: [80, 443, 8080],
      fwmark: 10,
      tlsPorts: [443],
      protocol: 'TCP',
      scheduler: 'wrr',
      persistenceTimeoutSec: 0,
      delayLoopSec: 6,
      healthCheck: { type: 'https', path: '/healthz', statusCode: 200, connectTimeoutSec: 3, retry: 5, delayBeforeRetrySec: 3, connectPort: 443 },
      miscCheck: { command: CURL_READY, timeoutSec: 3 },
      sorryServer: true,
      inhibitOnFailure: true,
      quorum: { weight: 100, hysteresis: 20, up: ['/usr/bin/logger', '-t', 'lvs-lab-quorum', 'up'], down: LOGGER_DOWN },
      realServers: ['rs-1', 'rs-2'],
    });
  });

  test('a plain service: ports [port], no fwmark, no TLS, options off; a fwmark default is 1 + the index', () => {
    expect(lab.services[1]).toMatchObject({ port: 8443, ports: [8443], tlsPorts: [], sorryServer: false, inhibitOnFailure: false });
    expect(lab.services[1]).not.toHaveProperty('fwmark');
    expect(lab.services[1]).not.toHaveProperty('quorum');
    expect(lab.services[1].healthCheck).not.toHaveProperty('connectPort');
    expect(lab.services[2]).toMatchObject({ port: 53, ports: [53, 5353], fwmark: 3 });
  });

  test('a quorum given as {} resolves to keepalived\'s defaults: weight 1, hysteresis 0', () => {
    expect(resolveLabConfig({ services: [{ vip: VIP, quorum: {} }] }).services[0].quorum).toEqual({ weight: 1, hysteresis: 0 });
  });

  test('the keepalived model carries the options; a plain service none of them', () => {
    const model = directorKeepalivedModel(lab, lab.directors[0]);
    expect(model.services[0]).toMatchObject({ fwmark: 10, ports: [80, 443, 8080], sorryServer: true, inhibitOnFailure: true, miscCheck: { timeoutSec: 3 } });
    expect(Object.keys(model.services[1]).sort()).toEqual(['delayLoopSec', 'healthCheck', 'persistenceTimeoutSec', 'port', 'protocol', 'realServers', 'scheduler', 'vip']);
  });

  test('the director user-data model: one mark per fwmark service, a sorry site over the sorry services\' ports', () => {
    const model = directorUserDataModel(lab, lab.directors[1]);
    expect(model.firewallMarks).toEqual([
      { vip: VIP, protocol: 'TCP', ports: [80, 443, 8080], fwmark: 10 },
      { vip: '192.168.20.150', protocol: 'UDP', ports: [53, 5353], fwmark: 3 },
    ]);
    expect(model.sorrySite).toEqual({ ports: [80, 443, 8080], tlsPorts: [443] });
  });

  test('the real server model: every TCP port of its services, TLS marked, https paths, the ready file', () => {
    const model = realServerUserDataModel(lab, lab.realServers[0]);
    expect(model.webPorts).toEqual([
      { port: 80, protocol: 'TCP' },
      { port: 443, protocol: 'TCP', tls: true },
      { port: 8080, protocol: 'TCP' },
      { port: 8443, protocol: 'TCP' },
    ]);
    expect(model.healthPaths).toEqual(['/healthz']);
    expect(model.readyFile).toBe(true);
  });

  test('the reference lab gets none of it: models exactly as before', () => {
    const reference = resolveLabConfig({});
    expect(directorUserDataModel(reference, reference.directors[0])).not.toHaveProperty('firewallMarks');
    expect(directorUserDataModel(reference, reference.directors[0])).not.toHaveProperty('sorrySite');
    expect(realServerUserDataModel(reference, reference.realServers[0])).not.toHaveProperty('readyFile');
    expect(realServerUserDataModel(reference, reference.realServers[0]).webPorts).toEqual([{ port: 80, protocol: 'TCP' }]);
  });
});

describe("docs/config.md's service options example", () => {
  const doc = fs.readFileSync(path.join(__dirname, '../../docs/config.md'), 'utf8');
  const block = doc.split('```yaml\n').map((b) => b.slice(0, b.indexOf('```'))).find((b) => b.includes('lvs-lab-quorum'));

  test('is valid and resolves to a firewall-mark service with every option', () => {
    expect(block).toBeDefined();
    const config = parseYaml(block as string) as LabConfig;
    expect(validateLabConfig(config)).toEqual([]);
    const lab = resolveLabConfig(config);
    expect(lab.services[0]).toMatchObject({
      port: 80, ports: [80, 443, 8080], fwmark: 10, tlsPorts: [443], sorryServer: true, inhibitOnFailure: true,
      healthCheck: { type: 'https', path: '/healthz', connectPort: 443 },
      quorum: { weight: 100, hysteresis: 20, down: LOGGER_DOWN },
      miscCheck: { command: CURL_READY, timeoutSec: 5 },
    });
  });
});
