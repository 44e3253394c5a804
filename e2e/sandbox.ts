/**
 * The sandbox one lab runs in (e2e/sandbox.sh made it): its namespaces, libvirt URI, run
 * directory and key, and the ways the run acts in it — a program on this machine, one in the
 * client's namespace, ssh from the client to a VM, virsh, an HTTP GET from the client, a prober.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNeighbour } from '../ops/iproute';
import { parseProbeLines, type ProbeLine } from '../ops/probe';
import { servedBy } from '../ops/traffic';
import type { Settings } from './settings';

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutSec?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
}

/** A program run to its end (at most `timeoutSec`, default 60). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Run {
  const r = spawnSync(cmd, [...args], {
    encoding: 'utf8',
    timeout: (opts.timeoutSec ?? 60) * 1000,
    env: opts.env ?? process.env,
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? ` ${r.error.message}` : ''}` };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Seconds since the epoch. */
export const now = () => Date.now() / 1000;

/** One HTTP GET's outcome: a 200, the body, what went wrong. */
export interface HttpAnswer {
  readonly ok: boolean;
  readonly body: string;
  readonly detail: string;
}

/** A prober running in the client's namespace (e2e/probe.js). */
export interface RunningProbe {
  /** Stops it and returns every probe it made. */
  stop(): Promise<ProbeLine[]>;
}

/** Drill probes: one GET of the VIP every 200 ms, each failed after 2 s without an answer. */
export const DRILL_PROBE_INTERVAL_MS = 200;
export const DRILL_PROBE_TIMEOUT_MS = 2000;

export interface Sandbox {
  readonly settings: Settings;
  /** `virsh -q -c URI ...` */
  virsh(...args: string[]): Run;
  /** A program in the client's namespace. */
  client(args: readonly string[], timeoutSec?: number): Run;
  /** A program in the client's namespace, left running. */
  spawnClient(args: readonly string[], stdio?: 'ignore' | 'pipe'): ReturnType<typeof spawn>;
  /** ssh from the client to a VM with the run's key. */
  ssh(user: string, host: string, command: string, timeoutSec?: number): Run;
  /** One HTTP GET from the client; `source` picks one of the client's addresses. */
  httpGet(url: string, opts?: { source?: string; maxTimeSec?: number }): HttpAnswer;
  /** What the client gets from a URL (https without verifying: the real servers' certificates are self-signed). */
  fetchFrom(url: string, source?: string): { code: string; body: string; name?: string };
  /** The MAC the client's neighbour table holds for an address, after a fresh resolution. */
  clientArp(ip: string): string | undefined;
  /** The client probes `url` (e2e/probe.js) until `stop()`. */
  startProbe(url: string, name: string, intervalMs?: number, timeoutMs?: number): RunningProbe;
  /** e2e/sandbox.sh's subcommands (attach-client, restart-libvirtd) for this run. */
  sandboxScript(command: string, args: readonly string[], timeoutSec?: number): Run;
}

/** The probes of a JSON-lines log e2e/probe.js wrote (none when it wrote nothing). */
export function readProbes(file: string): ProbeLine[] {
  return fs.existsSync(file) ? parseProbeLines(fs.readFileSync(file, 'utf8')) : [];
}

/** The prober's command line in the client namespace. */
export function proberArgs(settings: Settings, url: string, file: string, stopFile: string, intervalMs: number, timeoutMs: number, maxSec: number): string[] {
  return ['ip', 'netns', 'exec', settings.clientNs, process.execPath, path.join(__dirname, 'probe.js'), url, file, stopFile, String(intervalMs), String(timeoutMs), String(maxSec)];
}

export function makeSandbox(settings: Settings): Sandbox {
  const client = (args: readonly string[], timeoutSec = 30) => run('ip', ['netns', 'exec', settings.clientNs, ...args], { timeoutSec });
  const fetchLike = (args: string[], url: string, source: string | undefined, timeoutSec: number) => {
    if (source) args.push('--interface', source);
    return client([...args, url], timeoutSec);
  };
  const sb: Sandbox = {
    settings,
    virsh: (...args) => run('virsh', ['-q', '-c', settings.uri, ...args], { timeoutSec: 60 }),
    client,
    spawnClient: (args, stdio = 'ignore') => spawn('ip', ['netns', 'exec', settings.clientNs, ...args], { stdio: stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : 'ignore' }),
    ssh: (user, host, command, timeoutSec = 30) =>
      client(
        [
          'ssh', '-i', settings.sshKey, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
          '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', `${user}@${host}`, command,
        ],
        timeoutSec,
      ),
    httpGet(url, opts = {}) {
      const r = fetchLike(['curl', '-sS', '--max-time', String(opts.maxTimeSec ?? 3), '-o', '-', '-w', '\n%{http_code}'], url, opts.source, (opts.maxTimeSec ?? 3) + 5);
      const lines = r.stdout.trimEnd().split('\n');
      const code = lines.pop() ?? '';
      const body = lines.join('\n').trim();
      return { ok: r.status === 0 && code === '200', body, detail: r.status === 0 ? `HTTP ${code}` : `curl exit ${r.status}: ${r.stderr.trim()}` };
    },
    fetchFrom(url, source) {
      const r = fetchLike(['curl', '-sS', '-k', '--max-time', '3', '-o', '-', '-w', '\n%{http_code}'], url, source, 10);
      const lines = r.stdout.trimEnd().split('\n');
      const code = r.status === 0 ? lines.pop() ?? '' : `curl exit ${r.status}`;
      const body = lines.join('\n').trim();
      return { code, body, name: code === '200' ? servedBy(body) : undefined };
    },
    clientArp(ip) {
      client(['ip', 'neigh', 'flush', 'to', ip]);
      client(['ping', '-c', '1', '-W', '1', ip], 5);
      return parseNeighbour(client(['ip', 'neigh', 'show', 'to', ip]).stdout, ip)?.mac;
    },
    startProbe(url, name, intervalMs = DRILL_PROBE_INTERVAL_MS, timeoutMs = DRILL_PROBE_TIMEOUT_MS) {
      const file = path.join(settings.runDir, `probe-${name}.jsonl`);
      const stopAt = path.join(settings.runDir, `probe-${name}.stop`);
      fs.rmSync(file, { force: true });
      fs.rmSync(stopAt, { force: true });
      const [cmd, ...args] = proberArgs(settings, url, file, stopAt, intervalMs, timeoutMs, 1200);
      const proc = spawn(cmd, args, { stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
      return {
        stop: async () => {
          fs.writeFileSync(stopAt, '');
          await Promise.race([exited, sleep(5000)]);
          proc.kill();
          return readProbes(file);
        },
      };
    },
    sandboxScript: (command, args, timeoutSec = 60) => run('bash', [path.join(__dirname, 'sandbox.sh'), command, settings.runId, ...args], { timeoutSec }),
  };
  return sb;
}
