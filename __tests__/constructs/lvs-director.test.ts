import { parse } from 'yaml';
import { renderNotifyScript } from '../../cloud-init';
import { NOTIFY_LOG_FILE } from '../../cloud-init/paths';
import { LvsDrLabStack } from '../../constructs';
import { loadLabConfig, type LabConfig } from '../../lab';
import { keepalivedConfigTest } from '../helpers/keepalived';
import { NetnsSandbox } from '../helpers/netns';
import { seedFiles, synthToDisk } from '../helpers/seed';

/** The keepalived.conf of every director, as written into the seed ISO its VM boots with. */
function synthesizedKeepalivedConfs(lab: LabConfig): Record<string, string> {
  let stack!: LvsDrLabStack;
  const out = synthToDisk((app) => (stack = new LvsDrLabStack(app, 'test', { lab })));
  try {
    const confs: Record<string, string> = {};
    for (const director of stack.cluster.directors) {
      const userData = parse(seedFiles(out, director.vm.domainName).userData);
      const file = userData.write_files.find((f: { path: string }) => f.path === '/etc/keepalived/keepalived.conf');
      // The construct exposes the same text it installs.
      expect(file.content).toBe(director.keepalivedConf);
      confs[director.name] = file.content;
    }
    return confs;
  } finally {
    out.dispose();
  }
}

/** A firewall-mark service with TLS, an https check, a sorry server, inhibit, a quorum with hooks and a misc check. */
const EVERY_SERVICE_OPTION: LabConfig = {
  services: [{
    vip: '192.168.20.140',
    ports: [80, 443, 8080],
    tlsPorts: [443],
    healthCheck: { type: 'https', path: '/healthz' },
    sorryServer: true,
    inhibitOnFailure: true,
    quorum: { weight: 100, hysteresis: 20, up: ['/usr/bin/logger', '-t', 'lvs-lab-quorum', 'up'], down: ['/usr/bin/logger', '-t', 'lvs-lab-quorum', 'down'] },
    miscCheck: { command: ['/usr/bin/curl', '-fsS', '-o', '/dev/null', '--max-time', '2', 'http://{address}:8080/ready'] },
  }],
};

describe('the service options reach the seeds', () => {
  test('directors get the nftables ruleset and the sorry site; real servers the TLS site and the ready file', () => {
    let stack!: LvsDrLabStack;
    const out = synthToDisk((app) => (stack = new LvsDrLabStack(app, 'test', { lab: EVERY_SERVICE_OPTION })));
    try {
      const filesOf = (domainName: string): Record<string, string> => Object.fromEntries(
        parse(seedFiles(out, domainName).userData).write_files.map((f: { path: string; content: string }) => [f.path, f.content]),
      );
      for (const director of stack.cluster.directors) {
        const files = filesOf(director.vm.domainName);
        expect(files['/etc/nftables.conf']).toContain('        ip daddr 192.168.20.140 tcp dport { 80, 443, 8080 } meta mark set 1\n');
        expect(files['/etc/nginx/sites-available/lvs-lab-sorry']).toContain(`return 503 "sorry-from ${director.name}\\n";`);
        expect(director.keepalivedConf).toContain('virtual_server fwmark 1 {');
      }
      for (const realServer of stack.cluster.realServers) {
        const files = filesOf(realServer.vm.domainName);
        expect(files['/etc/nginx/sites-available/lvs-lab']).toContain('    listen 443 ssl default_server;\n');
        expect(files['/var/www/lvs-lab/ready']).toBe('ready\n');
      }
    } finally {
      out.dispose();
    }
  });
});

describe('the synthesized directors pass the real keepalived --config-test', () => {
  let ns: NetnsSandbox;
  const notify = { path: '/usr/local/sbin/lvs-lab-notify', content: renderNotifyScript({ logFile: NOTIFY_LOG_FILE }) };

  beforeAll(() => {
    ns = NetnsSandbox.create('kd', [{ name: 'lab0' }]);
  });
  afterAll(() => ns?.destroy());

  const labs: Record<string, () => LabConfig> = {
    'the default (reference) lab': () => ({}),
    'the unicast e2e lab': () => loadLabConfig('e2e/lab.yaml'),
    'the multicast e2e lab': () => loadLabConfig('e2e/lab-multicast.yaml'),
    'a lab with every service option': () => EVERY_SERVICE_OPTION,
  };

  test.each(Object.entries(labs))('%s: every director', (_name, lab) => {
    const confs = synthesizedKeepalivedConfs(lab());
    expect(Object.keys(confs).length).toBeGreaterThanOrEqual(2);
    for (const [director, conf] of Object.entries(confs)) {
      const result = keepalivedConfigTest(ns, conf, notify);
      expect({ director, output: result.output, status: result.status }).toEqual({ director, output: '', status: 0 });
    }
  });
});
