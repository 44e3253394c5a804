import * as path from 'node:path';
import { kvmProbeArgs } from '../../doctor/checks/kvm';
import type { CommandResult, DoctorHost, FileStat } from '../../doctor/host';

/**
 * A machine for the doctor's checks, described as data: the programs it has (by exact command
 * line) and what they print, its files, directories and devices. A program it does not list is
 * not installed (ENOENT), a path it does not list does not exist. `healthyHost()` is a machine
 * where the reference lab deploys; a test breaks one thing of it.
 */
export interface FakeHostSpec {
  /** `command arg arg` -> what it prints and its status (status 0 unless given). */
  readonly commands: Record<string, Partial<CommandResult>>;
  readonly files: Record<string, { readonly content?: string; readonly mode?: number; readonly uid?: number; readonly readable?: boolean }>;
  readonly dirs: Record<string, { readonly mode?: number; readonly uid?: number; readonly gid?: number; readonly entries?: string[]; readonly writable?: boolean }>;
  readonly devices: Record<string, { readonly openError?: string }>;
  readonly env: NodeJS.ProcessEnv;
  readonly uid: number;
}

export const ROOT = '/src/lvs-dr-lab';
export const HOME = '/home/me';
export const OPERATOR_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk6r2mFJqzKcQ0u1Bf4bX5tUuJv7YlN3m9p2cQe8sXw me@laptop';
const MIRROR = `${ROOT}/.provider/mirror`;
const PROVIDER_BINARY = 'terraform-provider-libvirt_v0.8.3';
export const MIRRORED = {
  terraform: `${MIRROR}/registry.terraform.io/dmacvicar/libvirt/0.8.3/linux_amd64/${PROVIDER_BINARY}`,
  tofu: `${MIRROR}/registry.opentofu.org/dmacvicar/libvirt/0.8.3/linux_amd64/${PROVIDER_BINARY}`,
};

/** `ip -j route` of a host on 192.0.2.0/24 (the shape iproute2 6.1 prints). */
export const HOST_ROUTES = [
  { dst: 'default', gateway: '192.0.2.1', dev: 'eth0', flags: [] },
  { dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: '192.0.2.2', flags: [] },
];

/** A Debian 12 machine where the reference lab (LAB_CONFIG unset) deploys as user `me` through qemu:///system. */
/** `virsh domcapabilities --virttype kvm --arch x86_64` of libvirt 9.0 on Debian 12 (its head). */
export const DOMAIN_CAPABILITIES = [
  '<domainCapabilities>', '  <path>/usr/bin/qemu-system-x86_64</path>', '  <domain>kvm</domain>', '  <machine>pc-i440fx-7.2</machine>',
  '  <arch>x86_64</arch>', '  <vcpu max=\'255\'/>', '</domainCapabilities>', '',
].join('\n');
export const DOMCAPS_COMMAND = 'virsh -c qemu:///system domcapabilities --virttype kvm --arch x86_64';
/** The kvm probe as the check runs it with {@link DOMAIN_CAPABILITIES}. */
export const KVM_PROBE_COMMAND = ['/usr/bin/qemu-system-x86_64', ...kvmProbeArgs('pc-i440fx-7.2')].join(' ');
/** What SeaBIOS 1.16 prints on its debug port, its end, when it finds nothing to boot. */
export const SEABIOS_NO_BOOT = 'Booting from Floppy...\nBoot failed: could not read the boot disk\n\nNo bootable device.  Retrying in 0 seconds.\nRebooting.\n';

export function healthyHost(): FakeHostSpec {
  return {
    env: { HOME, USER: 'me' },
    uid: 1000,
    commands: {
      'virsh -c qemu:///system version': {
        stdout: 'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.0\n',
      },
      'virsh -c qemu:///system net-info lvs-lab-net': { status: 1, stderr: "error: failed to get network 'lvs-lab-net'\nerror: Network not found: no network with matching name 'lvs-lab-net'\n" },
      'terraform version -json': { stdout: '{"terraform_version":"1.9.8","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}\n' },
      [`bash ${ROOT}/scripts/provider.sh paths`]: {
        stdout: [
          'version 0.8.3',
          `cached ${HOME}/.cache/lvs-dr-lab/provider/0.8.3/${PROVIDER_BINARY}`,
          `config ${ROOT}/.provider/terraformrc`,
          `terraform ${MIRRORED.terraform}`,
          `tofu ${MIRRORED.tofu}`,
          '',
        ].join('\n'),
      },
      'go version': { stdout: 'go version go1.23.4 linux/amd64\n' },
      'ip -j route': { stdout: JSON.stringify(HOST_ROUTES) },
      'getent ahosts cloud.debian.org': { stdout: '151.101.2.132   STREAM cloud.debian.org\n' },
      'id -u libvirt-qemu': { stdout: '64055\n' },
      'id -G libvirt-qemu': { stdout: '64055 108\n' },
      [DOMCAPS_COMMAND]: { stdout: DOMAIN_CAPABILITIES },
      [KVM_PROBE_COMMAND]: { stdout: SEABIOS_NO_BOOT },
      'sysctl -n net.bridge.bridge-nf-call-iptables': { status: 255, stderr: 'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n' },
    },
    files: {
      [MIRRORED.terraform]: { mode: 0o755 },
      [MIRRORED.tofu]: { mode: 0o755 },
      [`${ROOT}/.provider/terraformrc`]: { content: 'disable_checkpoint = true\n' },
      [`${ROOT}/scripts/provider.sh`]: { content: '#!/usr/bin/env bash\n' },
      [`${HOME}/.ssh/id_ed25519.pub`]: { content: `${OPERATOR_KEY}\n` },
    },
    dirs: {
      '/': {}, '/var': {}, '/var/lib': {}, '/var/lib/libvirt': {}, '/var/lib/libvirt/images': { mode: 0o711 },
      '/home': {}, [HOME]: { mode: 0o700, uid: 1000, gid: 1000, writable: true },
      // systemd runs the machine (sd_booted: the directory exists)
      '/run': {}, '/run/systemd': {}, '/run/systemd/system': {},
    },
    devices: { '/dev/kvm': {} },
  };
}

const enoent = (p: string) => Object.assign(new Error(`ENOENT: no such file or directory, '${p}'`), { code: 'ENOENT' });

/** The {@link DoctorHost} that answers as `spec` describes; `calls` records every command run. */
export function fakeHost(spec: FakeHostSpec): DoctorHost & { readonly calls: string[] } {
  const calls: string[] = [];
  const stat = (p: string): FileStat | undefined => {
    const dir = spec.dirs[p];
    if (dir) return { kind: 'directory', mode: dir.mode ?? 0o755, uid: dir.uid ?? 0, gid: dir.gid ?? 0 };
    const file = spec.files[p];
    if (file) return { kind: 'file', mode: file.mode ?? 0o644, uid: file.uid ?? 0, gid: 0 };
    if (spec.devices[p]) return { kind: 'character-device', mode: 0o660, uid: 0, gid: 108 };
    return undefined;
  };
  return {
    calls,
    env: spec.env,
    uid: spec.uid,
    run(command, args) {
      const line = [command, ...args].join(' ');
      calls.push(line);
      const answer = spec.commands[line];
      if (!answer) return { status: null, stdout: '', stderr: '', error: 'ENOENT' };
      return { status: answer.error ? null : 0, stdout: '', stderr: '', ...answer };
    },
    readFile(p) {
      const file = spec.files[p];
      if (!file || file.readable === false) throw enoent(p);
      return file.content ?? '';
    },
    readHead(p, length) {
      const file = spec.files[p];
      if (!file) throw enoent(p);
      return Buffer.from(file.content ?? '', 'latin1').subarray(0, length);
    },
    stat,
    canAccess(p, mode) {
      if (mode === 'read') return spec.files[p]?.readable !== false && stat(p) !== undefined;
      return spec.dirs[p]?.writable === true;
    },
    openError: (p) => spec.devices[p]?.openError,
    statSync(p) {
      const s = stat(p);
      if (!s) throw enoent(p);
      return { isDirectory: () => s.kind === 'directory' };
    },
    readdirSync(p) {
      if (!spec.dirs[p]) throw enoent(p);
      return [...(spec.dirs[p].entries ?? [])];
    },
    realpathSync(p) {
      if (!stat(p)) throw enoent(p);
      return path.normalize(p);
    },
  };
}
