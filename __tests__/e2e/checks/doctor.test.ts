import { judgeDoctor } from '../../../e2e/checks/doctor';
import { recorded } from './recorded';

describe('judgeDoctor', () => {
  test("passes the run's `lvs-lab doctor --json`, naming every check", () => {
    const detail = judgeDoctor(0, recorded('doctor.json'), '');
    expect(detail).toMatch(/^11 checks passed: /);
    expect(detail).toContain('config, terraform, provider, libvirt');
  });

  test('fails when a check failed, naming it with its problem and fix', () => {
    const report = JSON.parse(recorded('doctor.json'));
    report.ok = false;
    report.checks[0] = { ...report.checks[0], ok: false, problem: 'no libvirtd', fix: 'start it' };
    expect(() => judgeDoctor(1, JSON.stringify(report), '')).toThrow(`doctor exited 1: ${report.checks[0].id}: no libvirtd (fix: start it)`);
  });

  test('fails when the doctor printed no JSON, with its stderr', () => {
    expect(() => judgeDoctor(2, '', 'lvs-lab: LAB_CONFIG: no such file')).toThrow('doctor printed no JSON (exit 2): lvs-lab: LAB_CONFIG: no such file');
  });
});
