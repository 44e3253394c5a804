import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_DRILLS, SettingsError, parseDrills, readSettings } from '../../e2e/settings';

/*
 * The runner's shape: importing it, the order and every check runs nothing (no namespace, no
 * process, no file); the environment is read once into settings that name what is missing.
 */
describe('the e2e runner', () => {
  test('importing the runner and the order runs nothing and declares the checks', () => {
    const before = fs.readdirSync(path.join(__dirname, '..', '..', 'e2e'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CHECKS, TEARDOWN } = require('../../e2e/plan');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(typeof require('../../e2e/runner').runLab).toBe('function');
    const ids = [...CHECKS, ...TEARDOWN].map((e: { id?: string; step?: string }) => e.id ?? `step: ${e.step}`);
    expect(ids.slice(0, 8)).toEqual(['stand-in', 'doctor', 'interrupted-deploy', 'deploy', 'client-joins', 'step: capture ARP and the replies from the VIPs at the client', 'readiness', 'default-key']);
    expect(ids.filter((id: string) => id === 'master-returns')).toHaveLength(3);
    expect(ids.slice(-5)).toEqual(['destroy', 'step: say how this lab ended', 'interrupted-deploy-destroy', 'baseline', 'reference']);
    expect(fs.readdirSync(path.join(__dirname, '..', '..', 'e2e'))).toEqual(before);
  });

  test('no e2e file over 300 lines', () => {
    const dir = path.join(__dirname, '..', '..', 'e2e');
    const files = ['', 'checks', 'drills'].flatMap((d) => fs.readdirSync(path.join(dir, d)).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, d, f)));
    const long = files.filter((f) => fs.readFileSync(f, 'utf8').split('\n').length > 300).map((f) => path.relative(dir, f));
    expect(long).toEqual([]);
  });
});

describe('settings', () => {
  const env = {
    LVSLAB_NS: 'lvslab-1', LVSLAB_WAN_NS: 'lvslab-1-w', LVSLAB_WAN_IP: '203.0.113.1', LVSLAB_CLIENT_NS: 'lvslab-1-c', LVSLAB_URI: 'qemu:///x',
    LVSLAB_RUN_DIR: '/run-1', LVSLAB_RUNID: '1', LVSLAB_POOL_DIR: '/run-1/pool', E2E_IMAGE_CLOUD_13: 'c.qcow2', E2E_IMAGE_LAB_13: 'l.qcow2', E2E_REPO: '/repo', E2E_SSH_KEY: '/k',
  };
  test("the sandbox's own client, every drill, terraform by cdktf", () => {
    const s = readSettings(env);
    expect(s).toMatchObject({ clientNs: 'lvslab-1-c', runDir: '/run-1', logDir: '/run-1/logs', engine: 'terraform', cli: 'cdktf', readyTimeoutSec: 1200, handoff: undefined, fastQuietSec: 120 });
    expect([...s.drills]).toEqual([...ALL_DRILLS]);
  });
  test('a second lab: its own client and directory, its place in the handoff', () => {
    const s = readSettings({ ...env, E2E_CLIENT: 'b', E2E_LAB_DIR: '/run-1/second', E2E_HANDOFF_DIR: '/run-1/handoff', E2E_HANDOFF_ROLE: 'second', E2E_DRILLS: 'none' });
    expect(s).toMatchObject({ clientNs: 'lvslab-1-b', runDir: '/run-1/second', handoff: { dir: '/run-1/handoff', role: 'second' } });
    expect(s.drills.size).toBe(0);
  });
  test('fails naming the variable run.sh should have set', () => {
    expect(() => readSettings({ ...env, E2E_REPO: '' })).toThrow(new SettingsError('E2E_REPO is not set: start the e2e run with `npm run test:e2e`'));
  });
  test('E2E_DRILLS: a comma list; an unknown drill fails naming what is allowed', () => {
    expect([...parseDrills('rs-reboot, link-down')]).toEqual(['rs-reboot', 'link-down']);
    expect(() => parseDrills('rs-reboot,reboot-all')).toThrow('E2E_DRILLS: unknown drill(s) reboot-all; allowed: all, none, or a comma list of backup-crash, rs-reboot, libvirtd-restart, interrupted-deploy, link-down');
  });
});
