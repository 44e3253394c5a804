import { spawnSync } from 'node:child_process';
import { requireTool } from './tools';

/** Runs shellcheck (all default checks, style level included) on a script given on stdin. */
export function shellcheck(script: string, shell: 'bash' | 'sh' = 'bash'): { status: number | null; output: string } {
  requireTool('shellcheck', 'shellcheck');
  const result = spawnSync('shellcheck', ['--shell', shell, '--severity', 'style', '-'], { input: script, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
