import * as fs from 'node:fs';
import { NOTIFY_LOG_FILE, NOTIFY_STATE_FILE, renderKeepalivedConf, renderNotifyScript } from '../../cloud-init';
import type { DirectorKeepalivedModel } from '../../cloud-init';
import { keepalivedConfigTest, runKeepalivedVrrp } from '../helpers/keepalived';
import {
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
});
