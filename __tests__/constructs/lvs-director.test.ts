import { parse } from 'yaml';
import { Testing } from 'cdktf';
import { NOTIFY_LOG_FILE, renderNotifyScript } from '../../cloud-init';
import { CloudinitDisk } from '../../.gen/providers/libvirt/cloudinit-disk';
import { LvsDrLabStack, fromTerraformLiteral, loadLabConfig, type LabConfig } from '../../constructs';
import { keepalivedConfigTest } from '../helpers/keepalived';
import { NetnsSandbox } from '../helpers/netns';

/** The keepalived.conf of every director, as written into its synthesized cloud-init disk. */
function synthesizedKeepalivedConfs(lab: LabConfig): Record<string, string> {
  const stack = new LvsDrLabStack(Testing.app(), 'test', { lab });
  const json = JSON.parse(Testing.synth(stack));
  const confs: Record<string, string> = {};
  for (const director of stack.cluster.directors) {
    const disk = json.resource[CloudinitDisk.tfResourceType][director.vm.cloudinit.friendlyUniqueId];
    const userData = parse(fromTerraformLiteral(disk.user_data));
    const file = userData.write_files.find((f: { path: string }) => f.path === '/etc/keepalived/keepalived.conf');
    // The construct exposes the same text it installs.
    expect(file.content).toBe(director.keepalivedConf);
    confs[director.name] = file.content;
  }
  return confs;
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
