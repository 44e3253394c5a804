/**
 * What the doctor's checks read of the machine, behind one small interface: the real host runs
 * programs and reads files; a test passes a stand-in that answers as a broken host would, so
 * every failure of every check is driven without breaking a machine.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import type { PoolDirectoryReader } from '../lab/pool-directory';

/** What a program printed and how it ended. */
export interface CommandResult {
  /** The exit status; null when it could not start or was killed (see `error`). */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it did not run to its end: `ENOENT` (not installed), `ETIMEDOUT`, ... */
  readonly error?: string;
}

/** What `stat` says of a path (symbolic links followed). */
export interface FileStat {
  readonly kind: 'file' | 'directory' | 'character-device' | 'other';
  /** Permission bits, e.g. 0o755. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** Access this process wants to a path, as access(2) takes it. */
export type AccessMode = 'read' | 'write-search';

export interface DoctorHost extends PoolDirectoryReader {
  /** Runs a program (no shell) and waits for it, at most `timeoutMs` (default 20 s). */
  run(command: string, args: readonly string[], options?: { readonly timeoutMs?: number }): CommandResult;
  /** The text of a file; throws as fs.readFileSync does. */
  readFile(path: string): string;
  /** The first `length` bytes of a file; throws as fs.openSync does. */
  readHead(path: string, length: number): Buffer;
  /** The path's type, permissions and owner; undefined when it does not exist. */
  stat(path: string): FileStat | undefined;
  /** True when this process has that access (access(2): its user and groups, root's exemptions). */
  canAccess(path: string, mode: AccessMode): boolean;
  /** Opens a device for reading and writing and closes it again; the error code when that fails, undefined when it works. */
  openError(path: string): string | undefined;
  /** The environment (HOME, TERRAFORM_BINARY_NAME, proxies). */
  readonly env: NodeJS.ProcessEnv;
  /** This process's user id (0: root). */
  readonly uid: number;
}

/** The machine this process runs on. */
export function localHost(env: NodeJS.ProcessEnv = process.env): DoctorHost {
  return {
    env,
    uid: process.getuid?.() ?? -1,
    run(command, args, options) {
      // CHECKPOINT_DISABLE: `terraform version` would otherwise ask checkpoint.hashicorp.com for a newer release.
      const r = spawnSync(command, args, { encoding: 'utf8', env: { ...env, CHECKPOINT_DISABLE: '1' }, timeout: options?.timeoutMs ?? 20_000 });
      const error = (r.error as NodeJS.ErrnoException | undefined)?.code;
      return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(error ? { error } : {}) };
    },
    readFile: (path) => fs.readFileSync(path, 'utf8'),
    readHead(path, length) {
      const fd = fs.openSync(path, 'r');
      try {
        const buffer = Buffer.alloc(length);
        return buffer.subarray(0, fs.readSync(fd, buffer, 0, length, 0));
      } finally {
        fs.closeSync(fd);
      }
    },
    stat(path) {
      let s: fs.Stats;
      try {
        s = fs.statSync(path);
      } catch (error) {
        if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
        throw error;
      }
      const kind = s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isCharacterDevice() ? 'character-device' : 'other';
      return { kind, mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
    },
    canAccess(path, mode) {
      try {
        fs.accessSync(path, mode === 'read' ? fs.constants.R_OK : fs.constants.W_OK | fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    },
    openError(path) {
      try {
        fs.closeSync(fs.openSync(path, 'r+'));
        return undefined;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code ?? String(error);
      }
    },
    statSync: (path) => fs.statSync(path),
    readdirSync: (path) => fs.readdirSync(path),
    realpathSync: (path) => fs.realpathSync(path),
  };
}
