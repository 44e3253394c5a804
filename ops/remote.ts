/**
 * The questions the operator commands ask the VMs, and what to do when a VM does not answer.
 * The command lines are the e2e harness's: unprivileged reads where the lab's user may read
 * (`ip`, /proc, /sys, the notify hook's state file), `sudo -n` where root is needed (ipvsadm,
 * systemctl start/stop): `-n` so that a user who needs a password fails at once with sudo's
 * own message instead of hanging on a prompt nobody sees.
 */
import { LAB_INTERFACE } from '../lab';
import { CLOUD_INIT_STATUS_COMMAND } from './cloud-init';

/** The notify hook's file with the director's current VRRP state (cloud-init/paths.ts NOTIFY_STATE_FILE). */
export const VRRP_STATE_FILE = '/run/keepalived/state';
/** The demo web service of the real servers (cloud-init installs nginx). */
export const WEB_SERVICE = 'nginx';

/** What `status` asks a director, in one ssh session. */
export const DIRECTOR_QUESTIONS = {
  vrrpState: `cat ${VRRP_STATE_FILE}`,
  keepalived: 'systemctl is-active keepalived',
  addresses: `ip -o addr show dev ${LAB_INTERFACE}`,
  mac: `cat /sys/class/net/${LAB_INTERFACE}/address`,
  ipvs: 'sudo -n ipvsadm -Ln',
  syncDaemons: 'sudo -n ipvsadm -L --daemon',
  cloudInit: CLOUD_INIT_STATUS_COMMAND,
} as const;

/** The four ARP sysctls of a DR real server, read from /proc (sysctl is in /usr/sbin, not on an ssh user's PATH). */
export const ARP_SYSCTL_FILES = ['all/arp_ignore', 'all/arp_announce', 'lo/arp_ignore', 'lo/arp_announce'] as const;

/** What `status` asks a real server, in one ssh session. */
export const REAL_SERVER_QUESTIONS = {
  addresses: 'ip -o addr show dev lo',
  arpSysctls: `cd /proc/sys/net/ipv4/conf && cat ${ARP_SYSCTL_FILES.join(' ')}`,
  webService: `systemctl is-active ${WEB_SERVICE}`,
  cloudInit: CLOUD_INIT_STATUS_COMMAND,
} as const;

/** What to do when ssh did not get through, by what it said. */
export function reachFix(why: string, labUri: string): string {
  if (/Permission denied/i.test(why)) {
    return 'the VM refused the key: pass --ssh-key with the private key of a public key in ssh.authorizedKeys (a config without keys ' +
      'authorized your ~/.ssh/id_ed25519.pub, id_ecdsa.pub or id_rsa.pub at deploy time, and this command uses the matching private key); ' +
      'keys are read at first boot only, so a key added later needs a redeploy';
  }
  if (/refused/i.test(why)) return 'sshd is not listening yet: the VM is still booting (a first boot installs packages); try again in a minute';
  if (/timed out|no route|unreachable|no answer within/i.test(why)) {
    return `is the VM running (\`virsh -c ${labUri} list --all\`)? is this machine on the lab's segment (\`ip route get <address>\`)?`;
  }
  if (/not installed/i.test(why)) return 'install the OpenSSH client (`apt-get install openssh-client`)';
  return 'run the ssh command above by hand to see why';
}

/** What to do when a privileged command failed on a VM, by what it printed. */
export function privilegeFix(output: string, user: string): string {
  if (/password is required|not in the sudoers|may not run sudo/i.test(output)) {
    return `the lab's user ${user} has passwordless sudo on every VM (cloud-init): connect as ssh.user, not as another account`;
  }
  if (/Can't initialize ipvs|Protocol not available/i.test(output)) {
    return 'the ip_vs module is not loaded on the director: keepalived loads it when it starts (`sudo systemctl start keepalived`)';
  }
  return 'run the command on the VM by hand to see why';
}

/** The last non-empty line of a command's output (its complaint), or `exit N`. */
export function lastLine(output: string, status: number): string {
  return output.split('\n').map((l) => l.trim()).filter(Boolean).pop() ?? `exit ${status}`;
}
