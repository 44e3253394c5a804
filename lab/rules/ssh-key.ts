import { SSH_KEY_PATTERN, SSH_KEY_TYPES } from '../schema';
import { type LabRule, section, list } from './read';

/** True for a one-line OpenSSH public key whose base64 blob starts with its own type name. */
export function isOpenSshPublicKey(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const match = /^(\S+) ([A-Za-z0-9+/]{16,}={0,2})( [^\r\n]*)?$/.exec(value.trim());
  if (!match || !(SSH_KEY_TYPES as readonly string[]).includes(match[1])) return false;
  const blob = Buffer.from(match[2], 'base64');
  return blob.length > 4 && blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') === match[1];
}

/** `ssh.authorizedKeys`: the key blob names the key's own type (a pasted fragment does not). */
export const sshKeyRule: LabRule = {
  id: 'ssh-key',
  check: ({ lab }, report) => {
    list(section(lab.ssh).authorizedKeys).forEach((key, i) => {
      if (typeof key === 'string' && new RegExp(SSH_KEY_PATTERN).test(key) && !isOpenSshPublicKey(key)) {
        report(`ssh.authorizedKeys[${i}]`, key, `an OpenSSH public key line "<type> <base64> [comment]", type one of ${SSH_KEY_TYPES.join(', ')}`,
          'the base64 blob does not hold a key of that type');
      }
    });
  },
};
