import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderKeepalivedConf, renderNotifyScript } from '../../cloud-init';
import { KEEPALIVED_MAX_LINE } from '../../cloud-init/keepalived-limits';
import { NOTIFY_LOG_FILE, NOTIFY_STATE_FILE } from '../../cloud-init/paths';
import type { DirectorKeepalivedModel } from '../../cloud-init';
import { directorKeepalivedModel, loadLabConfig, resolveLabConfig, validateLabConfig, type LabConfig } from '../../lab';
import { keepalivedConfigTest, runKeepalivedVrrp } from '../helpers/keepalived';
import {
  commandOfLine,
  DIRECTOR_CHECK,
  fastFailoverDirector,
  fwmarkService,
  QUORUM_LOGGER,
  READY_CHECK,
  NOTIFY_SCRIPT_PATH,
  REFERENCE_INSTANCE,
  referenceBackupDirector,
  referenceDirector,
  service,
  withInstance,
} from '../helpers/lab-fixtures';
import { NetnsSandbox } from '../helpers/netns';
import { requireTool } from '../helpers/tools';

/*
 * The real keepalived (2.2.7 on Debian 12) judges every rendered config. See
 * helpers/keepalived.ts for how the interface and the notify script are provided inside a
 * throwaway network + mount namespace without touching the host.
 */
const notifyHook = { path: NOTIFY_SCRIPT_PATH, content: renderNotifyScript({ logFile: NOTIFY_LOG_FILE }) };
const httpCheck = { type: 'http', path: '/healthz', statusCode: 200, connectTimeoutSec: 3, retry: 3, delayBeforeRetrySec: 2 } as const;

const labs: Record<string, DirectorKeepalivedModel> = {
  'reference MASTER': referenceDirector(),
  'reference BACKUP': referenceBackupDirector(),
  multicast: withInstance({ transport: 'multicast' }),
  'no authentication': withInstance({ authPass: undefined }),
  nopreempt: withInstance({ state: 'BACKUP', priority: 80, nopreempt: true }),
  'several services': referenceDirector({
    services: [
      service({ persistenceTimeoutSec: 300 }),
      service({ port: 8080, scheduler: 'wlc', healthCheck: httpCheck }),
      service({ port: 53, protocol: 'UDP', scheduler: 'rr', healthCheck: { type: 'none' } }),
    ],
  }),
  'http checks': referenceDirector({ services: [service({ scheduler: 'lc', healthCheck: httpCheck })] }),
  'sync off': referenceDirector({ connectionSync: false }),
  'version 3, advert_int 0.5': withInstance({ version: 3, advertIntSec: 0.5, authPass: undefined }),
  'two instances (sync group)': referenceDirector({
    instances: [REFERENCE_INSTANCE, { ...REFERENCE_INSTANCE, name: 'VI_LAB_2', virtualRouterId: 113, vips: ['192.168.20.150'] }],
    services: [service(), service({ vip: '192.168.20.150' })],
  }),
  'notification emails': referenceDirector({
    notification: { email: ['ops@example.org'], from: 'lvs@example.org', smtpServer: '127.0.0.1', smtpConnectTimeoutSec: 30 },
  }),
  'no notify script': referenceDirector({ notifyScriptPath: undefined }),
  'two peers': referenceDirector({ peers: ['192.168.20.142', '192.168.20.145'] }),
  // issue 8
  'fast failover (v3, advert_int 0.2, priority 250)': fastFailoverDirector(),
  'fast failover BACKUP (priority 240, advert_int 0.1)': withInstance({ state: 'BACKUP', priority: 240, advertIntSec: 0.1 }, fastFailoverDirector()),
  'fast failover, advert_int 0.26, multicast, nopreempt': withInstance({ state: 'BACKUP', advertIntSec: 0.26, transport: 'multicast', nopreempt: true }, fastFailoverDirector()),
  'director check, weight -20': referenceDirector({ trackScript: DIRECTOR_CHECK }),
  'director check, weight 0, no notify hook': referenceDirector({ trackScript: { ...DIRECTOR_CHECK, weight: 0 }, notifyScriptPath: undefined }),
  'director check in a sync group (weight 0)': referenceDirector({
    instances: [REFERENCE_INSTANCE, { ...REFERENCE_INSTANCE, name: 'VI_LAB_2', virtualRouterId: 113, vips: ['192.168.20.150'] }],
    services: [service(), service({ vip: '192.168.20.150' })],
    trackScript: { ...DIRECTOR_CHECK, command: ['/usr/bin/test', '-e', '/etc/hostname'], weight: 0 },
  }),
  'every issue 8 option at once (with notification, several services, multicast)': withInstance(
    { transport: 'multicast' },
    fastFailoverDirector({
      trackScript: DIRECTOR_CHECK,
      notification: { email: ['ops@example.org'], from: 'lvs@example.org', smtpServer: '127.0.0.1', smtpConnectTimeoutSec: 30 },
      services: [service({ persistenceTimeoutSec: 300 }), service({ port: 8080, scheduler: 'wlc', healthCheck: httpCheck })],
    }),
  ),
  // service options: fwmark, https, sorry server, inhibit_on_failure, quorum, misc check
  'a firewall-mark service with every service option': referenceDirector({ services: [fwmarkService()] }),
  'a plain service with a sorry server, an https check on another port and a quorum without hooks': referenceDirector({
    services: [service({
      sorryServer: true,
      healthCheck: { ...httpCheck, type: 'https', connectPort: 443 },
      quorum: { weight: 200, hysteresis: 0 },
    })],
  }),
  'every service option at once, with fast failover, a director check and notification': fastFailoverDirector({
    trackScript: DIRECTOR_CHECK,
    notification: { email: ['ops@example.org'], from: 'lvs@example.org', smtpServer: '127.0.0.1', smtpConnectTimeoutSec: 30 },
    services: [
      fwmarkService(),
      service({ vip: '192.168.20.140', port: 8080, inhibitOnFailure: true, miscCheck: READY_CHECK, quorum: { weight: 1, hysteresis: 0, up: QUORUM_LOGGER.up } }),
      service({ port: 53, protocol: 'UDP', scheduler: 'rr', healthCheck: { type: 'none' }, fwmark: 9, ports: [53, 5353], inhibitOnFailure: true }),
    ],
  }),
};

/** A lab config with every service option and both issue 8 options, as a user writes it. */
const EVERY_OPTION_LAB: LabConfig = {
  vrrp: { version: 3, advertIntSec: 0.2, fastFailover: true, trackScript: { command: ['/usr/bin/ping', '-c', '1', '-W', '1', '192.168.20.1'], weight: -20 } },
  directors: [
    { name: 'director-1', address: '192.168.20.141', priority: 250 },
    { name: 'director-2', address: '192.168.20.142', priority: 240 },
  ],
  services: [
    {
      vip: '192.168.20.140',
      ports: [80, 443],
      tlsPorts: [443],
      healthCheck: { type: 'https', path: '/healthz' },
      sorryServer: true,
      inhibitOnFailure: true,
      quorum: { weight: 100, hysteresis: 10, up: [...QUORUM_LOGGER.up], down: [...QUORUM_LOGGER.down] },
      miscCheck: { command: ['/usr/bin/curl', '-fsS', '-o', '/dev/null', '--max-time', '2', 'http://{address}:8080/ready'] },
    },
    { vip: '192.168.20.140', port: 8080, healthCheck: { type: 'http', path: '/ready' }, sorryServer: true },
  ],
};

/**
 * The feature lab of issue 11: a firewall-mark service over 80/443 with sh and persistence, whose
 * sorry server answered no client hashed to an inhibited real server (IPVS's sh bucket still named
 * it at weight 0: connection refused).
 */
const SH_SORRY_LAB: LabConfig = {
  network: { mode: 'bridge', bridge: 'br0', cidr: '10.88.0.0/24', gateway: '10.88.0.1' },
  image: { preinstalled: true },
  directors: [
    { name: 'lb-1', address: '10.88.0.11', priority: 200 },
    { name: 'lb-2', address: '10.88.0.12', priority: 100 },
  ],
  services: [{
    vip: '10.88.0.10',
    ports: [80, 443],
    tlsPorts: [443],
    scheduler: 'sh',
    persistenceTimeoutSec: 120,
    healthCheck: { type: 'https', path: '/healthz' },
    sorryServer: true,
    inhibitOnFailure: true,
    quorum: { weight: 1 },
  }],
  realServers: [
    { name: 'web-1', address: '10.88.0.21' },
    { name: 'web-2', address: '10.88.0.22' },
    { name: 'web-3', address: '10.88.0.23' },
  ],
};

describe('keepalived --config-test accepts every rendered keepalived.conf', () => {
  let ns: NetnsSandbox;
  const hostHadScript = fs.existsSync(NOTIFY_SCRIPT_PATH);

  beforeAll(() => {
    requireTool('keepalived', 'keepalived');
    ns = NetnsSandbox.create('kt', [{ name: 'lab0' }]);
  });

  afterAll(() => {
    ns?.destroy();
    // THEN nothing leaked onto the host
    expect(ns && NetnsSandbox.exists(ns.name)).toBe(false);
    expect(fs.existsSync(NOTIFY_SCRIPT_PATH)).toBe(hostHadScript);
  });

  test('keepalived is the 2.2 line this renderer targets', () => {
    const version = ns.run(['keepalived', '--version']);
    expect(version.output).toMatch(/^Keepalived v2\.2\.\d+/m);
  });

  test.each(Object.entries(labs))('%s', (_name, model) => {
    // GIVEN a rendered config and its notify script installed as on the director
    const conf = renderKeepalivedConf(model);

    // WHEN keepalived checks it
    const result = keepalivedConfigTest(ns, conf, model.notifyScriptPath ? notifyHook : undefined);

    // THEN it exits 0 and prints nothing: 2.2.7 is silent on a clean config, any
    // warning (unknown keyword, rounded advert_int, group of one, ...) is a line on stderr
    expect(result.output).not.toMatch(/WARNING|Unknown keyword|SECURITY/i);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('the validator is not vacuous: the old nb_get_retry and a group of one are rejected', () => {
    // GIVEN the reference config with the write-up's old keyword and a sync group of one
    const conf = renderKeepalivedConf(referenceDirector())
      .replace('retry 5', 'nb_get_retry 5')
      .concat('vrrp_sync_group LONELY {\n    group {\n        VI_LAB\n    }\n}\n');

    const result = keepalivedConfigTest(ns, conf, notifyHook);

    expect(result.status).not.toBe(0);
    expect(result.output).toContain("Unknown keyword 'nb_get_retry'");
    expect(result.output).toContain('Sync group LONELY has only 1 virtual router(s)');
  });

  test('both directors of e2e/lab-multicast.yaml (every issue 8 option, from the file)', () => {
    const lab = resolveLabConfig(loadLabConfig(path.join(__dirname, '../../e2e/lab-multicast.yaml')));
    expect(lab.vrrp).toMatchObject({ fastFailover: true, version: 3, advertIntSec: 0.2 });
    expect(lab.vrrp.trackScript).toBeDefined();
    for (const director of lab.directors) {
      const conf = renderKeepalivedConf(directorKeepalivedModel(lab, director));
      expect(conf).toMatch(/vrrp_higher_prio_send_advert[\s\S]*vrrp_script DIRECTOR_CHECK[\s\S]*track_script/);
      const result = keepalivedConfigTest(ns, conf, notifyHook);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    }
  });

  test('both directors of a lab config with every service option, fast failover and a director check', () => {
    const lab = resolveLabConfig(EVERY_OPTION_LAB);
    for (const director of lab.directors) {
      const conf = renderKeepalivedConf(directorKeepalivedModel(lab, director));
      expect(conf).toMatch(/virtual_server fwmark 1 \{[\s\S]*SSL_GET[\s\S]*MISC_CHECK[\s\S]*virtual_server 192\.168\.20\.140 8080 \{/);
      expect(conf).toContain('vrrp_script DIRECTOR_CHECK');
      const result = keepalivedConfigTest(ns, conf, notifyHook);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    }
  });

  test('sh renders sh-fallback: a client hashed to a server at weight 0 (inhibited, drained, or all down with the sorry server in) is scheduled elsewhere, not refused', () => {
    // GIVEN the feature lab of issue 11 (sh, persistence, sorry server, inhibit_on_failure)
    const lab = resolveLabConfig(SH_SORRY_LAB);
    for (const director of lab.directors) {
      const conf = renderKeepalivedConf(directorKeepalivedModel(lab, director));

      // THEN its virtual server asks IPVS for sh's fallback (IP_VS_SVC_F_SCHED_SH_FALLBACK): without
      // it ip_vs_sh_get returns no destination when the client's bucket names a server at weight 0
      // and IPVS answers ICMP port unreachable (curl: connection refused), even with the sorry
      // server in the table
      expect(conf).toMatch(/virtual_server fwmark 1 \{\n(?:    .*\n)*?    lb_algo sh\n(?:    !.*\n)*    sh-fallback\n/);
      // AND keepalived takes it
      const result = keepalivedConfigTest(ns, conf, notifyHook);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    }
  });

  test('keepalived reads lines of 1023 characters: the longest director check the rule keepalived-line accepts passes, one character more is cut', () => {
    // GIVEN a director check whose script line is exactly KEEPALIVED_MAX_LINE characters
    const config: LabConfig = { vrrp: { trackScript: { command: commandOfLine('trackScript', KEEPALIVED_MAX_LINE) } } };
    expect(validateLabConfig(config)).toEqual([]);
    const lab = resolveLabConfig(config);
    const conf = renderKeepalivedConf(directorKeepalivedModel(lab, lab.directors[0]));
    expect(conf.split('\n').map((l) => l.length)).toContain(KEEPALIVED_MAX_LINE);

    // THEN keepalived takes it
    const ok = keepalivedConfigTest(ns, conf, notifyHook);
    expect(ok.output).toBe('');
    expect(ok.status).toBe(0);

    // AND one more character makes keepalived cut the line (what the rule refuses, and the renderer too)
    const longer = conf.replace('script "/usr/bin/true ', 'script "/usr/bin/true  ');
    const cut = keepalivedConfigTest(ns, longer, notifyHook);
    expect(cut.output).toContain('Unterminated quote');
    expect(cut.status).not.toBe(0);
    expect(validateLabConfig({ vrrp: { trackScript: { command: commandOfLine('trackScript', KEEPALIVED_MAX_LINE + 1) } } }).map((p) => `${p.rule} ${p.path}`))
      .toEqual(['keepalived-line vrrp.trackScript.command']);
  });

  test('why fwmark real servers have no port: keepalived 2.2.7 warns and clears it (exit 5)', () => {
    const conf = renderKeepalivedConf(referenceDirector({ services: [fwmarkService()] })).replace('real_server 192.168.20.143 {', 'real_server 192.168.20.143 80 {');
    const result = keepalivedConfigTest(ns, conf, notifyHook);
    expect(result.output).toContain('real server [192.168.20.143]:none:80 has port specified - clearing');
    expect(result.status).not.toBe(0);
  });

  test('a quorum above the real servers\' weights is refused (the rule quorum keeps it out of the configs)', () => {
    const conf = renderKeepalivedConf(referenceDirector({ services: [service({ quorum: { weight: 200, hysteresis: 0 } })] })).replace('quorum 200', 'quorum 201');
    const result = keepalivedConfigTest(ns, conf, notifyHook);
    expect(result.output).toContain('quorum 201 for [192.168.20.140]:tcp:80 exceeds total weight of real servers 200, reducing quorum to 200');
    expect(result.status).not.toBe(0);
  });

  test('why no track_interface is rendered: keepalived refuses its own interface there (it tracks it anyway)', () => {
    // GIVEN the reference with an explicit track_interface for the instance's own interface
    const conf = renderKeepalivedConf(referenceDirector()).replace('    notify ', '    track_interface {\n        lab0\n    }\n    notify ');

    const result = keepalivedConfigTest(ns, conf, notifyHook);

    expect(result.output).toContain('(VI_LAB) Ignoring track_interface lab0 since own interface');
    expect(result.status).not.toBe(0);
  });

  test('a check whose executable is missing fails the config test (so first boot fails loudly)', () => {
    const conf = renderKeepalivedConf(referenceDirector({ trackScript: { ...DIRECTOR_CHECK, command: ['/usr/local/bin/lvs-lab-no-such-check'] } }));

    const result = keepalivedConfigTest(ns, conf, notifyHook);

    expect(result.output).toContain('Disabling track script DIRECTOR_CHECK since not found/accessible');
    expect(result.status).not.toBe(0);
  });

  test('the validator needs the interface: a config for eth9 fails', () => {
    const result = keepalivedConfigTest(ns, renderKeepalivedConf(referenceDirector({ interfaceName: 'eth9' })), notifyHook);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("WARNING - interface eth9 for vrrp_instance VI_LAB doesn't exist");
  });
});

describe('keepalived runs the rendered notify script under script security', () => {
  let ns: NetnsSandbox;

  beforeAll(() => {
    ns = NetnsSandbox.create('kd', [{ name: 'lab0', addresses: ['192.168.20.141/24'] }]);
  });

  afterAll(() => {
    ns?.destroy();
    expect(ns && NetnsSandbox.exists(ns.name)).toBe(false);
  });

  test('a lone MASTER goes BACKUP (init) -> MASTER and the hook records both', () => {
    // GIVEN the reference MASTER, VRRP part only (this kernel has no IPVS for the rest)
    const conf = renderKeepalivedConf(referenceDirector({ services: [], connectionSync: false }));

    // WHEN the real VRRP daemon runs until the state file says MASTER (no peer answers)
    const run = runKeepalivedVrrp(ns, conf, notifyHook, {
      stateFile: NOTIFY_STATE_FILE,
      logFile: NOTIFY_LOG_FILE,
      want: 'MASTER',
      timeoutSec: 15,
    });

    // THEN script security accepted the hook and keepalived ran it with TYPE NAME STATE PRIORITY
    expect(run.keepalivedLog).not.toMatch(/Unsafe permissions|could not find script|Disabling notify|SECURITY VIOLATION|WARNING/);
    expect(run.keepalivedLog).toContain('(VI_LAB) Entering MASTER STATE');
    expect(run.state).toBe('MASTER');
    const lines = run.notifyLog.trim().split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d INSTANCE VI_LAB BACKUP 180$/);
    expect(lines).toContainEqual(expect.stringMatching(/ INSTANCE VI_LAB MASTER 180$/));
  });

  test('link failure: a fast-failover MASTER whose lab0 loses carrier goes FAULT with no track_interface line', () => {
    // GIVEN a lone fast-failover MASTER (the veth peer lvsp0 stands for the switch port)
    const conf = renderKeepalivedConf(fastFailoverDirector({ services: [], connectionSync: false }));

    // WHEN it is MASTER and the peer end goes down (lab0: NO-CARRIER, as with virsh domif-setlink)
    const run = runKeepalivedVrrp(ns, conf, notifyHook, {
      stateFile: NOTIFY_STATE_FILE,
      logFile: NOTIFY_LOG_FILE,
      want: 'MASTER',
      timeoutSec: 15,
      then: { command: 'ip link set lvsp0 down', want: 'FAULT' },
    });
    ns.run(['ip', 'link', 'set', 'lvsp0', 'up']);

    // THEN keepalived tracked its own interface without any track_interface line
    expect(run.state).toBe('MASTER');
    expect(run.thenState).toBe('FAULT');
    expect(run.keepalivedLog).toMatch(/\(VI_LAB\) Entering FAULT STATE/);
    expect(run.notifyLog).toMatch(/ INSTANCE VI_LAB FAULT 250\n/);
  });

  test('the director check runs under script security: a failing unweighted check puts the MASTER in FAULT', () => {
    // GIVEN a lone MASTER whose check (weight 0) is /usr/bin/false, run every second, failing at the 2nd
    const check = { ...DIRECTOR_CHECK, command: ['/usr/bin/false'], intervalSec: 1, timeoutSec: 1, weight: 0 };
    const conf = renderKeepalivedConf(referenceDirector({ services: [], connectionSync: false, trackScript: check }));

    // WHEN the real daemon runs until the hook records FAULT
    const run = runKeepalivedVrrp(ns, conf, notifyHook, { stateFile: NOTIFY_STATE_FILE, logFile: NOTIFY_LOG_FILE, want: 'FAULT', timeoutSec: 20 });

    // THEN keepalived ran the check (not disabled by script security) and it failed
    expect(run.keepalivedLog).not.toMatch(/Unsafe permissions|Disabling track script|SECURITY VIOLATION|WARNING/);
    expect(run.keepalivedLog).toMatch(/Script `DIRECTOR_CHECK` now returning 1/);
    expect(run.state).toBe('FAULT');
  });

  test('a passing director check keeps the MASTER', () => {
    const check = { ...DIRECTOR_CHECK, command: ['/usr/bin/true'], intervalSec: 1, timeoutSec: 1, weight: 0 };
    const conf = renderKeepalivedConf(referenceDirector({ services: [], connectionSync: false, trackScript: check }));

    const run = runKeepalivedVrrp(ns, conf, notifyHook, { stateFile: NOTIFY_STATE_FILE, logFile: NOTIFY_LOG_FILE, want: 'MASTER', timeoutSec: 20 });

    expect(run.keepalivedLog).not.toMatch(/Disabling track script|SECURITY VIOLATION|WARNING/);
    expect(run.state).toBe('MASTER');
  });
});
