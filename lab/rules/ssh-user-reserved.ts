import { type LabRule, section } from './read';

/**
 * Accounts and groups a Debian 12 or 13 cloud image (and the packages the lab installs) already has:
 * cloud-init would modify an existing account instead of creating ours, and `useradd` fails on
 * a name an existing group has.
 */
export const RESERVED_USERS: readonly string[] = [
  'root', 'daemon', 'bin', 'sys', 'sync', 'games', 'man', 'lp', 'mail', 'news', 'uucp', 'proxy', 'www-data', 'backup',
  'list', 'irc', 'gnats', 'nobody', 'messagebus', 'sshd', 'polkitd', 'tcpdump', 'dnsmasq', 'uuidd', 'tss', 'statd', 'dhcpcd',
  'debian', 'admin', 'ubuntu', 'cloud-user',
  // groups
  'adm', 'tty', 'disk', 'kmem', 'dialout', 'fax', 'voice', 'cdrom', 'floppy', 'tape', 'sudo', 'audio', 'dip', 'operator',
  'src', 'shadow', 'utmp', 'video', 'sasl', 'plugdev', 'staff', 'users', 'nogroup', 'input', 'sgx', 'kvm', 'render',
  'crontab', 'netdev', 'ssh', 'lpadmin', 'keepalived_script', 'clock',
];
/** Prefixes of system accounts (systemd-network, systemd-timesync, _apt, _chrony, ...). */
const RESERVED_USER_PREFIXES = ['systemd-', '_'];

/** True for an account or group name the image already has (or a system account prefix). */
export function isReservedUser(user: string): boolean {
  return RESERVED_USERS.includes(user) || RESERVED_USER_PREFIXES.some((prefix) => user.startsWith(prefix));
}

/** `ssh.user`: a new account, not one the image already has. */
export const sshUserReservedRule: LabRule = {
  id: 'ssh-user-reserved',
  check: ({ lab }, report) => {
    const user = section(lab.ssh).user;
    if (typeof user !== 'string') return;
    if (isReservedUser(user)) {
      report('ssh.user', user, `a new, unprivileged user (not ${RESERVED_USERS.slice(0, 8).join(', ')}, ..., nor a name starting with ${RESERVED_USER_PREFIXES.join(' or ')})`,
        'cloud-init creates this user; an account or group the image already has would be modified or make useradd fail');
    }
  },
};
