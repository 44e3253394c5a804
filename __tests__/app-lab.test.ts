import { checkDefaultKey, DEFAULT_PUBLIC_KEY_FILES, findDefaultPublicKey, withDefaultKey } from '../app-lab';
import { LabConfigError, resolveLabConfig } from '../lab';

/* The app's default login key: which file it takes, and that a config's own keys always win. */
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
/** A well-formed OpenSSH public key line of `type` (the blob names its type, as real keys do). */
const keyLine = (type: string, fill: number, comment: string) =>
  `${type} ${Buffer.concat([u32(type.length), Buffer.from(type), u32(32), Buffer.alloc(32, fill)]).toString('base64')} ${comment}`;
const ED25519 = keyLine('ssh-ed25519', 1, 'me@ed25519');
const RSA = keyLine('ssh-rsa', 2, 'me@rsa');

/** A home directory holding these files under .ssh. */
const home = (files: Record<string, string>) => (file: string) => files[file.replace(/^\/home\/me\/\.ssh\//, '')];

describe('findDefaultPublicKey', () => {
  test('looks for id_ed25519.pub, id_ecdsa.pub, id_rsa.pub, in that order', () => {
    expect(DEFAULT_PUBLIC_KEY_FILES).toEqual(['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub']);
    expect(findDefaultPublicKey('/home/me', home({ 'id_rsa.pub': `${RSA}\n`, 'id_ed25519.pub': `${ED25519}\n` })))
      .toEqual({ file: '/home/me/.ssh/id_ed25519.pub', shown: '~/.ssh/id_ed25519.pub', key: ED25519 });
  });

  test('passes over a file that holds no public key line (a private key, an empty file)', () => {
    const found = findDefaultPublicKey('/home/me', home({ 'id_ed25519.pub': '-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n', 'id_ecdsa.pub': '', 'id_rsa.pub': RSA }));
    expect(found?.shown).toBe('~/.ssh/id_rsa.pub');
  });

  test('finds nothing in a home without keys', () => {
    expect(findDefaultPublicKey('/home/me', home({}))).toBeUndefined();
  });
});

describe('withDefaultKey', () => {
  test('a lab that lists keys is returned as it is, with nothing to say', () => {
    const lab = resolveLabConfig({ ssh: { authorizedKeys: [RSA] } });
    expect(withDefaultKey(lab, '/home/me', home({ 'id_ed25519.pub': ED25519 }))).toEqual({ lab });
  });

  test('an empty key list counts as none: the default key is added, and said', () => {
    const lab = resolveLabConfig({ name: 'lab2', ssh: { user: 'ops', authorizedKeys: [] } });
    const decided = withDefaultKey(lab, '/home/me', home({ 'id_ed25519.pub': ED25519 }));
    expect(decided.lab).toEqual({ ...lab, ssh: { user: 'ops', authorizedKeys: [ED25519] } });
    expect(decided.lab).toEqual(resolveLabConfig({ name: 'lab2', ssh: { user: 'ops', authorizedKeys: [ED25519] } }));
    expect(decided.sshNotice).toBe('authorizing ~/.ssh/id_ed25519.pub for user ops (the lab config lists no ssh.authorizedKeys)');
  });

  test('no key anywhere: the lab is unchanged and the notice says how to make one', () => {
    const lab = resolveLabConfig({});
    const decided = withDefaultKey(lab, '/home/me', home({}));
    expect(decided.lab).toBe(lab);
    expect(decided.sshNotice).toContain('the VMs will accept no login for user lab; make a key with `ssh-keygen -t ed25519`');
  });
});

describe('checkDefaultKey', () => {
  test('passes the default key a config could list', () => {
    expect(() => checkDefaultKey(withDefaultKey(resolveLabConfig({}), '/home/me', home({ 'id_ed25519.pub': ED25519 })))).not.toThrow();
  });

  test('fails when the default key holds what a config may not (a control character in its comment), naming ssh.authorizedKeys[0]', () => {
    const decided = withDefaultKey(resolveLabConfig({}), '/home/me', home({ 'id_ed25519.pub': keyLine('ssh-ed25519', 1, 'me\u0007bell') }));
    expect(decided.defaultKey?.shown).toBe('~/.ssh/id_ed25519.pub');
    expect(() => checkDefaultKey(decided)).toThrow(LabConfigError);
    expect(() => checkDefaultKey(decided)).toThrow(/ssh\.authorizedKeys\[0\]/);
  });
});
