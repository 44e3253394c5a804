import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebianRelease } from '../../cloud-init/debian-release';
import { requireRoot } from './tools';

/*
 * The real tools of each Debian release the lab's images run. Debian 12's are this machine's own
 * (it runs Debian 12: scripts/install-deps.sh installs them); Debian 13's — keepalived 2.3,
 * nginx 1.26, nftables 1.1, cloud-init 25.1, netplan 1.1 — live in a debootstrapped root that
 * scripts/debian-root.sh builds once into the cache (scripts/install-deps.sh builds it too), and
 * the tests chroot into it. A missing root FAILS the test, saying how to build it.
 */

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'debian-root.sh');
const roots = new Map<DebianRelease, string>();

/** The root filesystem whose tools are `release`'s: `/` for this machine's own release. */
export function releaseRoot(release: DebianRelease): string {
  const known = roots.get(release);
  if (known !== undefined) return known;
  const host = hostRelease();
  let root: string;
  if (host === release) {
    root = '/';
  } else {
    const found = spawnSync('bash', [SCRIPT, String(release), '--path'], { encoding: 'utf8' });
    root = found.stdout.trim().split('\n').pop() ?? '';
    if (found.status !== 0 || root === '') {
      throw new Error(
        `the Debian ${release} tools root is missing (this machine runs Debian ${host ?? 'unknown'}): ` +
          `build it with \`sudo bash scripts/debian-root.sh ${release}\` (scripts/install-deps.sh does; a few minutes, ~360 MB)`,
      );
    }
    requireRoot(`the Debian ${release} tools run by chroot into ${root}`);
  }
  roots.set(release, root);
  return root;
}

/** This machine's Debian release (from /etc/debian_version), if it is one the lab supports. */
function hostRelease(): DebianRelease | undefined {
  const version = fs.existsSync('/etc/debian_version') ? fs.readFileSync('/etc/debian_version', 'utf8').trim() : '';
  const major = Number(version.split('.')[0]);
  return major === 12 || major === 13 ? major : undefined;
}

/** A scratch directory the release's tools see: its path on this machine and inside the root. */
export interface ReleaseScratch {
  /** The directory on this machine. */
  readonly dir: string;
  /** The same directory as the release's tools see it. */
  readonly inside: string;
  /** `dir`-relative name to both paths. */
  readonly file: (name: string) => { readonly host: string; readonly inside: string };
  readonly remove: () => void;
}

export function releaseScratch(release: DebianRelease, kind: string): ReleaseScratch {
  const root = releaseRoot(release);
  const tmp = path.join(root, 'tmp');
  const dir = fs.mkdtempSync(path.join(tmp, `lvslab-${kind}-`));
  const inside = path.join('/tmp', path.basename(dir));
  return {
    dir,
    inside,
    file: (name) => ({ host: path.join(dir, name), inside: path.join(inside, name) }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The command line that runs `argv` with the release's tools: as is on this machine's release,
 * else through `chroot` into its root (paths in `argv` are the root's: see releaseScratch).
 */
export function releaseCommand(release: DebianRelease, argv: readonly string[]): string[] {
  const root = releaseRoot(release);
  return root === '/' ? [...argv] : ['chroot', root, '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', ...argv];
}

/** Runs `argv` with the release's tools. */
export function runInRelease(release: DebianRelease, argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const [command, ...args] = releaseCommand(release, argv);
  return spawnSync(command, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 256 * 1024 * 1024 });
}

/** The releases under test, newest first. */
export const RELEASES: readonly DebianRelease[] = [13, 12];
