import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, LocalBackend } from '../../constructs/engine';
import { LvsDrLabStack, type LvsDrClusterProps } from '../../constructs';
import { LibvirtSandbox } from '../helpers/libvirtd';
import { terraform } from '../helpers/terraform';
import { requireTool } from '../helpers/tools';

/*
 * The lab's pool and base image applied for real: the synthesized stack, terraform and the pinned
 * provider against a libvirtd of the test's own in throwaway network namespaces (e2e/sandbox.sh).
 * Only the pool and the base volume are applied (`-target`): no network, no domain is created.
 */
const root = path.resolve(__dirname, '../..');
let sandbox: LibvirtSandbox;
beforeAll(() => {
  sandbox = LibvirtSandbox.up('pool');
}, 120_000);
afterAll(() => sandbox?.down());

/**
 * The synthesized stack of `lab` in a terraform working directory under the sandbox's run dir,
 * with its state there too (cdktf's default state file is in the project directory).
 */
function synthStack(lab: LvsDrClusterProps, dir: string): { stackDir: string; json: any } {
  const app = new App({ outdir: dir });
  const stack = new LvsDrLabStack(app, 'lvs-dr-lab', { lab });
  new LocalBackend(stack, { path: path.join(dir, 'terraform.tfstate') });
  app.synth();
  const stackDir = path.join(dir, 'stacks', 'lvs-dr-lab');
  return { stackDir, json: JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) };
}

/** `-target` of the base volume (and so of the pool it is in): the lab's storage, nothing else. */
function baseVolumeTarget(json: any): string {
  const [id] = Object.entries(json.resource.libvirt_volume as Record<string, { name: string }>).find(([, v]) => v.name.endsWith('-base.qcow2'))!;
  return `-target=libvirt_volume.${id}`;
}

/** The app (main.ts) as `cdktf deploy|diff|destroy` runs it first: synthesize the lab of `labFile` into `outdir`. */
function runApp(labFile: string, outdir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, LAB_CONFIG: labFile, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1' };
  delete env.LAB_CONSOLE_LOG_DIR;
  delete env.LAB_STATE_FILE;
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'main.ts'], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
}

function mustTerraform(stackDir: string, args: string[]): string {
  const r = terraform(stackDir, [...args, '-input=false', '-no-color']);
  if (r.status !== 0) throw new Error(`terraform ${args.join(' ')} failed (${r.status}):\n${r.output}`);
  return r.output;
}

/** A small real qcow2 image at `file`. */
function qcow2Image(file: string): void {
  const qemuImg = requireTool('qemu-img', 'qemu-utils');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const r = spawnSync(qemuImg, ['create', '-q', '-f', 'qcow2', file, '16M'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu-img create failed: ${r.stderr}`);
}

/** The text of `<target><path>` in a pool's XML, unescaped. */
function poolTargetPath(poolXml: string): string | undefined {
  const raw = /<target>\s*<path>([^<]*)<\/path>/.exec(poolXml)?.[1];
  return raw?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

describe('config text reaches libvirt verbatim (terraform apply, destroy)', () => {
  test('a pool path, an image path and a libvirt URI holding ${path.cwd} and %{if} are created exactly as written', () => {
    // GIVEN a lab whose pool path and image path hold terraform template sequences, and a libvirt
    // URI whose socket is reached through a directory named `${path.cwd}` (a link to the real one;
    // `%{` cannot be in a URI: it is an invalid percent-escape)
    const work = path.join(sandbox.runDir, 'literal');
    const poolPath = path.join(work, 'pools', '${path.cwd}', '%{if}', '%{ if true }on%{ endif }');
    const imagePath = path.join(work, 'images', '${file("/etc/hostname")}', '%{if}.qcow2');
    qcow2Image(imagePath);
    const socketDir = path.join(work, '${path.cwd}');
    fs.symlinkSync(path.join(sandbox.runDir, 'libvirt', 'run'), socketDir);
    const lab: LvsDrClusterProps = {
      name: 'lit',
      libvirtUri: `qemu+unix:///system?socket=${socketDir}/libvirt-sock`,
      domainType: 'qemu',
      storagePoolPath: poolPath,
      image: { source: imagePath },
    };
    const { stackDir, json } = synthStack(lab, path.join(work, 'out'));

    // WHEN terraform applies the pool and the base volume
    mustTerraform(stackDir, ['init']);
    mustTerraform(stackDir, ['apply', '-auto-approve', baseVolumeTarget(json)]);

    // THEN libvirt holds the pool at exactly that path, the directory exists there, and the base
    // volume was copied from exactly that image (the apply itself went through the URI as written)
    expect(poolTargetPath(sandbox.virsh(['pool-dumpxml', 'lit-pool']).stdout)).toBe(poolPath);
    expect(fs.statSync(poolPath).isDirectory()).toBe(true);
    expect(sandbox.virsh(['vol-path', '--pool', 'lit-pool', 'lit-base.qcow2']).stdout.trim()).toBe(path.join(poolPath, 'lit-base.qcow2'));
    expect(fs.readFileSync(path.join(poolPath, 'lit-base.qcow2'))).toEqual(fs.readFileSync(imagePath));

    // WHEN destroyed THEN the pool and its directory are gone
    mustTerraform(stackDir, ['destroy', '-auto-approve']);
    expect(sandbox.virsh(['pool-list', '--all', '--name']).stdout.split('\n')).not.toContain('lit-pool');
    expect(fs.existsSync(poolPath)).toBe(false);
  });
});

describe('destroy never deletes a file the lab did not create (terraform apply, destroy)', () => {
  test('a stray file in the pool directory stops the app before anything is destroyed; terraform destroy alone stops at the directory; the file survives either way', () => {
    // GIVEN the pool and base image of a deployed lab
    const work = path.join(sandbox.runDir, 'stray');
    const poolPath = path.join(work, 'pool');
    const imagePath = path.join(work, 'debian.qcow2');
    qcow2Image(imagePath);
    const lab: LvsDrClusterProps = { name: 'stray', libvirtUri: sandbox.uri, domainType: 'qemu', storagePoolPath: poolPath, image: { source: imagePath } };
    const labFile = path.join(work, 'lab.json');
    fs.writeFileSync(labFile, JSON.stringify(lab));
    const { stackDir, json } = synthStack(lab, path.join(work, 'out'));
    mustTerraform(stackDir, ['init']);
    mustTerraform(stackDir, ['apply', '-auto-approve', baseVolumeTarget(json)]);
    expect(fs.readdirSync(poolPath)).toEqual(['stray-base.qcow2']);

    // WHEN a file of the user's is put into the pool directory
    const notes = path.join(poolPath, 'notes.txt');
    fs.writeFileSync(notes, 'mine');

    // THEN the app refuses to synthesize (cdktf destroy synthesizes first), naming the file: nothing is destroyed
    const destroyViaApp = runApp(labFile, path.join(work, 'out-destroy'));
    expect(destroyViaApp.status).toBe(1);
    expect(destroyViaApp.stderr).toContain(`storagePoolPath: got "${poolPath}"`);
    expect(destroyViaApp.stderr).toContain('it holds notes.txt, which this lab did not create');
    expect(fs.readdirSync(poolPath).sort()).toEqual(['notes.txt', 'stray-base.qcow2']);

    // WHEN terraform destroys on its own (a remote libvirt is not checked, a file may appear after the synth)
    const destroy = terraform(stackDir, ['destroy', '-auto-approve', '-input=false', '-no-color']);

    // THEN it removes the lab's volume, stops at the directory with libvirt's reason, and the file survives
    expect(destroy.status).not.toBe(0);
    expect(destroy.output).toContain(`error deleting storage pool: failed to remove pool '${poolPath}': Directory not empty`);
    expect(fs.readdirSync(poolPath)).toEqual(['notes.txt']);
    expect(fs.readFileSync(notes, 'utf8')).toBe('mine');

    // WHEN the user moves the file out and destroys again THEN the pool and its directory are gone, the file is kept
    fs.renameSync(notes, path.join(work, 'notes.txt'));
    mustTerraform(stackDir, ['destroy', '-auto-approve']);
    expect(sandbox.virsh(['pool-list', '--all', '--name']).stdout.split('\n')).not.toContain('stray-pool');
    expect(fs.existsSync(poolPath)).toBe(false);
    expect(fs.readFileSync(path.join(work, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
