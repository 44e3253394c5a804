/**
 * The direct-boot reference: the lab's VMs launched with `qemu-system-x86_64` alone — the same
 * image's kernel, initrd and root filesystem (kernel and initrd on the command line, no
 * bootloader), the same NoCloud seeds, no libvirt, no terraform — on a bridge in the lab
 * namespace, timed until the lab answers like the deployed one did. The floor the deployed
 * lab's time to ready is compared with. Everything it starts is removed again.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedLab } from '../lab';
import { seedIsoOf, waitReady } from './baseline';
import { addTap, removeTap } from './lan';

export interface ReferenceOptions {
  readonly lab: ResolvedLab;
  readonly synthDir: string;
  /** The lab namespace (qemu and the taps live there). */
  readonly ns: string;
  readonly bridge: string;
  readonly runDir: string;
  /** The qcow2 image; `<image>.vmlinuz`, `.initrd` and `.cmdline` sit beside it (e2e/image/build-image.sh). */
  readonly image: string;
  readonly readyProbe: () => boolean;
  readonly timeoutSec?: number;
}

function must(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, [...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
}

/** `<dir>/<name>.qcow2` -> `<dir>/<name>.<ext>` */
export function besideImage(image: string, ext: string): string {
  return image.replace(/\.qcow2$/, `.${ext}`);
}

export async function bootDirectly(o: ReferenceOptions): Promise<{ readySec: number }> {
  const kernel = besideImage(o.image, 'vmlinuz');
  const initrd = besideImage(o.image, 'initrd');
  const cmdlineFile = besideImage(o.image, 'cmdline');
  for (const f of [kernel, initrd, cmdlineFile]) {
    if (!fs.existsSync(f)) throw new Error(`direct boot needs ${f} (written by e2e/image/build-image.sh beside the image)`);
  }
  const cmdline = fs.readFileSync(cmdlineFile, 'utf8').trim();
  const work = path.join(o.runDir, 'reference');
  const logs = path.join(o.runDir, 'logs');
  fs.mkdirSync(work, { recursive: true });
  const vms = [...o.lab.directors, ...o.lab.realServers];
  const pids: string[] = [];
  const taps: string[] = [];
  const start = Date.now();
  try {
    vms.forEach((vm, i) => {
      const overlay = path.join(work, `${vm.name}.qcow2`);
      must('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', o.image, overlay]);
      const tap = `lvsref${i}`;
      addTap(o.ns, o.bridge, tap);
      taps.push(tap);
      const pidFile = path.join(work, `${vm.name}.pid`);
      must('ip', [
        // -nodefaults, as libvirt starts its domains: no IDE CD-ROM, floppy or VGA for the guest's
        // udev to probe and poll (they made this floor slower than the lab itself).
        'netns', 'exec', o.ns, 'qemu-system-x86_64', '-name', `ref-${vm.name}`, '-nodefaults', '-machine', 'pc,accel=tcg', '-m', String(vm.memoryMiB),
        '-smp', String(vm.vcpu), '-kernel', kernel, '-initrd', initrd, '-append', cmdline,
        '-drive', `file=${overlay},if=virtio,format=qcow2`, '-drive', `file=${seedIsoOf(o.synthDir, vm)},if=virtio,format=raw,readonly=on`,
        '-netdev', `tap,id=n0,ifname=${tap},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${vm.macAddress}`,
        '-device', 'virtio-rng-pci', '-display', 'none', '-serial', `file:${path.join(logs, `reference-${vm.name}.log`)}`,
        '-daemonize', '-pidfile', pidFile,
      ]);
      pids.push(fs.readFileSync(pidFile, 'utf8').trim());
    });
    await waitReady(o.readyProbe, o.timeoutSec ?? 900, `direct-boot reference (consoles in ${logs}/reference-*.log)`);
    return { readySec: (Date.now() - start) / 1000 };
  } finally {
    for (const pid of pids) spawnSync('kill', ['-KILL', pid]);
    spawnSync('sleep', ['0.5']);
    for (const tap of taps) removeTap(o.ns, tap);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
