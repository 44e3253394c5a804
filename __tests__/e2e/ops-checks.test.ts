import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkOpsStatus, checkOpsTraffic, runOpsCli } from '../../e2e/ops-checks';
import { resolveLabConfig } from '../../lab';
import type { StatusReport } from '../../ops';
import { requireRoot, requireTool } from '../helpers/tools';

/*
 * The e2e hook's plumbing, for real: the CLI started in a network namespace with the run's key
 * and lab config, its JSON parsed, its verdict asserted. The namespace has no lab at all (only
 * lo), so every check fails, and says so with what the CLI observed.
 */
const lab = resolveLabConfig({});
let dir: string;
const ns = `opse2e-${randomBytes(3).toString('hex')}`;
beforeAll(() => {
  requireRoot('network namespaces');
  requireTool('ip', 'iproute2');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-checks-'));
  fs.writeFileSync(path.join(dir, 'lab.json'), '{}\n');
  fs.writeFileSync(path.join(dir, 'key'), 'not a key\n', { mode: 0o600 });
  const r = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
});
afterAll(() => {
  spawnSync('ip', ['netns', 'del', ns]);
  fs.rmSync(dir, { recursive: true, force: true });
});
const ctx = () => ({ clientNs: ns, sshKey: path.join(dir, 'key'), labConfigFile: path.join(dir, 'lab.json'), logDir: dir });

test('runOpsCli: the JSON report of the CLI run in the namespace, its output kept in the log dir', () => {
  const { status, report } = runOpsCli<StatusReport>(ctx(), ['status'], 120);
  expect(status).toBe(1);
  expect(report.lab).toBe('lvs-lab');
  expect(report.problems.filter((p) => p.id === 'ssh')).toHaveLength(4);
  expect(report.problems[0].message).toContain(`\`ssh -i ${path.join(dir, 'key')} lab@192.168.20.141\` did not get through`);
  expect(fs.readFileSync(path.join(dir, 'ops-status.log'), 'utf8')).toMatch(/^\$ lvs-lab status --json \(exit 1\)$/m);
});

test('checkOpsStatus fails with the problems the CLI listed', () => {
  expect(() => checkOpsStatus(ctx(), lab, lab.directors[0])).toThrow(/^status exited 1: director-1: `ssh -i .*` did not get through: /);
});

test('checkOpsTraffic fails with the failed requests', () => {
  expect(() => checkOpsTraffic(ctx(), lab, 3)).toThrow(/^traffic exited 1: 3 of 3 requests to http:\/\/192\.168\.20\.140:80\/ failed: /);
});
