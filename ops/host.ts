/**
 * What the operator commands do to the world, behind one small interface: run commands on a VM
 * (over ssh), run a program on this machine, make one HTTP request, tell the time and wait.
 * `localOpsHost` does it for real; a test passes a stand-in that answers with recorded tool
 * output, so every path (a VM that does not answer, sudo asking for a password, a failover) is
 * driven without a lab.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

/** What a program printed and how it ended. */
export interface CommandResult {
  /** The exit status; null when it could not start or was killed (see `error`). */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Why it did not run to its end: `ENOENT` (not installed), `ETIMEDOUT` (killed at its time limit). */
  readonly error?: string;
}

/** One command run on a VM: its exit status and what it printed (stdout and stderr together). */
export interface RemoteStep {
  readonly status: number;
  readonly output: string;
}

/** The outcome of one ssh session running several commands. */
export type RemoteOutcome =
  | { readonly reached: true; readonly steps: readonly RemoteStep[] }
  | { readonly reached: false; readonly why: string };

/** One HTTP GET: a 200 with its body, or why not. */
export interface HttpOutcome {
  readonly ok: boolean;
  readonly status?: number;
  readonly body?: string;
  readonly error?: string;
}

export interface OpsHost {
  /** Runs `commands` one after the other on the VM at `address` (one ssh session, at most `timeoutMs`). */
  remote(address: string, commands: readonly string[], timeoutMs?: number): Promise<RemoteOutcome>;
  /** Runs a program on this machine (no shell), at most `timeoutMs`. */
  local(command: string, args: readonly string[], timeoutMs?: number): Promise<CommandResult>;
  /** One HTTP GET from this machine, failed after `timeoutMs`. */
  httpGet(url: string, timeoutMs: number): Promise<HttpOutcome>;
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** How `remote` reaches a VM, for messages: `ssh -i ~/.ssh/id_ed25519 lab@192.168.20.141`. */
  describeRemote(address: string): string;
  /** Ends what the host keeps open between calls (shared ssh connections); nothing when it keeps nothing. */
  close?(): Promise<void>;
}

/**
 * Time limit of one ssh session when the caller names none. A login to a VM under emulation
 * (TCG) on a busy host has taken over 20 s: the session waits for the user's systemd to start
 * (and it stops again when the last session ends). Unreachable VMs fail sooner: ssh's own
 * ConnectTimeout bounds the connection.
 */
export const REMOTE_TIMEOUT_MS = 90_000;
/** Time limit of one local program when the caller names none. */
export const LOCAL_TIMEOUT_MS = 10_000;
/** ssh's own limit for the TCP connection and key exchange to begin. */
export const SSH_CONNECT_TIMEOUT_SEC = 5;

/** How the operator commands reach the VMs. */
export interface SshAccess {
  /** The lab's admin user (`ssh.user`). */
  readonly user: string;
  /** The private key; undefined: ssh's own choice (agent, ~/.ssh/id_*). */
  readonly keyFile?: string;
}

/**
 * ssh's arguments for one VM. BatchMode: never prompt (a missing key fails at once instead of
 * hanging on a passphrase or password prompt). Host keys are neither checked nor recorded
 * (StrictHostKeyChecking=no, UserKnownHostsFile=/dev/null): every deploy gives the VMs new host
 * keys at first boot on the same addresses, so a remembered key would stop every command after a
 * redeploy with "REMOTE HOST IDENTIFICATION HAS CHANGED", and there is no trusted copy of the new
 * keys to pin (they are made inside the guest, not in the terraform state). The lab's segment is
 * this machine's own, as it is for the e2e harness, which reaches the VMs the same way.
 */
export function sshArgs(access: SshAccess, address: string, controlDir?: string): string[] {
  return [
    ...(access.keyFile ? ['-i', access.keyFile] : []),
    ...(controlDir !== undefined ? sharedConnectionArgs(controlDir) : []),
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'LogLevel=ERROR',
    '-o', `ConnectTimeout=${SSH_CONNECT_TIMEOUT_SEC}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=2',
    `${access.user}@${address}`,
  ];
}

/** How long a shared ssh connection outlives its last session (seconds). */
export const SHARED_CONNECTION_PERSIST_SEC = 120;

/**
 * ssh's options for one connection per VM shared by every session (OpenSSH multiplexing): the
 * first session logs in, the next ones open a channel in it. A VM busy with its first boot under
 * emulation takes a minute or more for a login (the session waits for the user's systemd to
 * start, and the user's systemd stops when the last session ends): one login, not one a poll.
 * The control sockets live in a directory of this process's own (0700).
 */
export function sharedConnectionArgs(controlDir: string): string[] {
  return ['-o', 'ControlMaster=auto', '-o', `ControlPath=${path.join(controlDir, '%C')}`, '-o', `ControlPersist=${SHARED_CONNECTION_PERSIST_SEC}`];
}

/** Ends each command's output in a session script: the marker, the command's index and its status. */
const STEP_MARK = '@@lvs-lab-step';

/**
 * One shell script running every command in turn, each followed by a marker line with its exit
 * status, so one ssh session answers several questions and each answer keeps its own status.
 */
export function sessionScript(commands: readonly string[]): string {
  return commands.map((command, i) => `( ${command} ) </dev/null 2>&1; echo "${STEP_MARK} ${i} $?"`).join('\n');
}

/** Splits what {@link sessionScript} printed back into one step per command; undefined when a marker is missing. */
export function parseSession(stdout: string, count: number): RemoteStep[] | undefined {
  const steps: RemoteStep[] = [];
  let output: string[] = [];
  for (const line of stdout.split('\n')) {
    const mark = new RegExp(`^${STEP_MARK} (\\d+) (\\d+)$`).exec(line);
    if (!mark) {
      output.push(line);
      continue;
    }
    if (Number(mark[1]) !== steps.length) return undefined;
    steps.push({ status: Number(mark[2]), output: output.join('\n') });
    output = [];
  }
  return steps.length === count ? steps : undefined;
}

/** Why ssh did not get through: its last line of complaint (`Permission denied (publickey)`), or the exit status. */
export function sshFailure(result: CommandResult, timeoutMs: number): string {
  if (result.error === 'ETIMEDOUT') return `no answer within ${timeoutMs / 1000} s`;
  if (result.error === 'ENOENT') return 'ssh is not installed on this machine';
  if (result.error) return result.error;
  const lines = result.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^Warning: Permanently added/.test(l));
  return lines.pop() ?? `ssh exited ${result.status}`;
}

/** Runs a program with a hard time limit (SIGKILL at `timeoutMs`). */
export function runProgram(command: string, args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const finish = (result: CommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error: NodeJS.ErrnoException) => finish({ status: null, stdout, stderr, error: error.code ?? error.message }));
    child.on('close', (code) => finish({ status: timedOut ? null : code, stdout, stderr, ...(timedOut ? { error: 'ETIMEDOUT' } : {}) }));
  });
}

/** Largest response body kept (the demo service answers one short line). */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * One HTTP GET without keep-alive (a new connection each time: IPVS schedules connections, not
 * requests). It resolves once the connection is closed, not at the end of the body: the client's
 * FIN then reaches the director before the next request's SYN, so IPVS counts this connection
 * inactive when it schedules the next one (left active, it counts 256 times and lc/wlc send the
 * next request to the other server whatever the weights).
 */
export function httpGet(url: string, timeoutMs: number): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers: { 'user-agent': 'lvs-lab' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < MAX_BODY_BYTES) body += chunk;
      });
      res.on('end', () => {
        const outcome: HttpOutcome = { ok: res.statusCode === 200, status: res.statusCode, body: body.trim() };
        const socket = res.socket;
        if (!socket || socket.destroyed) return finish(outcome);
        socket.once('close', () => finish(outcome));
        socket.end();
      });
      res.on('error', (err) => finish({ ok: false, status: res.statusCode, error: err.message }));
    });
    // the socket timeout fires on idleness; this one bounds the whole exchange
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => finish({ ok: false, error: err.message }));
  });
}

/**
 * This machine, reaching the VMs with `ssh` as `access` says. With `shareConnections`, one ssh
 * connection per VM serves every session until `close()` ({@link sharedConnectionArgs}): for a
 * command that asks the same VMs again and again (`lvs-lab wait`).
 */
export function localOpsHost(access: SshAccess, env: NodeJS.ProcessEnv = process.env, options: { shareConnections?: boolean } = {}): OpsHost {
  let controlDir: string | undefined;
  const reached = new Set<string>();
  const control = () => {
    if (!options.shareConnections) return undefined;
    controlDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-ssh-'));
    return controlDir;
  };
  return {
    async remote(address, commands, timeoutMs = REMOTE_TIMEOUT_MS) {
      const dir = control();
      if (dir !== undefined) reached.add(address);
      const r = await runProgram('ssh', [...sshArgs(access, address, dir), sessionScript(commands)], timeoutMs, env);
      // 255: ssh's own failure (connection, authentication); anything else is the script's last status
      if (r.error || r.status === 255 || r.status === null) return { reached: false, why: sshFailure(r, timeoutMs) };
      const steps = parseSession(r.stdout, commands.length);
      if (!steps) return { reached: false, why: `the session ended before every command ran (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim().split('\n').pop() || 'no output'}` };
      return { reached: true, steps };
    },
    local: (command, args, timeoutMs = LOCAL_TIMEOUT_MS) => runProgram(command, args, timeoutMs, env),
    httpGet,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    describeRemote: (address) => `ssh ${access.keyFile ? `-i ${access.keyFile} ` : ''}${access.user}@${address}`,
    async close() {
      if (controlDir === undefined) return;
      const dir = controlDir;
      await Promise.all([...reached].map((address) => runProgram('ssh', [...sshArgs(access, address, dir).slice(0, -1), '-O', 'exit', `${access.user}@${address}`], LOCAL_TIMEOUT_MS, env)));
      fs.rmSync(dir, { recursive: true, force: true });
      controlDir = undefined;
      reached.clear();
    },
  };
}
