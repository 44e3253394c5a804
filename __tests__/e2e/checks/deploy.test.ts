import { judgeNoChanges } from '../../../e2e/checks/deploy';
import { recorded } from './recorded';

describe('judgeNoChanges (a second deploy)', () => {
  test("passes the run's second `cdktf deploy` output (OpenTofu: \"No changes.\")", () => {
    expect(judgeNoChanges(0, recorded('second-deploy.txt'))).toBe('No changes');
  });

  test('fails when the deploy would change something, with the tail of its output', () => {
    const changed = recorded('second-deploy.txt').replace(/No changes\. Your infrastructure matches the configuration\./, 'Plan: 1 to add, 0 to change, 0 to destroy.');
    expect(() => judgeNoChanges(0, changed)).toThrow(/second deploy did not report "No changes": [\s\S]*Apply complete/);
  });

  test('fails on a non-zero exit', () => {
    expect(() => judgeNoChanges(1, 'Error: libvirt')).toThrow('second deploy exited 1: Error: libvirt');
  });
});
