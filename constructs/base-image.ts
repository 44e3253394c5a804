import { Construct } from 'constructs';
import { Pool } from '../.gen/providers/libvirt/pool';
import { Volume } from '../.gen/providers/libvirt/volume';

export interface BaseImageProps {
  /** Name of the storage pool the lab creates. */
  readonly poolName: string;
  /** Directory backing the pool. */
  readonly poolPath: string;
  /** Name of the base volume inside the pool. */
  readonly volumeName: string;
  /** URL or local path of a qcow2 cloud image. */
  readonly source: string;
}

/**
 * A directory pool holding one base volume that every VM's disk is a copy-on-write layer of,
 * so the image is downloaded (or copied) once per lab.
 */
export class BaseImage extends Construct {
  public readonly pool: Pool;
  public readonly volume: Volume;

  constructor(scope: Construct, id: string, props: BaseImageProps) {
    super(scope, id);
    this.pool = new Pool(this, 'pool', {
      name: props.poolName,
      type: 'dir',
      target: { path: props.poolPath },
    });
    this.volume = new Volume(this, 'volume', {
      name: props.volumeName,
      pool: this.pool.name,
      source: props.source,
      format: 'qcow2',
    });
  }
}
