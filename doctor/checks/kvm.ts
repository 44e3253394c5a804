import { isLocalLibvirt } from '../../lab/pool-directory';
import { fail, isSystemUri, pass, type DoctorCheck, type LabContext } from '../check';

const KVM_DEVICE = '/dev/kvm';
const USE_QEMU = 'set `domainType: qemu` in the lab config (software emulation: works on any host, VMs boot several times slower)';

/** `domainType: kvm` needs a usable /dev/kvm on the libvirt host; without it libvirt refuses to start the first domain. */
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
    if (error === undefined) return pass('kvm', `${KVM_DEVICE} opens`);
    // The system instance starts VMs as its qemu user (group kvm), not as this user.
    if (error === 'EACCES' && isSystemUri(lab.libvirtUri)) return pass('kvm', `${KVM_DEVICE} exists (libvirt's qemu user opens it; this user may not)`);
    if (error === 'EACCES') {
      return fail('kvm', `this user cannot open ${KVM_DEVICE}, and ${lab.libvirtUri} runs VMs as this user`,
        `\`sudo usermod -aG kvm $USER\`, then log in again; or ${USE_QEMU}`);
    }
    return fail('kvm', `${KVM_DEVICE} cannot be opened (${error}): KVM is not usable here`, USE_QEMU);
  },
};
