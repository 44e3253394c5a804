import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { resolveLabConfig } from '../../lab';
import { DEFAULT_EMULATOR, KVM_PROBE_MARK, KVM_PROBE_TIMEOUT_MS, kvmCheck, kvmProbeArgs } from '../../doctor/checks/kvm';
import { localHost } from '../../doctor/host';
import { requireTool } from '../helpers/tools';

/*
 * The kvm check's probe against the real qemu of this machine: the probe guest needs no file,
 * runs its firmware to a known point and ends by itself; and the check's verdict on this machine.
 */
beforeAll(() => requireTool(DEFAULT_EMULATOR, 'qemu-system-x86'));

test('the probe guest runs its firmware to "No bootable device" and ends qemu with status 0 (here under TCG, which any host runs)', () => {
  const args = kvmProbeArgs('pc').join(' ').replace('-accel kvm -cpu host', '-accel tcg -cpu qemu64').split(' ');
  const r = spawnSync(DEFAULT_EMULATOR, args, { encoding: 'utf8', timeout: KVM_PROBE_TIMEOUT_MS });
  expect(r.error).toBeUndefined();
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(KVM_PROBE_MARK);
});

/** True when the CPU offers hardware virtualization (VT-x or AMD-V) to this machine. */
const hardwareVirtualization = () => /^flags\s*:.*\b(vmx|svm)\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));

test('on this machine: a /dev/kvm without VT-x/AMD-V behind it (a paravirtual KVM such as kvm_pvm) fails, with the fix; one with it passes', () => {
  const lab = resolveLabConfig({});
  const started = Date.now();
  const r = kvmCheck.run({ host: localHost(process.env), root: '/nonexistent', config: {}, lab });
  expect(Date.now() - started).toBeLessThan(KVM_PROBE_TIMEOUT_MS + 12_000); // the probe, and virsh's 10 s at most
  const opens = fs.existsSync('/dev/kvm') && localHost().openError('/dev/kvm') === undefined;
  if (opens && hardwareVirtualization()) {
    expect(r.summary).toContain('runs its firmware to the boot prompt');
  } else {
    expect(r.ok).toBe(false);
    expect(r.fix).toContain('`domainType: qemu`');
    if (opens) expect(r.problem).toContain("does not run here");
  }
}, 30_000);
