import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type TerraformStack } from 'cdktf';
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

/** Reads one file out of an ISO's Joliet tree with the real `isoinfo` (genisoimage). */
export function isoFile(iso: string, name: string): string {
  const isoinfo = requireTool('isoinfo', 'genisoimage');
  const r = spawnSync(isoinfo, ['-J', '-i', iso, '-x', `/${name}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`isoinfo -x /${name} ${iso}: ${r.stderr}`);
  return r.stdout;
}

/** The file names of an ISO's Joliet tree (`isoinfo -J -f`). */
export function isoJolietNames(iso: string): string[] {
  const isoinfo = requireTool('isoinfo', 'genisoimage');
  const r = spawnSync(isoinfo, ['-J', '-f', '-i', iso], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`isoinfo -J -f ${iso}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((n) => n.replace(/^\//, '')).sort();
}

/** user-data, meta-data and network-config of a domain's seed, read from the ISO on disk. */
export function seedFiles(stack: SynthesizedStack, domainName: string): { userData: string; metaData: string; networkConfig: string } {
  const iso = seedIsoPath(stack, domainName);
  return { userData: isoFile(iso, 'user-data'), metaData: isoFile(iso, 'meta-data'), networkConfig: isoFile(iso, 'network-config') };
}
