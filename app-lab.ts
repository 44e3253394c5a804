/**
 * The lab the app deploys, read the same way by the app (main.ts) and by `lvs-lab doctor`: the
 * lab LAB_CONFIG names (without it, the reference topology), resolved once, and, when it lists no
 * ssh key, the user's own default public key, so that `ssh lab@<vm>` works after a first deploy
 * without editing a config. The default key is the app's decision, not the constructs': a library
 * consumer chooses its own keys.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isOpenSshPublicKey, LabConfigError, labFromEnv, validateLabConfig, type ResolvedLab } from './lab';

/** The public keys the app looks for in ~/.ssh, in this order (ssh-keygen's default file names). */
export const DEFAULT_PUBLIC_KEY_FILES = ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'] as const;

/** A public key of the user's, found in ~/.ssh. */
export interface DefaultPublicKey {
  /** Absolute path of the file. */
  readonly file: string;
  /** The file as shown to the user: `~/.ssh/id_ed25519.pub`. */
  readonly shown: string;
  /** The key line (`ssh-ed25519 AAAA… me@host`), trimmed. */
  readonly key: string;
}

/** The lab as the app uses it. */
export interface AppLab {
  /** The resolved lab, with the default key as its only `ssh.authorizedKeys` when the config lists none. */
  readonly lab: ResolvedLab;
  /** The key the app added; undefined when the config lists keys or the user has none. */
  readonly defaultKey?: DefaultPublicKey;
  /**
   * What the app did about login keys, for stderr: the key it authorizes, or how to make one when
   * there is none; undefined when the config lists keys (nothing was decided for the user).
   */
  readonly sshNotice?: string;
}

/** The user's home directory: $HOME, as ssh and ssh-keygen take it. */
export function homeDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME?.trim() || os.homedir();
}

/**
 * The first of `~/.ssh/id_ed25519.pub`, `id_ecdsa.pub`, `id_rsa.pub` that holds an OpenSSH public
 * key line; a file that holds something else (a private key pasted by mistake, an empty file) is
 * passed over, so the config check never fails on a line the user did not write into the config.
 *
 * @param readFile - a file's text, or undefined when it cannot be read
 */
export function findDefaultPublicKey(home: string, readFile: (file: string) => string | undefined = readIfExists): DefaultPublicKey | undefined {
  for (const name of DEFAULT_PUBLIC_KEY_FILES) {
    const file = path.join(home, '.ssh', name);
    const key = readFile(file)?.split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '');
    if (key !== undefined && isOpenSshPublicKey(key)) return { file, shown: `~/.ssh/${name}`, key };
  }
  return undefined;
}

/** Why nobody could log in: the config lists no key and the user has none. */
export function noKeyWarning(user: string): string {
  return (
    `the lab config lists no ssh.authorizedKeys and there is no ~/.ssh/${DEFAULT_PUBLIC_KEY_FILES.join(', ~/.ssh/')}: ` +
    `the VMs will accept no login for user ${user}`
  );
}

/** What to do about {@link noKeyWarning}. */
export const NO_KEY_FIX = 'make a key with `ssh-keygen -t ed25519` and deploy again, or list one in ssh.authorizedKeys';

/**
 * `lab` with the user's default public key when its config listed no `ssh.authorizedKeys` (absent
 * or empty), and what was decided.
 */
export function withDefaultKey(
  lab: ResolvedLab,
  home: string,
  readFile: (file: string) => string | undefined = readIfExists,
): AppLab {
  if (lab.ssh.authorizedKeys.length > 0) return { lab };
  const user = lab.ssh.user;
  const key = findDefaultPublicKey(home, readFile);
  if (!key) return { lab, sshNotice: `${noKeyWarning(user)}; ${NO_KEY_FIX}` };
  return {
    lab: { ...lab, ssh: { ...lab.ssh, authorizedKeys: [key.key] } },
    defaultKey: key,
    sshNotice: `authorizing ${key.shown} for user ${user} (the lab config lists no ssh.authorizedKeys)`,
  };
}

/**
 * The lab the app deploys: the lab LAB_CONFIG names, with the default key when it lists none.
 *
 * @throws LabConfigError listing every problem of the config file
 */
export function appLab(env: NodeJS.ProcessEnv = process.env): AppLab {
  return withDefaultKey(labFromEnv(env).lab, homeDirectory(env));
}

/**
 * Checks the default key the app added as the config's own keys are checked (its line in
 * `ssh.authorizedKeys[0]`): a key file whose comment holds characters a config may not is
 * refused before the deploy, as if the user had written it.
 *
 * @throws LabConfigError naming `ssh.authorizedKeys[0]`
 */
export function checkDefaultKey(decided: AppLab): void {
  if (!decided.defaultKey) return;
  const problems = validateLabConfig({ ssh: { authorizedKeys: [decided.defaultKey.key] } });
  if (problems.length > 0) throw new LabConfigError(problems);
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
