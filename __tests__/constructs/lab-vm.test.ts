import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LibvirtProvider } from '../../.gen/providers/libvirt/provider';
import { noCloudSeedFiles, renderMetaData, renderSeedIso } from '../../cloud-init';
import { LabVm } from '../../constructs';
import { App, TerraformStack } from '../../constructs/engine';
import { labVmFixture } from '../helpers/lab-fixtures';

/*
 * Where LabVm writes a VM's NoCloud seed (its user-data runs as root at first boot and holds the
 * VRRP password): only inside the app's output directory, afresh on every synth, readable by
 * the user alone. Older versions cached seeds by content hash in the shared temporary directory,
 * reused whatever file they found there and followed a symlinked folder.
 */
const userData = '#cloud-config\nhostname: vm-1\nwrite_files:\n  - { path: /etc/keepalived/secret, content: "auth_pass s3cret", permissions: "0600" }\n';
const networkConfig = 'version: 2\n';
const planted = renderSeedIso(noCloudSeedFiles({ userData: '#cloud-config\nruncmd: [touch /planted]\n', metaData: 'instance-id: x\n' }));

/** Every file under a directory (symlinks not followed), relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => !fs.lstatSync(path.join(dir, f)).isDirectory()).sort();
}

describe('LabVm seeds', () => {
  let work: string;
  let tmp: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-vm-'));
    // A private temporary directory (the shared one is in use): it shows whatever the synth
    // leaves there, and planting in it endangers no one. (Setting TMPDIR would not do: jest's
    // process.env is a copy that os.tmpdir() does not read.)
    tmp = path.join(work, 'tmp');
    fs.mkdirSync(tmp);
    jest.spyOn(os, 'tmpdir').mockReturnValue(tmp);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** Synthesizes one VM into a fresh outdir; returns the ISO its seed volume uploads and what it must hold. */
  function synthVm(outdirName: string) {
    const outdir = path.join(work, outdirName);
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'seeds');
    new LibvirtProvider(stack, 'libvirt', { uri: 'qemu:///system' });
    const vm = new LabVm(stack, 'vm-1', labVmFixture('seedlab-vm-1', {}, { userData, networkConfig }));
    app.synth();
    const stackDir = path.join(outdir, 'stacks', 'seeds');
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
    const seed = Object.values(json.resource.libvirt_volume as Record<string, { name: string; source?: string }>).find((v) => v.name === 'seedlab-vm-1-cidata.iso')!;
    const rendered = renderSeedIso(noCloudSeedFiles({ userData, metaData: renderMetaData({ instanceId: vm.instanceId, hostname: 'seedlab-vm-1' }), networkConfig }));
    return { outdir, shipped: path.resolve(stackDir, seed.source!), rendered };
  }

  /** Where older versions cached this seed: os.tmpdir()/lvs-dr-lab-seeds/<sha256 of the ISO, 20 hex>/<file>. */
  const oldCacheDir = (iso: Buffer) => path.join(tmp, 'lvs-dr-lab-seeds', createHash('sha256').update(iso).digest('hex').slice(0, 20));

  test('ships exactly the rendered seed and leaves nothing in the temporary directory', () => {
    const { shipped, rendered } = synthVm('out');
    expect(fs.readFileSync(shipped).equals(rendered)).toBe(true);
    expect(filesUnder(tmp)).toEqual([]);
  });

  test('never ships a file planted where older versions cached seeds', () => {
    // GIVEN another user's file at the old cache path of this very seed
    const first = synthVm('out-1');
    const dir = oldCacheDir(first.rendered);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'seedlab-vm-1-cidata.iso'), planted);

    // WHEN the lab is synthesized again
    const second = synthVm('out-2');

    // THEN the seed shipped is the rendered one, not the planted one
    expect(fs.readFileSync(second.shipped).equals(second.rendered)).toBe(true);
  });

  test('never follows a symlinked seed folder in the temporary directory', () => {
    // GIVEN the old cache folder as a symlink to a directory another user controls, holding this seed's path
    const { rendered } = synthVm('out-1');
    const elsewhere = path.join(work, 'elsewhere');
    const target = path.join(elsewhere, path.basename(oldCacheDir(rendered)));
    fs.mkdirSync(target, { recursive: true });
    fs.writeFileSync(path.join(target, 'seedlab-vm-1-cidata.iso'), planted);
    fs.rmSync(path.join(tmp, 'lvs-dr-lab-seeds'), { recursive: true, force: true });
    fs.symlinkSync(elsewhere, path.join(tmp, 'lvs-dr-lab-seeds'));

    // WHEN synthesized
    const { shipped } = synthVm('out-2');

    // THEN neither read nor written through the link
    expect(fs.readFileSync(shipped).equals(rendered)).toBe(true);
    expect(filesUnder(elsewhere)).toEqual([path.join(path.basename(target), 'seedlab-vm-1-cidata.iso')]);
  });

  test('seed files are 0600 and the directories the synth makes for them 0700, inside the outdir', () => {
    const { outdir, shipped } = synthVm('out');
    const isos = filesUnder(outdir).filter((f) => f.endsWith('.iso'));
    expect(isos.length).toBeGreaterThanOrEqual(1);
    expect(isos).toContain(path.relative(outdir, shipped));
    for (const iso of isos) expect([iso, (fs.statSync(path.join(outdir, iso)).mode & 0o777).toString(8)]).toEqual([iso, '600']);
    const seedDirs = [path.join(outdir, 'seeds'), ...fs.readdirSync(path.join(outdir, 'seeds')).map((d) => path.join(outdir, 'seeds', d))];
    for (const dir of seedDirs) expect([dir, (fs.lstatSync(dir).mode & 0o777).toString(8)]).toEqual([dir, '700']);
  });

  test('fails when the seed directory in the outdir is a symlink, naming it', () => {
    const outdir = path.join(work, 'out');
    fs.mkdirSync(outdir);
    fs.mkdirSync(path.join(work, 'elsewhere'));
    fs.symlinkSync(path.join(work, 'elsewhere'), path.join(outdir, 'seeds'));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'seeds');
    expect(() => new LabVm(stack, 'vm-1', labVmFixture('seedlab-vm-1', {}, { userData, networkConfig }))).toThrow(`${path.join(outdir, 'seeds')}: expected a directory of this user's, not a symlink`);
    expect(filesUnder(path.join(work, 'elsewhere'))).toEqual([]);
  });
});
