import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunResult } from './netns';
import { requireRoot, requireTool } from './tools';

const root = path.resolve(__dirname, '../..');
const SANDBOX = path.join(root, 'e2e', 'sandbox.sh');

const live = new Set<LibvirtSandbox>();
process.once('exit', () => live.forEach((sandbox) => sandbox.down()));

/**
 * A libvirtd of its own for a test, started by e2e/sandbox.sh (the e2e's sandbox): the daemons run
 * inside throwaway network namespaces (`lvslab-<run id>`, `…-c`, `…-w`) with their config, runtime,
 * state and logs in a scratch directory bind-mounted over /etc/libvirt, /run/libvirt, ... in their
 * private mount namespace, so nothing reaches the host's libvirt or network. Reached through its
 * socket by path: `uri` works for virsh and the provider from outside the namespace.
 *
 * Pools and volumes only: tests never start a domain. Always call {@link down} (in afterAll); a
 * process 'exit' hook does the same as a last resort.
 */
export class LibvirtSandbox {
  static up(kind: string): LibvirtSandbox {
    requireRoot('they start libvirtd in network namespaces');
    requireTool('ip', 'iproute2');
    requireTool('libvirtd', 'libvirt-daemon-system');
    requireTool('virtlogd', 'libvirt-daemon-system');
    requireTool('virsh', 'libvirt-clients');
    // A short run dir: the socket path must fit sun_path (e2e/sandbox.sh checks it).
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvt-'));
    const sandbox = new LibvirtSandbox(`t${kind}${randomBytes(3).toString('hex')}`.slice(0, 16), workDir);
    live.add(sandbox);
    const up = sandbox.script(['up', sandbox.runId]);
    if (up.status !== 0) {
      sandbox.down();
      throw new Error(`e2e/sandbox.sh up failed (${up.status}): ${up.output}`);
    }
    const vars = Object.fromEntries(
      [...up.stdout.matchAll(/^export (LVSLAB_[A-Z_]+)=(.*)$/gm)].map(([, name, value]) => [name, value.replace(/\\(.)/g, '$1')]),
    );
    sandbox.uri = vars.LVSLAB_URI;
    sandbox.runDir = vars.LVSLAB_RUN_DIR;
    return sandbox;
  }

  /** `qemu+unix:///system?socket=<run dir>/libvirt/run/libvirt-sock`. */
  uri = '';
  /** The run directory: scratch space for the test's pools (removed by {@link down}). */
  runDir = '';
  private isDown = false;

  private constructor(readonly runId: string, private readonly workDir: string) {}

  /** virsh against this libvirtd. */
  virsh(args: readonly string[]): RunResult {
    return run(['virsh', '-q', '-c', this.uri, ...args]);
  }

  /** Kills the daemons, deletes the namespaces and the scratch directory. */
  down(): void {
    if (this.isDown) return;
    this.isDown = true;
    live.delete(this);
    this.script(['down', this.runId]);
    fs.rmSync(this.workDir, { recursive: true, force: true });
  }

  private script(args: readonly string[]): RunResult {
    return run(['bash', SANDBOX, ...args], { LVSLAB_WORK_DIR: this.workDir, LVSLAB_KEEP_LOGS: '0' });
  }
}

function run(argv: readonly string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  const stdout = r.stdout ?? '';
  const stderr = `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { status: r.status, stdout, stderr, output: stdout + stderr };
}
