import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Construct } from 'constructs';
import { App, AssetType, TerraformAsset } from './engine';
import { renderMetaData } from '../cloud-init/meta-data';
import { noCloudSeedFiles, renderSeedIso } from '../cloud-init/seed-iso';
import { vmVolumeNames } from '../lab';

/** A VM's NoCloud seed, rendered: what `LabVm` uploads as its `cidata` volume. */
export interface VmSeed {
  /** cloud-init instance-id: `<domain>-<12 hex>`, changing whenever user-data or network-config does. */
  readonly instanceId: string;
  /** The seed volume's (and file's) name, `<domain>-cidata.iso`. */
  readonly fileName: string;
  /** The ISO 9660 image holding user-data, meta-data and network-config. */
  readonly iso: Buffer;
}

/** What a VM's seed is rendered from. */
export interface VmSeedProps {
  /** The libvirt domain name (the seed volume is named after it). */
  readonly domainName: string;
  /** Guest hostname. */
  readonly hostname: string;
  readonly userData: string;
  readonly networkConfig: string;
}

/** Renders a VM's NoCloud seed: meta-data with an instance-id from the content, and the ISO. A pure function. */
export function renderVmSeed(props: VmSeedProps): VmSeed {
  const digest = createHash('sha256').update(props.userData).update('\0').update(props.networkConfig).digest('hex');
  const instanceId = `${props.domainName}-${digest.slice(0, 12)}`;
  const iso = renderSeedIso(
    noCloudSeedFiles({
      userData: props.userData,
      metaData: renderMetaData({ instanceId, hostname: props.hostname }),
      networkConfig: props.networkConfig,
    }),
  );
  return { instanceId, fileName: vmVolumeNames(props.domainName).seed, iso };
}

/**
 * A rendered seed as a cdktf asset: written into the app's output directory, which the synth
 * owns, at `<outdir>/seeds/<scope's address>/<file>`. cloud-init runs the seed's user-data as root
 * and it holds the VRRP password, so it is written afresh on every synth (never reused), into a
 * directory of mode 0700 that must be this user's own, as a file of mode 0600. cdktf's copy into
 * the stack directory keeps that mode; terraform, running as the same user, reads it to upload
 * the volume.
 */
export class SeedAsset extends TerraformAsset {
  constructor(scope: Construct, id: string, seed: VmSeed) {
    super(scope, id, { path: writeSeedFile(scope, seed.fileName, seed.iso), type: AssetType.FILE });
  }
}

function writeSeedFile(scope: Construct, fileName: string, content: Buffer): string {
  const seeds = path.join(App.of(scope).outdir, 'seeds');
  fs.mkdirSync(seeds, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(seeds);
  if (!stat.isDirectory() || (process.getuid !== undefined && stat.uid !== process.getuid())) {
    throw new Error(`${seeds}: expected a directory of this user's, not a symlink or another user's (it would receive every VM's seed)`);
  }
  fs.chmodSync(seeds, 0o700);
  // One directory per VM, emptied first: a seed file is always the one rendered just now.
  const dir = path.join(seeds, scope.node.addr);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { mode: 0o700 });
  const file = path.join(dir, fileName);
  fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
  return file;
}
