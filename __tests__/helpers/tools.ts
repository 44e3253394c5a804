import { spawnSync } from 'node:child_process';

/**
 * Returns the absolute path of `name` on PATH, or throws so the test FAILS (never skips)
 * with an actionable message. `installHint` is either a Debian package name
 * ("X not found: install it with `apt-get install Y`") or a free-form instruction.
 */
export function requireTool(name: string, installHint: string): string {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
  const resolved = found.stdout.trim();
  if (found.status === 0 && resolved !== '') {
    return resolved;
  }
  const how = /^[a-z0-9][a-z0-9.+-]*$/.test(installHint) ? `install it with \`apt-get install ${installHint}\`` : installHint;
  throw new Error(`${name} not found: ${how}`);
}

/** Throws unless the tests run as root (network namespaces and mounts need it). */
export function requireRoot(why: string): void {
  if (process.getuid?.() !== 0) {
    throw new Error(`these tests must run as root: ${why}`);
  }
}
