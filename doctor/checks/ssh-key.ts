import { NO_KEY_FIX, homeDirectory, noKeyWarning, withDefaultKey } from '../../app-lab';
import { pass, warn, type DoctorCheck, type LabContext } from '../check';

/**
 * Who can log in to the VMs: the config's keys, else the user's default public key (the app adds
 * it, app-lab.ts). No key at all is a warning, not a failure: the lab deploys and balances, but
 * nobody can log in until a redeploy with a key (the key is in the seed, read at first boot).
 */
export const sshKeyCheck: DoctorCheck<LabContext> = {
  id: 'ssh-key',
  run: ({ host, lab }) => {
    const read = (file: string) => {
      try {
        return host.readFile(file);
      } catch {
        return undefined;
      }
    };
    const decided = withDefaultKey(lab, homeDirectory(host.env), read);
    const keys = lab.ssh.authorizedKeys.length;
    if (!decided.sshNotice) return pass('ssh-key', `${keys} key${keys === 1 ? '' : 's'} in ssh.authorizedKeys for user ${lab.ssh.user}`);
    if (decided.defaultKey) return pass('ssh-key', `the app is ${decided.sshNotice}`);
    return warn('ssh-key', noKeyWarning(lab.ssh.user), NO_KEY_FIX);
  },
};
