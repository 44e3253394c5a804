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

  /**
   * Sets the user libvirtd starts qemu as (qemu.conf `user`, `root` as `up` leaves it) and restarts
   * libvirtd to read it (`restart-libvirtd`: stopped with SIGTERM, started again, waited for at
   * most 30 s each way). No domain runs in a test, so nothing runs as that user.
   */
  setQemuUser(user: string): void {
    if (!/^[a-z_][a-z0-9_-]*$/.test(user)) throw new Error(`not a user name: ${user}`);
    const conf = path.join(this.runDir, 'libvirt', 'etc', 'qemu.conf');
    const text = fs.readFileSync(conf, 'utf8');
    if (!/^user = ".*"$/m.test(text)) throw new Error(`${conf} has no \`user = "…"\` line (e2e/sandbox.sh writes one)`);
    fs.writeFileSync(conf, text.replace(/^user = ".*"$/m, `user = "${user}"`));
    const restarted = this.script(['restart-libvirtd', this.runId]);
    if (restarted.status !== 0) throw new Error(`e2e/sandbox.sh restart-libvirtd failed (${restarted.status}): ${restarted.output}`);
  }

  /**
   * Stops libvirtd as a service manager does (SIGTERM: it removes its socket) and waits, at most
   * 30 s, until it has exited; virtlogd keeps running (and the daemons' mount namespace with it).
   */
  stopLibvirtd(): void {
    const pid = Number(fs.readFileSync(path.join(this.runDir, 'libvirt', 'libvirtd.pid'), 'utf8').trim());
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 30_000;
    while (isAlive(pid)) {
      if (Date.now() > deadline) throw new Error(`libvirtd (pid ${pid}) did not exit within 30 s of SIGTERM`);
      spawnSync('sleep', ['0.2']);
    }
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function run(argv: readonly string[], env: Record<string, string> = {}): RunResult {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  const stdout = r.stdout ?? '';
  const stderr = `${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { status: r.status, stdout, stderr, output: stdout + stderr };
}
