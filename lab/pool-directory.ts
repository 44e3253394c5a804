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
