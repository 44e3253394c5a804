import { Construct } from 'constructs';
import { Pool } from '../.gen/providers/libvirt/pool';
import { Volume } from '../.gen/providers/libvirt/volume';
import { terraformLiteral } from './terraform-literal';

export interface BaseImageProps {
  /** Name of the storage pool the lab creates. */
  readonly poolName: string;
  /** Directory backing the pool. */
  readonly poolPath: string;
  /** Name of the base volume inside the pool. */
  readonly volumeName: string;
  /** An http(s) URL or an absolute local path of a qcow2 cloud image. */
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
    // Names, the path and the source are data: literals to terraform, never templates.
    this.pool = new Pool(this, 'pool', {
      name: terraformLiteral(props.poolName),
      type: 'dir',
      target: { path: terraformLiteral(props.poolPath) },
    });
    this.volume = new Volume(this, 'volume', {
      name: terraformLiteral(props.volumeName),
      pool: this.pool.name,
      source: terraformLiteral(providerImageSource(props.source)),
      format: 'qcow2',
    });
  }
}

/**
 * `source` as the provider reads it. Provider 0.8.3 parses even a plain path as a URL and opens
 * the URL's path: in a file name, `%XX` would be decoded, any other `%` is an error, and `?` or
 * `#` would cut the name short. A path holding one of those goes as a file:// URL whose path
 * decodes back to exactly the file name; any other path goes unchanged (`source` forces a new
 * base volume, so a deployed lab must see the same string).
 */
function providerImageSource(source: string): string {
  if (!source.startsWith('/') || !/[%?#]/.test(source)) return source;
  return `file://${source.split('/').map(encodeURIComponent).join('/')}`;
}
