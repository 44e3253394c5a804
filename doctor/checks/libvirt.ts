import { isLocalLibvirt } from '../../lab/pool-directory';
import { fail, isSystemUri, pass, whyFailed, type DoctorCheck, type LabContext } from '../check';
import type { DoctorHost } from '../host';
import { virshHypervisor } from '../parse';

/** Where the system libvirtd listens unless its libvirtd.conf says otherwise (/var/run is a link to /run). */
const DEFAULT_SOCKETS: readonly string[] = ['/run/libvirt/libvirt-sock', '/var/run/libvirt/libvirt-sock'];

/**
 * `libvirtUri` answers (`virsh -c URI version`): the provider connects there first, and a URI
 * that does not answer stops a deploy in terraform's plan with a provider trace.
 */
export const libvirtCheck: DoctorCheck<LabContext> = {
  id: 'libvirt',
  run: ({ host, lab }) => {
    const uri = lab.libvirtUri;
    const r = host.run('virsh', ['-c', uri, 'version']);
    if (r.error === 'ENOENT') {
      return fail('libvirt', 'virsh is not installed, so libvirt cannot be asked whether it answers', 'apt-get install libvirt-clients (and libvirtd itself: libvirt-daemon-system)');
    }
    if (r.status === 0) return pass('libvirt', `${uri} answers (${virshHypervisor(r.stdout)})`);
    const why = whyFailed(r);
    return fail('libvirt', `libvirt at ${uri} does not answer: ${why}`, libvirtFix(host, uri, why, r.error));
  },
};

function libvirtFix(host: DoctorHost, uri: string, why: string, error: string | undefined): string {
  if (!isLocalLibvirt(uri)) {
    return `check that libvirtd runs on that host and that this user may connect (qemu+ssh: key login to the host); try \`virsh -c '${uri}' version\``;
  }
  // sd_booted(3): systemd runs this machine when /run/systemd/system is a directory; a container or
  // a host without it has systemctl installed but refusing ("System has not been booted with systemd").
  const systemd = host.stat('/run/systemd/system')?.kind === 'directory';
  const start = systemd ? '`sudo systemctl enable --now libvirtd`' : '`sudo virtlogd -d && sudo libvirtd -d`';
  const noSystemd = systemd ? '' : 'this machine runs no systemd';
  if (error === 'ETIMEDOUT') {
    return systemd
      ? 'libvirtd does not answer: restart it (`sudo systemctl restart libvirtd`); `journalctl -u libvirtd` says why it hangs'
      : 'libvirtd does not answer: stop it (`sudo kill $(cat /run/libvirtd.pid)`) and start it again (`sudo libvirtd -d`); its log (libvirtd.conf log_outputs) says why it hung';
  }
  if (/permission denied|authentication (failed|unavailable)|access denied|not authorized/i.test(why) && isSystemUri(uri)) {
    const who = host.env.USER || host.env.LOGNAME || '$USER';
    return `let this user manage the system libvirt: \`sudo usermod -aG libvirt ${who}\`, then log in again (or \`newgrp libvirt\`); or run as root`;
  }
  if (/no such file or directory|connection refused|failed to connect socket/i.test(why) && isSystemUri(uri)) {
    const socket = socketOf(uri);
    if (socket && !DEFAULT_SOCKETS.includes(socket)) {
      // A socket of its own: the machine's libvirtd, started as usual, listens elsewhere.
      return `nothing listens on ${socket}: start the libvirtd whose libvirtd.conf puts its socket there (unix_sock_dir), ` +
        `or use the machine's own libvirtd: set libvirtUri to qemu:///system and start it: ${start}${noSystemd ? ` (${noSystemd})` : ''}`;
    }
    return `start libvirtd: ${start} (${noSystemd ? `${noSystemd}; ` : ''}not installed: \`apt-get install libvirt-daemon-system\`)`;
  }
  const log = systemd ? '`journalctl -u libvirtd`' : 'libvirtd.conf log_outputs';
  return `check libvirtUri and libvirtd's log (${log}); \`virsh -c '${uri}' version\` shows the same error`;
}

/** The `socket` parameter of a libvirt URI (`qemu+unix:///system?socket=/path`), else undefined. */
function socketOf(uri: string): string | undefined {
  const query = /\?([^#]*)/.exec(uri)?.[1];
  if (!query) return undefined;
  return new URLSearchParams(query).get('socket') ?? undefined;
}
