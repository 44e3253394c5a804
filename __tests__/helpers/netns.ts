import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { requireRoot, requireTool } from './tools';

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout + stderr, for messages. */
  readonly output: string;
}

/** A NIC to create inside the namespace: one end of a veth pair, brought up. */
export interface SandboxLink {
  readonly name: string;
  readonly addresses?: readonly string[];
}

const live = new Set<NetnsSandbox>();
process.once('exit', () => live.forEach((ns) => ns.destroy()));

function run(argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult {
  const result = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
  });
  const stdout = result.stdout ?? '';
  const stderr = `${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  return { status: result.status, stdout, stderr, output: stdout + stderr };
}

function mustRun(argv: readonly string[]): void {
  const result = run(argv);
  if (result.status !== 0) {
    throw new Error(`\`${argv.join(' ')}\` failed (${result.status}): ${result.output}`);
  }
}

/**
 * A throwaway network namespace `lvslab-<kind>-<random>`. Everything run through it sees
 * its own links, addresses and /proc/sys/net, so the host's network is never touched.
 * `ip netns exec` also gives each command a private mount namespace (the host's mounts are
 * made slaves), so mounts made inside never reach the host. This kernel has no `dummy`
 * links, so NICs are veth pairs created directly inside the namespace.
 *
 * Always call {@link destroy} (in afterAll); it kills what still runs inside and deletes
 * the namespace. A process 'exit' hook does the same as a last resort.
 */
export class NetnsSandbox {
  static create(kind: string, links: readonly SandboxLink[] = []): NetnsSandbox {
    requireRoot('they create network namespaces and mounts');
    requireTool('ip', 'iproute2');
    requireTool('unshare', 'util-linux');
    const sandbox = new NetnsSandbox(`lvslab-${kind}-${randomBytes(4).toString('hex')}`);
    mustRun(['ip', 'netns', 'add', sandbox.name]);
    live.add(sandbox);
    try {
      mustRun(['ip', '-n', sandbox.name, 'link', 'set', 'lo', 'up']);
      links.forEach((link, index) => {
        const peer = `lvsp${index}`;
        mustRun(['ip', '-n', sandbox.name, 'link', 'add', link.name, 'type', 'veth', 'peer', 'name', peer]);
        for (const address of link.addresses ?? []) {
          mustRun(['ip', '-n', sandbox.name, 'addr', 'add', address, 'dev', link.name]);
        }
        mustRun(['ip', '-n', sandbox.name, 'link', 'set', peer, 'up']);
        mustRun(['ip', '-n', sandbox.name, 'link', 'set', link.name, 'up']);
      });
    } catch (error) {
      sandbox.destroy();
      throw error;
    }
    return sandbox;
  }

  private destroyed = false;

  private constructor(readonly name: string) {}

  /** Runs `argv` inside the namespace. */
  run(argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): RunResult {
    return run(['ip', 'netns', 'exec', this.name, ...argv], opts);
  }

  /**
   * Runs a bash script inside the namespace, in a mount namespace of its own with private
   * propagation (`unshare --mount --propagation private`), so the script may mount tmpfs over
   * host directories (e.g. /usr/local/sbin, /run) without the host ever seeing it.
   */
  runPrivateMounts(script: string, args: readonly string[], opts: { timeoutMs?: number } = {}): RunResult {
    return this.run(['unshare', '--mount', '--propagation', 'private', 'bash', '-c', script, 'bash', ...args], opts);
  }

  /** Kills every process still inside the namespace, by pid, then deletes the namespace. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    const pids = run(['ip', 'netns', 'pids', this.name]).stdout.split(/\s+/).filter((pid) => /^\d+$/.test(pid));
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    run(['ip', 'netns', 'del', this.name]);
  }

  /** True while `ip netns list` still shows the namespace (for the cleanup assertions). */
  static exists(name: string): boolean {
    return run(['ip', 'netns', 'list']).stdout.split('\n').some((line) => line.split(' ')[0] === name);
  }
}
