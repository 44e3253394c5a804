import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { isLabVolume, labVolumeNamesText } from './derive';
import { labProblem, type LabProblem } from './problems';

/**
 * Where a lab's storage pool may live. The pool is a libvirt `dir` pool the lab creates and
 * destroys: libvirt builds it over whatever directory is there, lists every file in it as a
 * volume, and on `destroy` provider 0.8.3 deletes the pool (virStoragePoolDelete: `rmdir`, which
 * removes the directory when it is empty and fails, leaving everything in it, when it is not).
 * So the pool needs a directory of its own: never a system or shared directory of the host.
 */

/** Trees of the operating system, virtual filesystems and libvirt's own state: nothing of a lab belongs inside. */
const SYSTEM_TREES: readonly string[] = [
  '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/run', '/sbin', '/sys', '/usr', '/var/lib/libvirt',
];
/** Where labs go inside {@link SYSTEM_TREES}: a directory of their own under libvirt's image directory. */
const LAB_TREE = '/var/lib/libvirt/images';
/** Shared directories: a lab may make a directory of its own inside one, never take one over. */
const SHARED_DIRECTORIES: readonly string[] = [
  '/', '/home', '/lost+found', '/media', '/mnt', '/opt', '/root', '/snap', '/srv', '/tmp', '/var', '/var/backups', '/var/cache',
  '/var/lib', '/var/local', '/var/log', '/var/mail', '/var/opt', '/var/spool', '/var/tmp', LAB_TREE,
];

const inside = (path: string, tree: string) => path === tree || path.startsWith(tree === '/' ? '/' : `${tree}/`);

/** What a pool directory may be, for problems. */
export const POOL_DIRECTORY_ALLOWED =
  `a directory of the lab's own such as ${LAB_TREE}/<name>: not a shared directory (/, /home, /home/<user>, /mnt, /opt, /root, ` +
  `/srv, /tmp, /var, /var/lib, ${LAB_TREE}, ...) nor inside a system one (${SYSTEM_TREES.filter((t) => !t.startsWith('/lib')).join(', ')}, ...)`;

/** Why a pool must have a directory of its own, for problems. */
export const POOL_DIRECTORY_WHY =
  'libvirt lists every file in the pool directory as a volume of the lab, and destroy removes the directory';

/**
 * Why `path` (absolute and normalized) cannot be a pool directory, or undefined when it can:
 * it is a shared directory of the host, a user's home directory, or inside a system tree.
 */
export function systemDirectoryReason(path: string): string | undefined {
  if (SHARED_DIRECTORIES.includes(path)) return `${path} is a shared directory of the host`;
  if (/^\/home\/[^/]+$/.test(path)) return `${path} is a user's home directory`;
  if (inside(path, LAB_TREE)) return undefined;
  const tree = SYSTEM_TREES.find((t) => inside(path, t));
  if (!tree) return undefined;
  return path === tree ? `${path} is a system directory` : `${path} is inside ${tree}, a system directory`;
}

/** Rule id of a problem with the pool directory as it is on this machine. */
export const POOL_DIRECTORY_RULE = 'pool-directory';

/** What {@link validatePoolDirectory} reads of the machine: node:fs by default, a stand-in in the doctor's tests. */
export interface PoolDirectoryReader {
  /** Throws as fs.statSync does (`code` ENOENT when the path does not exist). */
  statSync(path: string): { isDirectory(): boolean };
  readdirSync(path: string): string[];
  realpathSync(path: string): string;
}

const NODE_FS: PoolDirectoryReader = {
  statSync: (path) => fs.statSync(path),
  readdirSync: (path) => fs.readdirSync(path),
  realpathSync: (path) => fs.realpathSync(path),
};

/** True when libvirt runs on this machine: a URI without a host (qemu:///system, qemu+unix:///system?socket=…) or localhost. */
export function isLocalLibvirt(uri: string): boolean {
  const authority = /^[^:]*:\/\/([^/?#]*)/.exec(uri)?.[1] ?? '';
  const host = authority.replace(/^.*@/, '').replace(/:\d*$/, '');
  return ['', 'localhost', '127.0.0.1', '[::1]'].includes(host);
}

/**
 * The pool directory as it is on this machine, for a lab whose config passed the rules: the app
 * checks it each time it synthesizes the stack, so before `cdktf deploy`, `diff` or `destroy`
 * changes anything. It must not exist yet, be empty, or hold only this lab's volumes (files
 * exactly as the lab names them: see isLabVolume); a symbolic link must not lead into a
 * system or shared directory. Nothing is checked for a remote libvirt: the directory is on its
 * host (the rules still refuse system paths, and destroy never deletes a file there: see docs/config.md).
 */
export function validatePoolDirectory(
  lab: { readonly name: string; readonly libvirtUri: string; readonly storagePoolPath: string },
  files: PoolDirectoryReader = NODE_FS,
): LabProblem[] {
  if (!isLocalLibvirt(lab.libvirtUri)) return [];
  const dir = lab.storagePoolPath;
  const problem = (allowed: string, why: string) => [labProblem(POOL_DIRECTORY_RULE, 'storagePoolPath', dir, allowed, why)];

  const real = realPath(dir, files);
  const reason = real === dir ? undefined : systemDirectoryReason(real);
  if (reason) return problem(POOL_DIRECTORY_ALLOWED, `it leads to ${real} through a symbolic link, and ${reason}; ${POOL_DIRECTORY_WHY}`);

  let entries: string[];
  try {
    if (!files.statSync(dir).isDirectory()) return problem('a directory, or a path that does not exist yet', 'it is a file');
    entries = files.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // libvirt creates it
    return problem('a directory this user can read', (error as Error).message);
  }
  const foreign = entries.filter((entry) => !isLabVolume(lab.name, entry)).sort();
  if (foreign.length === 0) return [];
  const shown = foreign.length > 5 ? `${foreign.slice(0, 5).join(', ')} and ${foreign.length - 5} more` : foreign.join(', ');
  return problem(
    `a directory that does not exist yet, is empty, or holds only this lab's volumes (${labVolumeNamesText(lab.name)})`,
    `it holds ${shown}, which this lab did not create: libvirt would list them as volumes of the lab's pool, and destroy, ` +
      'which removes the pool directory, would stop at them; move them out, or choose another storagePoolPath',
  );
}

/** `dir` with the symbolic links of its deepest existing ancestor resolved (the rest does not exist yet). */
function realPath(dir: string, files: PoolDirectoryReader): string {
  const rest: string[] = [];
  for (let existing = dir; ; existing = nodePath.dirname(existing)) {
    try {
      return nodePath.join(files.realpathSync(existing), ...rest);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || existing === '/') return dir;
      rest.unshift(nodePath.basename(existing));
    }
  }
}
