import * as nodePath from 'node:path';
import { isLocalLibvirt, validatePoolDirectory } from '../../lab/pool-directory';
import type { DoctorHost, FileStat } from '../host';
import { fail, isSystemUri, pass, type DoctorCheck, type LabContext } from '../check';
import { virshDacLabel } from '../parse';

/** The user the system libvirt runs VMs as when qemu.conf names none (Debian's build). */
export const DEFAULT_QEMU_USER = 'libvirt-qemu';
const QEMU_CONF = '/etc/libvirt/qemu.conf';

/**
 * The storage pool directory: what the app checks at synth (validatePoolDirectory: not a system
 * directory, nothing in it the lab did not create), and whether libvirt can use it. The system
 * libvirt creates it as root but starts each VM as its qemu user, which must be able to enter
 * every directory on the way to the disks (a pool under a 0700 home fails at the first domain
 * start: "Permission denied"); a session libvirt creates it as this user. The fix names the
 * directory that blocks the way, and the user.
 */
export const poolDirectoryCheck: DoctorCheck<LabContext> = {
  id: 'pool-directory',
  run: ({ host, lab }) => {
    const dir = lab.storagePoolPath;
    if (!isLocalLibvirt(lab.libvirtUri)) return pass('pool-directory', `not checked: ${dir} is on the libvirt host (${lab.libvirtUri})`);
    const system = isSystemUri(lab.libvirtUri);
    const elsewhere = `choose a storagePoolPath of the lab's own that libvirt can use, such as ${
      system ? `the default /var/lib/libvirt/images/${lab.name}` : `~/.local/share/libvirt/images/${lab.name}`}`;
    const problems: string[] = [];
    const fixes: string[] = [];
    const rule = validatePoolDirectory(lab, host).map((p) => p.message);
    if (rule.length > 0) {
      problems.push(...rule);
      fixes.push(`move out what the lab did not create, or ${elsewhere}`);
    }
    const ancestors = existingAncestors(host, dir);
    const deepest = ancestors[ancestors.length - 1];
    const exists = deepest?.path === dir;
    if (system) {
      const qemu = qemuUser(host, lab);
      const blocked = qemu && ancestors.find((a) => !searchable(a.stat, qemu.uid, qemu.gids));
      if (qemu && blocked) {
        const nameless = qemu.name === `+${qemu.uid}`;
        const user = nameless ? `uid ${qemu.uid}` : qemu.name;
        const who = nameless ? user : `${user} (uid ${qemu.uid})`;
        problems.push(
          `libvirt starts the VMs as ${who}, which cannot enter ${blocked.path} (mode ${blocked.stat.mode.toString(8).padStart(4, '0')}, ` +
            `owner uid ${blocked.stat.uid}): the first domain would fail to open its disk (Permission denied)`,
        );
        fixes.push(`let ${user} enter it: \`chmod o+x ${blocked.path}\` (or only that user: \`setfacl -m u:${qemu.uid}:x ${blocked.path}\`), or ${elsewhere}`);
      }
    } else if (deepest && !host.canAccess(deepest.path, 'write-search')) {
      problems.push(`${lab.libvirtUri} runs libvirt as this user, which cannot ${exists ? 'write to' : 'create'} ${exists ? dir : `${dir} in ${deepest.path}`}`);
      fixes.push(elsewhere);
    }
    if (problems.length > 0) return fail('pool-directory', problems.join('; '), fixes.join('; '));
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

/** A user libvirt starts VMs as, with the groups it has there. */
interface QemuUser {
  /** The user's name, or `+<uid>` for a uid without one on this machine. */
  readonly name: string;
  readonly uid: number;
  readonly gids: readonly number[];
}

/**
 * The user the system libvirt starts the VMs as, with its groups. Asked of the libvirtd itself
 * first (`virsh capabilities`: its DAC base label): its qemu.conf need not be this machine's
 * /etc/libvirt/qemu.conf (a libvirtd in a container or a mount namespace of its own, reached
 * by `?socket=`), and Debian's qemu.conf is root's alone. When libvirtd does not answer (the
 * libvirt check says so), qemu.conf's `user = "…"`, else Debian's default. Undefined when
 * that user does not exist here.
 */
function qemuUser(host: DoctorHost, lab: LabContext['lab']): QemuUser | undefined {
  const caps = host.run('virsh', ['-c', lab.libvirtUri, 'capabilities']);
  const label = caps.status === 0 ? virshDacLabel(caps.stdout, lab.domainType) : undefined;
  if (label) {
    if (label.uid === 0) return { name: 'root', uid: 0, gids: [0] };
    const name = host.run('id', ['-nu', String(label.uid)]);
    const groups = host.run('id', ['-G', String(label.uid)]);
    if (name.status !== 0 || groups.status !== 0) return { name: `+${label.uid}`, uid: label.uid, gids: [label.gid] };
    // qemu runs with the label's group and the user's supplementary groups (libvirt's virGetGroupList)
    const gids = [label.gid, ...groups.stdout.trim().split(/\s+/).map(Number)];
    return { name: name.stdout.trim(), uid: label.uid, gids: [...new Set(gids)] };
  }
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
