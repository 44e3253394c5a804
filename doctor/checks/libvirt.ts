import { isLocalLibvirt } from '../../lab/pool-directory';
import { fail, isSystemUri, pass, whyFailed, type DoctorCheck, type LabContext } from '../check';
import { virshHypervisor } from '../parse';

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
    return fail('libvirt', `libvirt at ${uri} does not answer: ${why}`, libvirtFix(uri, why, r.error, host.env.USER || host.env.LOGNAME));
  },
};

function libvirtFix(uri: string, why: string, error: string | undefined, user: string | undefined): string {
  if (!isLocalLibvirt(uri)) {
    return `check that libvirtd runs on that host and that this user may connect (qemu+ssh: key login to the host); try \`virsh -c '${uri}' version\``;
  }
  if (error === 'ETIMEDOUT') return 'libvirtd does not answer: restart it (`sudo systemctl restart libvirtd`); `journalctl -u libvirtd` says why it hangs';
  if (/permission denied|authentication (failed|unavailable)|access denied|not authorized/i.test(why) && isSystemUri(uri)) {
    const who = user ?? '$USER';
    return `let this user manage the system libvirt: \`sudo usermod -aG libvirt ${who}\`, then log in again (or \`newgrp libvirt\`); or run as root`;
  }
  if (/no such file or directory|connection refused|failed to connect socket/i.test(why) && isSystemUri(uri)) {
    return 'start libvirtd: `sudo systemctl enable --now libvirtd` (not installed: `apt-get install libvirt-daemon-system`)';
  }
  return `check libvirtUri and libvirtd's log (\`journalctl -u libvirtd\`); \`virsh -c '${uri}' version\` shows the same error`;
}
