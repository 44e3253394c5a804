/**
 * The operator's first command: the doctor, on this lab namespace (its libvirtd, bridge, routes,
 * iptables), with the config the deploy uses; every check must pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultKeyHome } from '../cdktf';
import { CheckFailed, type E2eCheck, expect, tail } from '../context';
import { lvsLabArgv } from '../ops-checks';
import { run } from '../sandbox';

interface DoctorReport {
  ok: boolean;
  checks: { id: string; ok: boolean; problem?: string; warning?: string; fix?: string }[];
}

/** The verdict on `lvs-lab doctor --json`'s exit status and output. */
export function judgeDoctor(status: number | null, stdout: string, stderr: string): string {
  let report: DoctorReport;
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new CheckFailed(`doctor printed no JSON (exit ${status}): ${tail(stderr)}`);
  }
  const failed = report.checks.filter((x) => !x.ok);
  expect(status === 0 && report.ok && failed.length === 0, `doctor exited ${status}: ${failed.map((x) => `${x.id}: ${x.problem ?? ''} (fix: ${x.fix ?? '-'})`).join('; ')}`);
  const warned = report.checks.filter((x) => x.warning);
  return `${report.checks.length} checks passed: ${report.checks.map((x) => x.id).join(', ')}` +
    (warned.length ? `; warnings: ${warned.map((x) => `${x.id}: ${x.warning}`).join('; ')}` : '');
}

export const doctor: E2eCheck = {
  id: 'doctor',
  appliesTo: () => true,
  name: () => 'lvs-lab doctor --json: every check passes before the deploy',
  run({ settings, labFile }) {
    const r = run('ip', lvsLabArgv(settings.ns, ['doctor', '--json']), {
      timeoutSec: 180,
      env: { ...settings.env, HOME: defaultKeyHome(settings), ...settings.homeKept, LAB_CONFIG: labFile, TERRAFORM_BINARY_NAME: settings.engine, FORCE_COLOR: '0' },
    });
    fs.appendFileSync(path.join(settings.logDir, 'ops-doctor.log'), `$ lvs-lab doctor --json (exit ${r.status})\n${r.stdout}\n${r.stderr}\n`);
    return judgeDoctor(r.status, r.stdout, r.stderr);
  },
};
