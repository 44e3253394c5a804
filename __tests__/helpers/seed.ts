import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { networkConfig } from '../../cloud-init/network-config';
import { directorCloudConfig, realServerCloudConfig } from '../../cloud-init/user-data';
import { App, type TerraformStack } from '../../constructs/engine';
import { directorUserDataModel, realServerUserDataModel, staticInterface, type ResolvedLab } from '../../lab';
import type { RenderedYaml } from './round-trip';
import { requireTool } from './tools';

export interface SynthesizedStack {
  /** cdktf.out/stacks/<stack>: terraform's working directory, assets included. */
  readonly dir: string;
  readonly json: { resource: Record<string, Record<string, Record<string, any>>>; [key: string]: any };
  /** Removes the output directory. */
  dispose(): void;
}

/** Synthesizes a stack the way `cdktf synth` does, assets copied, into a temporary outdir. */
export function synthToDisk(build: (app: App) => TerraformStack): SynthesizedStack {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-synth-'));
  const app = new App({ outdir });
  const stack = build(app);
  app.synth();
  const dir = path.join(outdir, 'stacks', stack.node.id);
  return {
    dir,
    json: JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')),
    dispose: () => fs.rmSync(outdir, { recursive: true, force: true }),
  };
}

/** The seed volume of a domain, by the name LabVm gives it. */
export function seedVolume(stack: SynthesizedStack, domainName: string): Record<string, any> {
  const volume = Object.values(stack.json.resource.libvirt_volume ?? {}).find((v) => v.name === `${domainName}-cidata.iso`);
  if (!volume) throw new Error(`no seed volume ${domainName}-cidata.iso in the stack`);
  return volume;
}

/** The ISO file a seed volume uploads (its `source`, relative to the stack directory). */
export function seedIsoPath(stack: SynthesizedStack, domainName: string): string {
  return path.resolve(stack.dir, seedVolume(stack, domainName).source);
}

/** Runs the real `isoinfo` (genisoimage) on an ISO; throws with its stderr on failure. */
function isoinfo(iso: string, args: string[]): string {
  const r = spawnSync(requireTool('isoinfo', 'genisoimage'), ['-i', iso, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`isoinfo ${args.join(' ')} ${iso}: ${r.stderr}`);
  return r.stdout;
}

/** Reads one file out of an ISO's Joliet tree. */
export function isoFile(iso: string, name: string): string {
  return isoinfo(iso, ['-J', '-x', `/${name}`]);
}

/** The file names of an ISO's Joliet tree (`isoinfo -J -f`). */
export function isoJolietNames(iso: string): string[] {
  return isoinfo(iso, ['-J', '-f']).split('\n').filter(Boolean).map((n) => n.replace(/^\//, '')).sort();
}

/** user-data, meta-data and network-config of a domain's seed, read from the ISO on disk. */
export function seedFiles(stack: SynthesizedStack, domainName: string): { userData: string; metaData: string; networkConfig: string } {
  const iso = seedIsoPath(stack, domainName);
  return { userData: isoFile(iso, 'user-data'), metaData: isoFile(iso, 'meta-data'), networkConfig: isoFile(iso, 'network-config') };
}

/** Every VM's seed user-data and network-config, read from its ISO, each with the object it must mean to cloud-init. */
export function seedDocuments(stack: SynthesizedStack, lab: ResolvedLab): RenderedYaml[] {
  const vms = [
    ...lab.directors.map((vm) => ({ vm, config: directorCloudConfig(directorUserDataModel(lab, vm)) })),
    ...lab.realServers.map((vm) => ({ vm, config: realServerCloudConfig(realServerUserDataModel(lab, vm)) })),
  ];
  return vms.flatMap(({ vm, config }) => {
    const seed = seedFiles(stack, vm.domainName);
    return [
      { label: `${vm.domainName} seed user-data`, text: seed.userData, object: config },
      { label: `${vm.domainName} seed network-config`, text: seed.networkConfig, object: networkConfig(staticInterface(lab, vm)) },
    ];
  });
}
