/**
 * The overhead baseline: boot the lab's VMs with `virsh` alone — same image, same cloud-init
 * (taken from the synthesized stack), same network shape — and time how long until the lab
 * answers like the terraform-deployed one did. Everything it defines is removed again.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResolvedLab } from '../constructs';

export interface BaselineOptions {
  readonly lab: ResolvedLab;
  /** cdktf.out/stacks/<stack>: each VM's NoCloud seed ISO is the asset its cdk.tf.json names. */
  readonly synthDir: string;
  readonly uri: string;
  readonly runDir: string;
  readonly image: string;
  /** Re-attaches the client to the new bridge and reports whether the lab answers. */
  readonly readyProbe: () => boolean;
  /** Called with the bridge name once the network exists. */
  readonly onBridge: (bridge: string) => void;
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

export async function bootWithoutTerraform(o: BaselineOptions): Promise<{ readySec: number }> {
  const stack = JSON.parse(fs.readFileSync(path.join(o.synthDir, 'cdk.tf.json'), 'utf8'));
  const volumes = Object.values(stack.resource.libvirt_volume as Record<string, Record<string, string>>);
  const work = path.join(o.runDir, 'baseline');
  const logs = path.join(o.runDir, 'logs');
  fs.mkdirSync(work, { recursive: true });
  const netName = `${o.lab.name}-baseline`;
  const vms = [...o.lab.directors, ...o.lab.realServers];
  const defined: string[] = [];
  let networkUp = false;

  const start = Date.now();
  try {
    fs.writeFileSync(path.join(work, 'net.xml'), `<network><name>${netName}</name><bridge stp='off' delay='0'/></network>`);
    virsh(o.uri, 'net-create', path.join(work, 'net.xml'));
    networkUp = true;
    const bridge = /Bridge:\s+(\S+)/.exec(virsh(o.uri, 'net-info', netName))![1];
    o.onBridge(bridge);

    for (const vm of vms) {
      const seed = volumes.find((v) => v.name === `${vm.domainName}-cidata.iso`);
      if (!seed?.source) throw new Error(`no NoCloud seed volume for ${vm.domainName} in the synthesized stack`);
      const iso = path.join(work, `${vm.name}-cidata.iso`);
      fs.copyFileSync(path.resolve(o.synthDir, seed.source), iso);
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
    <interface type='network'><source network='${netName}'/><mac address='${vm.macAddress}'/><model type='virtio'/></interface>
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

    const deadline = Date.now() + (o.timeoutSec ?? 900) * 1000;
    while (!o.readyProbe()) {
      if (Date.now() > deadline) throw new Error(`baseline lab not ready after ${o.timeoutSec ?? 900}s; consoles in ${logs}/baseline-*.log`);
      await new Promise((r) => setTimeout(r, 300));
    }
    return { readySec: (Date.now() - start) / 1000 };
  } finally {
    for (const name of defined) spawnSync('virsh', ['-q', '-c', o.uri, 'destroy', name]);
    if (networkUp) spawnSync('virsh', ['-q', '-c', o.uri, 'net-destroy', netName]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
