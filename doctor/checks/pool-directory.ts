import * as nodePath from 'node:path';
import { isLocalLibvirt, validatePoolDirectory } from '../../lab/pool-directory';
import type { DoctorHost, FileStat } from '../host';
import { fail, isSystemUri, pass, type DoctorCheck, type LabContext } from '../check';

/** The user the system libvirt runs VMs as when qemu.conf names none (Debian's build). */
export const DEFAULT_QEMU_USER = 'libvirt-qemu';
const QEMU_CONF = '/etc/libvirt/qemu.conf';

/**
 * The storage pool directory: what the app checks at synth (validatePoolDirectory: not a system
 * directory, nothing in it the lab did not create), and whether libvirt can use it. The system
 * libvirt creates it as root but starts each VM as its qemu user, which must be able to enter
 * every directory on the way to the disks (a pool under a 0700 home fails at the first domain
 * start: "Permission denied"); a session libvirt creates it as this user.
 */
export const poolDirectoryCheck: DoctorCheck<LabContext> = {
  id: 'pool-directory',
  run: ({ host, lab }) => {
    const dir = lab.storagePoolPath;
    if (!isLocalLibvirt(lab.libvirtUri)) return pass('pool-directory', `not checked: ${dir} is on the libvirt host (${lab.libvirtUri})`);
    const problems = validatePoolDirectory(lab, host).map((p) => p.message);
    const ancestors = existingAncestors(host, dir);
    const deepest = ancestors[ancestors.length - 1];
    const exists = deepest?.path === dir;
    if (isSystemUri(lab.libvirtUri)) {
      const qemu = qemuUser(host);
      const blocked = qemu && ancestors.find((a) => !searchable(a.stat, qemu.uid, qemu.gids));
      if (qemu && blocked) {
        problems.push(
          `libvirt starts the VMs as ${qemu.name}, which cannot enter ${blocked.path} (mode ${blocked.stat.mode.toString(8).padStart(4, '0')}, ` +
            `owner uid ${blocked.stat.uid}): the first domain would fail to open its disk (Permission denied)`,
        );
      }
    } else if (deepest && !host.canAccess(deepest.path, 'write-search')) {
      problems.push(`${lab.libvirtUri} runs libvirt as this user, which cannot ${exists ? 'write to' : 'create'} ${exists ? dir : `${dir} in ${deepest.path}`}`);
    }
    if (problems.length > 0) {
      const example = isSystemUri(lab.libvirtUri) ? `the default /var/lib/libvirt/images/${lab.name}` : `~/.local/share/libvirt/images/${lab.name}`;
      return fail('pool-directory', problems.join('; '),
        `choose a storagePoolPath of the lab's own that libvirt can use, such as ${example}; ` +
          'or move out what the lab did not create, or give the qemu user search permission (`chmod o+x <directory>`)');
    }
    return pass('pool-directory', exists ? `${dir} exists and holds nothing but this lab's volumes` : `${dir} does not exist yet: libvirt creates it`);
  },
};

/** `/`, then every existing directory on the way to `dir` (and `dir` itself when it exists), with what stat says. */
function existingAncestors(host: DoctorHost, dir: string): { path: string; stat: FileStat }[] {
  const parts = dir.split('/').filter(Boolean);
  const found: { path: string; stat: FileStat }[] = [];
  for (let i = 0; i <= parts.length; i++) {
    const path = `/${parts.slice(0, i).join('/')}`;
    const stat = host.stat(path);
    if (!stat || stat.kind !== 'directory') break;
    found.push({ path: nodePath.normalize(path), stat });
  }
  return found;
}

/** The system libvirt's qemu user (qemu.conf `user = "…"`, else Debian's default) with its groups; undefined when it does not exist here. */
function qemuUser(host: DoctorHost): { name: string; uid: number; gids: number[] } | undefined {
  let name = DEFAULT_QEMU_USER;
  try {
    name = /^\s*user\s*=\s*"([^"]+)"/m.exec(host.readFile(QEMU_CONF))?.[1] ?? DEFAULT_QEMU_USER;
  } catch {
    // qemu.conf is root's alone on Debian: a user's doctor reads the default.
  }
  if (name === 'root') return { name, uid: 0, gids: [0] };
  if (/^\+\d+$/.test(name)) return { name, uid: Number(name.slice(1)), gids: [] };
  const uid = host.run('id', ['-u', name]);
  const gids = host.run('id', ['-G', name]);
  if (uid.status !== 0 || gids.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout.trim()), gids: gids.stdout.trim().split(/\s+/).map(Number) };
}

/** Whether a user with these ids may enter a directory (root may enter any). */
function searchable(stat: FileStat, uid: number, gids: readonly number[]): boolean {
  if (uid === 0) return true;
  if (stat.uid === uid) return (stat.mode & 0o100) !== 0;
  if (gids.includes(stat.gid)) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}
