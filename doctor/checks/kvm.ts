import { isLocalLibvirt } from '../../lab/pool-directory';
import { fail, isSystemUri, pass, warn, type DoctorCheck, type LabContext } from '../check';
import type { CommandResult, DoctorHost } from '../host';
import { virshDomainDefaults } from '../parse';

const KVM_DEVICE = '/dev/kvm';
const USE_QEMU = 'set `domainType: qemu` in the lab config (software emulation: works on any host, VMs boot several times slower)';

/** The emulator when libvirt does not say which (Debian's; libvirt's default for x86_64 domains). */
export const DEFAULT_EMULATOR = 'qemu-system-x86_64';
/** How long the probe guest may take to get through its firmware: well under a second on a KVM host. */
export const KVM_PROBE_TIMEOUT_MS = 8_000;
/** What SeaBIOS prints on its debug port once it has tried every boot device: the probe's known point. */
export const KVM_PROBE_MARK = 'No bootable device';

/**
 * The probe: a guest as libvirt starts the lab's (accel kvm, `-cpu host` for the domain's
 * host-passthrough CPU, the default machine type) with no disk, so its firmware (SeaBIOS) runs
 * on the KVM vCPU, finds nothing to boot, says so on its debug port (0x402) and, with
 * `reboot-timeout=0` and `-no-reboot`, ends qemu with status 0. No file is needed.
 */
export function kvmProbeArgs(machine?: string): string[] {
  return [
    '-accel', 'kvm', '-cpu', 'host', ...(machine ? ['-machine', machine] : []), '-m', '64',
    '-nodefaults', '-display', 'none', '-no-reboot', '-boot', 'reboot-timeout=0',
    '-chardev', 'stdio,id=firmware', '-device', 'isa-debugcon,iobase=0x402,chardev=firmware',
  ];
}

/** What libvirt would start a lab domain with: the emulator and default machine of `virsh domcapabilities`, else qemu's own. */
function domainDefaults(host: DoctorHost, uri: string): { emulator: string; machine?: string } {
  const r = host.run('virsh', ['-c', uri, 'domcapabilities', '--virttype', 'kvm', '--arch', 'x86_64'], { timeoutMs: 10_000 });
  const found = r.status === 0 ? virshDomainDefaults(r.stdout) : {};
  return { emulator: found.emulator ?? DEFAULT_EMULATOR, ...(found.machine ? { machine: found.machine } : {}) };
}

/** The first line qemu printed to stderr (`…: error: failed to set MSR 0x10a to 0x69`), else how it ended. */
function qemuWhy(r: CommandResult): string {
  const line = r.stderr.split('\n').map((l) => l.trim()).find(Boolean);
  if (line) return line;
  return r.status === null ? 'it was killed' : `exit status ${r.status}`;
}

/**
 * Runs the probe guest: a /dev/kvm that opens is not yet a KVM that runs the lab's guests (a
 * nested, paravirtual KVM may refuse the host CPU model: qemu aborts on an MSR it cannot set, and
 * the deploy's domains never start; or the guest hangs, and the deploy with it).
 */
function probe(host: DoctorHost, uri: string) {
  const { emulator, machine } = domainDefaults(host, uri);
  const what = `a KVM guest as libvirt starts the lab's (${emulator}, CPU host-passthrough, machine ${machine ?? 'default'})`;
  const started = Date.now();
  const r = host.run(emulator, kvmProbeArgs(machine), { timeoutMs: KVM_PROBE_TIMEOUT_MS });
  if (r.error === 'ENOENT') {
    return warn('kvm', `${KVM_DEVICE} opens, but ${emulator} is not installed here, so no KVM guest was tried`, 'apt-get install qemu-system-x86 (libvirt needs it to start the VMs)');
  }
  if (r.status === 0 && r.stdout.includes(KVM_PROBE_MARK)) {
    return pass('kvm', `${KVM_DEVICE} opens, and ${what} runs its firmware to the boot prompt (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  const why = r.error === 'ETIMEDOUT'
    ? `it did not get through its firmware within ${KVM_PROBE_TIMEOUT_MS / 1000} s (a few tenths of a second on a KVM host): the lab's VMs would hang, and the deploy with them`
    : r.status === 0
      ? 'it ended before its firmware reached the boot prompt'
      : `it failed: ${qemuWhy(r)}`;
  return fail('kvm', `${KVM_DEVICE} opens, but ${what} does not run here: ${why} (a nested or paravirtual KVM that cannot run the host's CPU model)`, USE_QEMU);
}

/**
 * `domainType: kvm` needs a KVM that runs the lab's guests: without /dev/kvm libvirt refuses to
 * start the first domain, and a /dev/kvm that cannot run the host CPU model aborts or hangs it.
 */
export const kvmCheck: DoctorCheck<LabContext> = {
  id: 'kvm',
  run: ({ host, lab }) => {
    if (lab.domainType !== 'kvm') return pass('kvm', `not needed: domainType is ${lab.domainType} (software emulation)`);
    if (!isLocalLibvirt(lab.libvirtUri)) return pass('kvm', `not checked: libvirt runs on another host (${lab.libvirtUri})`);
    const device = host.stat(KVM_DEVICE);
    if (!device) {
      return fail(
        'kvm',
        `domainType is kvm, but ${KVM_DEVICE} does not exist: this machine offers no hardware virtualization (kvm module not loaded, ` +
          'VT-x/AMD-V off in the firmware, or a VM without nested virtualization)',
        `${USE_QEMU}; or enable virtualization in the firmware and load the module (\`modprobe kvm_intel\` or \`modprobe kvm_amd\`)`,
      );
    }
    if (device.kind !== 'character-device') return fail('kvm', `${KVM_DEVICE} is a ${device.kind}, not the KVM device`, USE_QEMU);
    const error = host.openError(KVM_DEVICE);
    if (error === undefined) return probe(host, lab.libvirtUri);
    // The system instance starts VMs as its qemu user (group kvm), not as this user.
    if (error === 'EACCES' && isSystemUri(lab.libvirtUri)) {
      return pass('kvm', `${KVM_DEVICE} exists (libvirt's qemu user opens it; this user may not, so no KVM guest was tried)`);
    }
    if (error === 'EACCES') {
      return fail('kvm', `this user cannot open ${KVM_DEVICE}, and ${lab.libvirtUri} runs VMs as this user`,
        `\`sudo usermod -aG kvm $USER\`, then log in again; or ${USE_QEMU}`);
    }
    return fail('kvm', `${KVM_DEVICE} cannot be opened (${error}): KVM is not usable here`, USE_QEMU);
  },
};
