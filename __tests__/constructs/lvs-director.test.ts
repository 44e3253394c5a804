import { parse } from 'yaml';
import { NOTIFY_LOG_FILE, renderNotifyScript } from '../../cloud-init';
import { LvsDrLabStack, loadLabConfig, type LabConfig } from '../../constructs';
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
