/**
 * The overhead baseline: boot the lab's VMs with `virsh` alone — same image, same cloud-init
 * (taken from the synthesized stack), same network shape — and time how long until the lab
 * answers like the terraform-deployed one did. Everything it defines is removed again.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedLab } from '../lab';

export interface BaselineOptions {
  readonly lab: ResolvedLab;
  /** cdktf.out/stacks/<stack>: each VM's NoCloud seed ISO is the asset its cdk.tf.json names. */
  readonly synthDir: string;
  readonly uri: string;
  readonly runDir: string;
  readonly image: string;
  /** Reports whether the lab answers (the client is on `bridge`). */
  readonly readyProbe: () => boolean;
  /** The segment: a host bridge in the lab namespace (e2e/lan.ts), with the lab's gateway and DNS. */
  readonly bridge: string;
  readonly timeoutSec?: number;
}

function virsh(uri: string, ...args: string[]): string {
  const r = spawnSync('virsh', ['-q', '-c', uri, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`virsh ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

function must(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');

/** The NoCloud seed ISO the synthesized stack ships for `vm` (its cdktf asset). */
export function seedIsoOf(synthDir: string, vm: { readonly domainName: string }): string {
  const stack = JSON.parse(fs.readFileSync(path.join(synthDir, 'cdk.tf.json'), 'utf8'));
  const volumes = Object.values(stack.resource.libvirt_volume as Record<string, Record<string, string>>);
  const seed = volumes.find((v) => v.name === `${vm.domainName}-cidata.iso`);
  if (!seed?.source) throw new Error(`no NoCloud seed volume for ${vm.domainName} in the synthesized stack`);
  return path.resolve(synthDir, seed.source);
}

/** Polls `probe` every 300 ms until it holds; throws after `timeoutSec`. */
export async function waitReady(probe: () => boolean, timeoutSec: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutSec * 1000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutSec}s`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export async function bootWithoutTerraform(o: BaselineOptions): Promise<{ readySec: number }> {
  const work = path.join(o.runDir, 'baseline');
  const logs = path.join(o.runDir, 'logs');
  fs.mkdirSync(work, { recursive: true });
  const netName = `${o.lab.name}-baseline`;
  const vms = [...o.lab.directors, ...o.lab.realServers];
  const defined: string[] = [];

  const start = Date.now();
  try {
    for (const vm of vms) {
      const iso = path.join(work, `${vm.name}-cidata.iso`);
      fs.copyFileSync(seedIsoOf(o.synthDir, vm), iso);
      const overlay = path.join(work, `${vm.name}.qcow2`);
      must('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', o.image, overlay]);
      const xml = `<domain type='qemu'>
  <name>${netName}-${vm.name}</name>
  <memory unit='MiB'>${vm.memoryMiB}</memory>
  <vcpu placement='static'>${vm.vcpu}</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><pae/><acpi/><apic/></features>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${xmlEscape(overlay)}'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${xmlEscape(iso)}'/><target dev='vdb' bus='virtio'/></disk>
    <interface type='bridge'><source bridge='${xmlEscape(o.bridge)}'/><mac address='${vm.macAddress}'/><model type='virtio'/></interface>
    <serial type='pty'><log file='${xmlEscape(path.join(logs, `baseline-${vm.name}.log`))}' append='off'/><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <graphics type='vnc'><listen type='none'/></graphics>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices>
</domain>`;
      fs.writeFileSync(path.join(work, `${vm.name}.xml`), xml);
      virsh(o.uri, 'create', path.join(work, `${vm.name}.xml`));
      defined.push(`${netName}-${vm.name}`);
    }

    await waitReady(o.readyProbe, o.timeoutSec ?? 900, `baseline lab (consoles in ${logs}/baseline-*.log)`);
    return { readySec: (Date.now() - start) / 1000 };
  } finally {
    for (const name of defined) spawnSync('virsh', ['-q', '-c', o.uri, 'destroy', name]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
