/**
 * The end-to-end run: `cdktf deploy` a lab into the sandbox that e2e/run.sh made, check it
 * from a client as a user would, `cdktf destroy` it, and record the figures.
 *
 * Started by e2e/run.sh (never directly): it needs the sandbox's LVSLAB_* variables, the two
 * images of its Debian release (E2E_IMAGE_CLOUD_<release>: no lab packages, E2E_IMAGE_LAB_<release>: preinstalled), the sandbox's Debian
 * repository (E2E_REPO), a per-run ssh key (E2E_SSH_KEY), the provider mirror
 * (TF_CLI_CONFIG_FILE) and the engine (TERRAFORM_BINARY_NAME, default terraform).
 *
 * The lab is deployed as its config says — network mode, image source and image mode — with
 * only what this machine cannot provide overridden: domain type qemu, the sandbox's libvirt URI
 * and pool, a per-run ssh key, and the signing key of the sandbox's package repository (Debian's
 * signatures cannot be had offline). The internet the config points at (image URL, package
 * mirror) is stood in for inside the sandbox (e2e/internet.ts).
 * Every functional check is an assertion; a failed one names the check and what was observed,
 * and the run still destroys the lab. Timings are recorded, never asserted, except the bounds
 * the lab's own config implies (health-check removal).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NOTIFY_LOG_FILE, NOTIFY_STATE_FILE, TLS_KEY_PATH, WEB_ROOT } from '../cloud-init/paths';
import {
  type LabConfig,
  type ResolvedLab,
  type ResolvedService,
  labConfigFromEnv,
  parseCidr,
  formatIpv4,
  resolveLabConfig,
  LAB_INTERFACE,
  defaultAddress6,
  labVips,
  serviceFamily,
  vrrpInstanceName,
  vrrpInstanceName6,
} from '../lab';
import { DIRECTOR_PACKAGES, REAL_SERVER_PACKAGES } from '../cloud-init/user-data';
import { updateBenchmark, type E2eResult } from './results';
import { bootWithoutTerraform } from './baseline';
import { bootDirectly } from './reference';
import { checkOpsFailoverDrill, checkOpsStatus, checkOpsTraffic, lvsLabArgv, type OpsCliContext } from './ops-checks';
import { attachInternet, startInternet, type Internet, type Site } from './internet';
import { ensureLan } from './lan';
import { domIfForMac, installedOrigins, parseArpLine, parseNotifyLog, parsePacketLine, type ArpLine, type VrrpTransition } from './parse';
import { FAST_FAILOVER_BOUND_SEC, FAST_FAILOVER_MARGIN_SEC, fastFailoverTakeoverSec, masterDownIntervalSec } from '../cloud-init/keepalived-conf';
// The operator commands' implementation (ops/), shared with `lvs-lab status | traffic | drill`.
import { hostPort, ipvsComplete, ipvsTable, parseIpvsServices, realServerAddress, serviceKey, serviceUrl } from '../ops/ipvs';
import { boundVips } from '../ops/iproute';
import { failoverGap, parseProbeLines, probeSummary, type ProbeLine } from '../ops/probe';
import { DESTINATION_HASH, ONE_SERVER, SINGLE_PICK, SOURCE_HASH } from '../ops/shares';

const root = path.resolve(__dirname, '..');
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start the e2e run with \`npm run test:e2e\``);
  return value;
};

const NS = env('LVSLAB_NS');
const WAN_NS = env('LVSLAB_WAN_NS');
const WAN_IP = env('LVSLAB_WAN_IP');
/** The lab namespace's end of the link to the internet stand-in (e2e/sandbox.sh). */
const UPLINK_IP = '203.0.113.2';
/** This lab's client host: the sandbox's own, or one added for a second lab (E2E_CLIENT). */
const CLIENT = process.env.E2E_CLIENT ?? '';
const CLIENT_NS = CLIENT ? `${NS}-${CLIENT}` : env('LVSLAB_CLIENT_NS');
const URI = env('LVSLAB_URI');
/** This lab's files (state, synth, logs, captures): its own directory when the sandbox holds two labs. */
const RUN_DIR = process.env.E2E_LAB_DIR || env('LVSLAB_RUN_DIR');
const POOL_DIR = env('LVSLAB_POOL_DIR');
/** The stand-in image of a release, without the lab's packages or with them (e2e/run.sh builds those its labs name). */
const imageOf = (release: number, preinstalled: boolean): string => env(`E2E_IMAGE_${preinstalled ? 'LAB' : 'CLOUD'}_${release}`);
const REPO = env('E2E_REPO');
const ENGINE = process.env.TERRAFORM_BINARY_NAME || 'terraform';
/** The CLI that deploys and destroys the lab (scripts/cdktf.sh: cdktf, or cdktn with its library). */
const CLI = process.env.LAB_CLI || 'cdktf';
/** Debian's archive, what an image without `packages.mirror` installs from. */
const DEBIAN_ARCHIVE = 'http://deb.debian.org/debian';
const SSH_KEY = env('E2E_SSH_KEY');
const LOG_DIR = path.join(RUN_DIR, 'logs');
const BIG_FILE_MIB = 16;
const READY_TIMEOUT_SEC = Number(process.env.E2E_READY_TIMEOUT_SEC ?? 1200);
/**
 * The fault drills an operator causes, beyond the MASTER crash every lab gets. e2e/run.sh spreads
 * them over the matrix (E2E_DRILLS per lab); a lab run on its own gets all of them.
 *   backup-crash      the BACKUP is killed: the MASTER serves on, no probe fails; it restarts
 *                     and comes back as BACKUP with keepalived and its IPVS table, the MASTER
 *                     keeps the VIP
 *   rs-reboot         `virsh reboot` of a real server: the VIP is back on lo with ARP silenced
 *                     (never an ARP reply for it from that server) and it rejoins the pool
 *   libvirtd-restart  libvirtd restarts under the running lab: it serves on, and the next
 *                     `cdktf deploy` changes nothing
 *   interrupted-deploy  the first `cdktf deploy` is interrupted once its first VM exists, and
 *                     deploying again converges to the full lab; after the final destroy, a
 *                     deploy is interrupted again and `cdktf destroy` leaves nothing (not when
 *                     the run measures, E2E_BASELINE=1: the interruption would be in the figure)
 *   link-down         the MASTER's NIC loses its link (`virsh domif-setlink ... down`, 10 s): keepalived
 *                     tracks lab0, so it goes FAULT and the other director takes over (outage timed
 *                     with 100 ms probes); the link returns and the MASTER takes the VIP back (or,
 *                     with nopreempt, does not). The bridged lab of the matrix (e2e/lab-multicast.yaml)
 */
const ALL_DRILLS = ['backup-crash', 'rs-reboot', 'libvirtd-restart', 'interrupted-deploy', 'link-down'] as const;
type Drill = (typeof ALL_DRILLS)[number];
const DRILLS: ReadonlySet<Drill> = (() => {
  const asked = (process.env.E2E_DRILLS ?? 'all').split(',').map((d) => d.trim()).filter(Boolean);
  if (asked.length === 1 && asked[0] === 'all') return new Set(ALL_DRILLS);
  if (asked.length === 1 && asked[0] === 'none') return new Set();
  const unknown = asked.filter((d) => !(ALL_DRILLS as readonly string[]).includes(d));
  if (unknown.length > 0) {
    process.stderr.write(`e2e: E2E_DRILLS: unknown drill(s) ${unknown.join(', ')}; allowed: all, none, or a comma list of ${ALL_DRILLS.join(', ')}\n`);
    process.exit(2);
  }
  return new Set(asked as Drill[]);
})();
/** Drill probes: one GET of the VIP every 200 ms, each failed after 2 s without an answer. */
const DRILL_PROBE_INTERVAL_MS = 200;
const DRILL_PROBE_TIMEOUT_MS = 2000;

// ---------------------------------------------------------------------------------------------
// processes

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], opts: { timeoutSec?: number; env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  const r = spawnSync(cmd, [...args], {
    encoding: 'utf8',
    timeout: (opts.timeoutSec ?? 60) * 1000,
    env: opts.env ?? process.env,
    input: opts.input,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? ` ${r.error.message}` : ''}` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Date.now() / 1000;
/** Two labs may run at once (E2E_HANDOFF_DIR): each line names its lab. */
let logLabel = '';
const log = (msg: string) => process.stderr.write(`[e2e ${logLabel}${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const virsh = (...args: string[]) => run('virsh', ['-q', '-c', URI, ...args], { timeoutSec: 60 });
const client = (args: readonly string[], timeoutSec = 30) => run('ip', ['netns', 'exec', CLIENT_NS, ...args], { timeoutSec });

function ssh(user: string, host: string, command: string, timeoutSec = 30): Run {
  return client(
    [
      'ssh', '-i', SSH_KEY, '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=5', `${user}@${host}`, command,
    ],
    timeoutSec,
  );
}

/** One HTTP GET from the client; `source` picks one of the client's addresses. */
function httpGet(url: string, opts: { source?: string; maxTimeSec?: number } = {}): { ok: boolean; body: string; detail: string } {
  const args = ['curl', '-sS', '--max-time', String(opts.maxTimeSec ?? 3), '-o', '-', '-w', '\n%{http_code}'];
  if (opts.source) args.push('--interface', opts.source);
  const r = client([...args, url], (opts.maxTimeSec ?? 3) + 5);
  const lines = r.stdout.trimEnd().split('\n');
  const code = lines.pop() ?? '';
  const body = lines.join('\n').trim();
  return { ok: r.status === 0 && code === '200', body, detail: r.status === 0 ? `HTTP ${code}` : `curl exit ${r.status}: ${r.stderr.trim()}` };
}

/** `served-by rs-1 192.168.20.143` -> `rs-1`. */
const servedBy = (body: string) => /^served-by (\S+)/.exec(body)?.[1];

// ---------------------------------------------------------------------------------------------
// checks

class CheckFailed extends Error {}

interface CheckRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly seconds: number;
}

const checks: CheckRecord[] = [];

/** Runs one named check; a failure is recorded with what was observed and the run goes on. */
async function check(name: string, fn: () => Promise<string> | string): Promise<boolean> {
  const start = now();
  log(`check: ${name}`);
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail, seconds: now() - start });
    log(`  ok: ${detail}`);
    return true;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    checks.push({ name, ok: false, detail, seconds: now() - start });
    log(`  FAILED: ${detail}`);
    return false;
  }
}

function expect(condition: boolean, observed: string): void {
  if (!condition) throw new CheckFailed(observed);
}

/** Polls `probe` every `everyMs` until it returns a value, or fails naming what never happened. */
async function waitFor<T>(what: string, timeoutSec: number, probe: () => T | undefined, everyMs = 1000, explain?: () => string): Promise<T> {
  const deadline = now() + timeoutSec;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (now() > deadline) {
      throw new CheckFailed(`timed out after ${timeoutSec}s waiting for ${what}${explain ? `: ${explain()}` : ''}`);
    }
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// the lab

/**
 * The user's lab with only this machine's overrides applied: domain type, libvirt URI and
 * pool, the ssh key (a config that lists keys gets the run's key instead; one that lists none
 * keeps none, and the deploy authorizes the user's default key, which is the run's key in the
 * HOME the harness gives cdktf: DEFAULT_KEY_HOME), and — when the VMs install packages — the
 * sandbox repository's signing key (trusted for the config's mirror, or for Debian's archive URL
 * the image would use anyway).
 */
function e2eLabConfig(base: LabConfig, sshPublicKey: string, repoKey: string): LabConfig {
  const installs = !(base.image?.preinstalled ?? false);
  const listsKeys = (base.ssh?.authorizedKeys ?? []).length > 0;
  return {
    ...base,
    libvirtUri: URI,
    domainType: 'qemu',
    storagePoolPath: path.join(POOL_DIR, base.name ?? 'lvs-lab'),
    ssh: { ...base.ssh, user: base.ssh?.user ?? 'lab', ...(listsKeys ? { authorizedKeys: [sshPublicKey] } : {}) },
    ...(installs ? { packages: { ...base.packages, mirror: base.packages?.mirror ?? DEBIAN_ARCHIVE, signingKey: repoKey } } : {}),
  };
}

/**
 * What the stand-in serves for this lab: the image at its URL (the image without the lab's
 * packages, or with them when the config says `preinstalled`), the repository at the mirror
 * URLs. Returns the sites and the image file the VMs boot.
 */
function standInSites(lab: ResolvedLab): { sites: Site[]; image: string } {
  const sites: Site[] = [];
  let image = lab.image.source;
  if (/^https?:\/\//.test(lab.image.source)) {
    image = imageOf(lab.image.release, lab.image.preinstalled);
    sites.push({ url: lab.image.source, target: image });
  } else if (!fs.existsSync(lab.image.source)) {
    throw new CheckFailed(`image.source ${lab.image.source} does not exist on this machine`);
  }
  if (!lab.image.preinstalled && lab.network.mode !== 'nat' && lab.network.gateway === undefined) {
    throw new CheckFailed(
      `network.mode ${lab.network.mode} without network.gateway: the VMs have no way to a package mirror, but image.preinstalled is false ` +
        '(set network.gateway, use nat, or a preinstalled image)',
    );
  }
  if (lab.packages?.proxy !== undefined) {
    throw new CheckFailed(`packages.proxy ${lab.packages.proxy}: the sandbox has no proxy stand-in; use packages.mirror`);
  }
  for (const [url, dir] of [[lab.packages?.mirror, 'debian'], [lab.packages?.securityMirror, 'debian-security']] as const) {
    if (url === undefined) continue;
    if (!url.startsWith('http://')) throw new CheckFailed(`${url}: the VMs trust no stand-in TLS certificate; an e2e mirror must be http://`);
    sites.push({ url, target: path.join(REPO, dir) });
  }
  return { sites, image };
}

/**
 * The HOME cdktf and the doctor run with: `.ssh/id_ed25519` there is the run's key, the key a
 * user's deploy authorizes when the config lists none (app-lab.ts).
 */
const DEFAULT_KEY_HOME = path.join(RUN_DIR, 'home');
/** What a changed HOME must not move: the provider build cached by scripts/provider.sh. */
const HOME_KEPT = {
  LVS_LAB_CACHE: process.env.LVS_LAB_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(process.env.HOME || '/root', '.cache'), 'lvs-dr-lab'),
  npm_config_cache: process.env.npm_config_cache || path.join(process.env.HOME || '/root', '.npm'),
};
function makeDefaultKeyHome(): void {
  const dir = path.join(DEFAULT_KEY_HOME, '.ssh');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.copyFileSync(SSH_KEY, path.join(dir, 'id_ed25519'));
  fs.chmodSync(path.join(dir, 'id_ed25519'), 0o600);
  fs.copyFileSync(`${SSH_KEY}.pub`, path.join(dir, 'id_ed25519.pub'));
}

/** The command line and environment of cdktf inside the lab namespace. */
function cdktfCommand(command: 'deploy' | 'destroy', labFile: string, caFile?: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const cli = [path.join(root, 'scripts', 'cdktf.sh'), command, '--auto-approve', '--output', path.join(RUN_DIR, 'cdktf.out')];
  return {
    args: ['netns', 'exec', NS, 'bash', ...cli],
    env: {
      ...process.env,
      // The provider (Go) trusts the stand-in's CA for https image URLs.
      ...(caFile ? { SSL_CERT_FILE: caFile } : {}),
      TERRAFORM_BINARY_NAME: ENGINE,
      HOME: DEFAULT_KEY_HOME,
      ...HOME_KEPT,
      LAB_CONFIG: labFile,
      LAB_CONSOLE_LOG_DIR: LOG_DIR,
      LAB_STATE_FILE: path.join(RUN_DIR, 'terraform.tfstate'),
      CHECKPOINT_DISABLE: '1',
      CI: '1',
      FORCE_COLOR: '0',
    },
  };
}

/**
 * A `cdktf deploy` interrupted as an operator does it: Ctrl-C (SIGINT to its whole process
 * group, as a terminal sends it) once the lab's first VM exists. Returns what the VMs were then
 * and how the deploy ended.
 */
async function interruptedDeploy(lab: ResolvedLab, labFile: string, caFile?: string): Promise<{ exit: number | null; signal: string | null; domains: string[]; afterSec: number }> {
  const { args, env: cdktfEnv } = cdktfCommand('deploy', labFile, caFile);
  const logFile = path.join(LOG_DIR, 'cdktf-deploy-interrupted.log');
  const out = fs.openSync(logFile, 'a');
  const start = now();
  const proc = spawn('ip', args, { env: cdktfEnv, stdio: ['ignore', out, out], detached: true });
  const ended = new Promise<{ exit: number | null; signal: string | null }>((resolve) => proc.on('exit', (exit, signal) => resolve({ exit, signal })));
  let finished: { exit: number | null; signal: string | null } | undefined;
  void ended.then((e) => (finished = e));
  const domains = await waitFor(`the interrupted deploy's first VM (see ${logFile})`, 600, () => {
    if (finished) throw new CheckFailed(`the deploy ended (exit ${finished.exit}) before any VM existed; see ${logFile}`);
    const d = labDomains(lab);
    return d.length > 0 ? d : undefined;
  }, 250);
  const afterSec = now() - start;
  process.kill(-proc.pid!, 'SIGINT');
  const timeout = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, 180_000);
  const end = await ended;
  clearTimeout(timeout);
  fs.closeSync(out);
  return { ...end, domains, afterSec };
}

/** The domains of this lab's VMs that libvirt does not list as running. */
function domainsNotRunning(lab: ResolvedLab): string[] {
  const running = new Set(virsh('list', '--name').stdout.split('\n').map((l) => l.trim()));
  return [...lab.directors, ...lab.realServers].map((vm) => vm.domainName).filter((d) => !running.has(d));
}

/** The libvirt domains of this lab (`<lab>--<vm>`), whatever their state. */
function labDomains(lab: ResolvedLab): string[] {
  return virsh('list', '--all', '--name').stdout.split('\n').map((l) => l.trim()).filter((n) => n.startsWith(`${lab.name}--`));
}

/** cdktf inside the lab namespace, where the provider reaches libvirt and the internet stand-in. */
function cdktf(command: 'deploy' | 'destroy', labFile: string, timeoutSec: number, caFile?: string): Run & { seconds: number } {
  const start = now();
  const c = cdktfCommand(command, labFile, caFile);
  const r = run('ip', c.args, { timeoutSec, env: c.env });
  fs.appendFileSync(path.join(LOG_DIR, `cdktf-${command}.log`), `${r.stdout}\n${r.stderr}\n`);
  return { ...r, seconds: now() - start };
}

/** Client addresses: the top of the subnet, clear of every lab address. */
/** The client's IPv6 address beside an IPv4 one, as the lab derives its VMs' (fd77::/64, 10.77.0.254 -> fd77::254). */
const clientAddress6 = (lab: ResolvedLab, ip: string): string => defaultAddress6(lab.network.ipv6!.cidr, ip)!;

function clientAddresses(lab: ResolvedLab, count: number): string[] {
  const net = parseCidr(lab.network.cidr)!;
  const used = new Set([
    ...lab.directors.map((d) => d.address),
    ...lab.realServers.map((r) => r.address),
    ...lab.services.map((s) => s.vip),
    ...(lab.network.gateway ? [lab.network.gateway] : []),
  ]);
  const out: string[] = [];
  for (let host = net.broadcastAddress - 1; host > net.networkAddress && out.length < count; host--) {
    const ip = formatIpv4(host);
    if (!used.has(ip)) out.push(ip);
  }
  return out;
}

/** Which director holds the VIP right now (from the directors themselves). */
function vipHolder(lab: ResolvedLab, vip: string): string | undefined {
  return lab.directors.find((d) => holdsVip(lab, d, vip))?.name;
}

/** The MAC the client's neighbour table holds for an address, after a fresh resolution. */
function clientArp(ip: string): string | undefined {
  client(['ip', 'neigh', 'flush', 'to', ip]);
  client(['ping', '-c', '1', '-W', '1', ip], 5);
  const r = client(['ip', 'neigh', 'show', 'to', ip]);
  return /lladdr ([0-9a-f:]{17})/.exec(r.stdout)?.[1];
}

// ---------------------------------------------------------------------------------------------
// main

/**
 * Two labs in one sandbox (e2e/run.sh, E2E_HANDOFF_DIR): the first, its checks done, waits for
 * the second to serve, then is destroyed while the second is probed; each writes its steps as
 * files there. E2E_HANDOFF_ROLE is `first` or `second`.
 */
const HANDOFF_DIR = process.env.E2E_HANDOFF_DIR || undefined;
const HANDOFF_ROLE = process.env.E2E_HANDOFF_ROLE as 'first' | 'second' | undefined;
const handoffFile = (step: string) => path.join(HANDOFF_DIR!, step);
const handoffSay = (step: string) => { if (HANDOFF_DIR) fs.writeFileSync(handoffFile(step), `${new Date().toISOString()}\n`); };
/** Waits for one of `steps` (bounded); returns the one that came. */
async function handoffAwait(steps: readonly string[], timeoutSec: number): Promise<string> {
  return waitFor(`the other lab to reach ${steps.join(' or ')}`, timeoutSec, () => steps.find((st) => fs.existsSync(handoffFile(st))), 2000);
}

/**
 * The sites every lab of this sandbox needs (E2E_STANDIN_CONFIGS: the other labs' configs), so
 * that the first lab's stand-in serves the second as well.
 */
function siblingSites(sshPublicKey: string, repoKey: string): Site[] {
  const files = (process.env.E2E_STANDIN_CONFIGS ?? '').split(':').filter(Boolean);
  return files.flatMap((file) => standInSites(resolveLabConfig(e2eLabConfig(labConfigFromEnv({ LAB_CONFIG: file }), sshPublicKey, repoKey))).sites);
}

async function main(): Promise<number> {
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const base = labConfigFromEnv(process.env);
  const configSource = process.env.LAB_CONFIG ?? '(built-in default)';
  const sshPublicKey = fs.readFileSync(`${SSH_KEY}.pub`, 'utf8').trim();
  const repoKey = fs.readFileSync(path.join(REPO, 'archive-key.asc'), 'utf8');
  const labConfig = e2eLabConfig(base, sshPublicKey, repoKey);
  const lab = resolveLabConfig(labConfig);
  if (HANDOFF_DIR) logLabel = `${lab.name} `;
  const { sites, image } = standInSites(lab);
  /** The names this lab's config points at (the sandbox's stand-in may serve another lab's too). */
  const ownHosts = [...new Set(sites.map((x) => new URL(x.url).hostname))];
  const installs = !lab.image.preinstalled;
  const labFile = path.join(RUN_DIR, 'lab.json');
  fs.writeFileSync(labFile, JSON.stringify(labConfig, null, 2));
  makeDefaultKeyHome();
  const defaultKey = (labConfig.ssh?.authorizedKeys ?? []).length === 0;
  const user = lab.ssh.user;
  // The initial MASTER is whoever holds the VIP once the lab is ready: with nopreempt every
  // director starts BACKUP and the election decides. Re-read after readiness.
  let master = lab.directors[0];
  let backup = lab.directors[1];
  // The IPv4 TCP services go through every generic check; IPv6 ones have checks of their own.
  const tcpServices = lab.services.filter((s) => s.protocol === 'TCP' && serviceFamily(s) === 4);
  const v6Services = lab.services.filter((s) => s.protocol === 'TCP' && serviceFamily(s) === 6);
  const result: E2eResult = {
    lab: lab.name,
    config: configSource,
    transport: lab.vrrp.transport,
    engine: CLI === 'cdktf' ? ENGINE : `${ENGINE} by ${CLI}`,
    networkMode: lab.network.mode,
    release: lab.image.release,
    imageMode: `${/^https?:/.test(lab.image.source) ? 'URL' : 'path'}, ${installs ? 'packages at first boot' : 'preinstalled'}`,
    startedAt: new Date().toISOString(),
    directors: lab.directors.length,
    realServers: lab.realServers.length,
    advertIntSec: lab.vrrp.advertIntSec,
    connectionSync: lab.vrrp.connectionSync,
    ...(HANDOFF_ROLE === 'second' ? { besideAnother: true } : {}),
    checks,
    figures: {},
  };
  log(`lab ${lab.name} from ${configSource}: ${lab.directors.length} directors, ${lab.realServers.length} real servers, ${lab.vrrp.transport} VRRP, ` +
    `${lab.network.mode} network, image ${result.imageMode}, engine ${result.engine}`);
  expect(tcpServices.length > 0, 'the lab has no TCP service: the harness checks through HTTP');

  const deployStart = now();
  /** When the readiness check passed (seconds, as now()). */
  let readyAt = Number.POSITIVE_INFINITY;
  let deployed = false;
  const stopFile = path.join(RUN_DIR, 'probe.stop');
  const pcap = path.join(RUN_DIR, 'client.pcap');
  let tcpdump: ReturnType<typeof spawn> | undefined;
  let egressDump: ReturnType<typeof spawn> | undefined;
  let internet: Internet | undefined;
  const egressPcap = path.join(RUN_DIR, 'egress.pcap');
  const lanDnsLog = path.join(LOG_DIR, 'lan-dns.log');
  const lan = (bridge: string) =>
    ensureLan({ ns: NS, wanNs: WAN_NS, wanIp: WAN_IP, uplinkIp: UPLINK_IP, bridge, lab, dnsLog: lanDnsLog });

  try {
    // 0. the world the config points at: the stand-in internet, and in bridge mode the LAN.
    const okWorld = await check('the sandbox stands in for what the config points at', () => {
      const shared = process.env.E2E_SHARED_INTERNET;
      if (shared) {
        internet = attachInternet(shared);
        const missing = ownHosts.filter((h) => !internet!.hosts.includes(h));
        expect(missing.length === 0, `the sandbox's stand-in (${shared}) does not answer for ${missing.join(', ')}`);
      } else {
        const all = [...sites, ...siblingSites(sshPublicKey, repoKey).filter((x) => !sites.some((y) => y.url === x.url))];
        internet = startInternet({ wanNs: WAN_NS, wanIp: WAN_IP, dir: path.join(RUN_DIR, 'internet'), sites: all });
      }
      if (lab.network.mode === 'bridge') lan(lab.network.bridge!);
      // Every packet a lab address sends off its subnet, and every DNS query, for the whole run.
      const net = `${lab.network.networkAddress}/${lab.network.prefixLength}`;
      egressDump = spawn('ip', ['netns', 'exec', NS, 'tcpdump', '-i', 'any', '-nn', '-s', '512', '-U', '-w', egressPcap,
        `ip and src net ${net} and ((not dst net ${net} and not dst net 224.0.0.0/4 and not dst host 255.255.255.255) or port 53)`], {
        stdio: ['ignore', 'ignore', fs.openSync(path.join(LOG_DIR, 'egress-tcpdump.log'), 'w')],
      });
      return `${sites.map((x) => x.url).join(', ') || 'nothing to stand in for'}; DNS for ${ownHosts.join(', ') || 'no name'}` +
        (shared ? ' (the stand-in of the lab beside it)' : '') +
        (lab.network.mode === 'bridge' ? `; host bridge ${lab.network.bridge}${lab.network.gateway ? ` with a router at ${lab.network.gateway}` : ''}` : '');
    });
    if (!okWorld) return finish();

    // 1. deploy, exactly as a user would.
    // The operator's first command: the doctor, on this lab namespace (its libvirtd, bridge,
    // routes, iptables), with the config the deploy uses; every check must pass.
    await check('lvs-lab doctor --json: every check passes before the deploy', () => {
      const r = run('ip', lvsLabArgv(NS, ['doctor', '--json']), {
        timeoutSec: 180,
        env: { ...process.env, HOME: DEFAULT_KEY_HOME, ...HOME_KEPT, LAB_CONFIG: labFile, TERRAFORM_BINARY_NAME: ENGINE, FORCE_COLOR: '0' },
      });
      fs.appendFileSync(path.join(LOG_DIR, 'ops-doctor.log'), `$ lvs-lab doctor --json (exit ${r.status})\n${r.stdout}\n${r.stderr}\n`);
      let report: { ok: boolean; checks: { id: string; ok: boolean; problem?: string; warning?: string; fix?: string }[] };
      try {
        report = JSON.parse(r.stdout);
      } catch {
        throw new CheckFailed(`doctor printed no JSON (exit ${r.status}): ${tail(r.stderr)}`);
      }
      const failed = report.checks.filter((x) => !x.ok);
      expect(r.status === 0 && report.ok && failed.length === 0, `doctor exited ${r.status}: ${failed.map((x) => `${x.id}: ${x.problem ?? ''} (fix: ${x.fix ?? '-'})`).join('; ')}`);
      const warned = report.checks.filter((x) => x.warning);
      return `${report.checks.length} checks passed: ${report.checks.map((x) => x.id).join(', ')}` +
        (warned.length ? `; warnings: ${warned.map((x) => `${x.id}: ${x.warning}`).join('; ')}` : '');
    });

    const interrupt = DRILLS.has('interrupted-deploy') && process.env.E2E_BASELINE !== '1';
    if (interrupt) {
      await check(`drill: interrupted deploy: Ctrl-C once the first VM exists (${result.engine})`, async () => {
        const r = await interruptedDeploy(lab, labFile, internet?.caFile);
        deployed = true;
        result.figures.drills = { ...result.figures.drills, interruptedDeployAtSec: round1(r.afterSec) };
        return `interrupted ${r.afterSec.toFixed(0)} s in, with ${r.domains.join(', ')} defined; it ended with ${r.signal ?? `exit ${r.exit}`}`;
      });
    }
    const okDeploy = await check(interrupt ? `${CLI} deploy again converges to the whole lab (${result.engine})` : `${CLI} deploy creates the lab (${result.engine})`, () => {
      const r = cdktf('deploy', labFile, 1800, internet?.caFile);
      deployed = true;
      expect(r.status === 0, `cdktf deploy exited ${r.status}: ${tail(r.stdout + r.stderr)}`);
      result.figures.deploySec = round(r.seconds);
      return `deployed in ${r.seconds.toFixed(0)}s`;
    });
    if (!okDeploy) return finish();

    // 2. the client joins the lab bridge.
    const [clientIp, ...extraSources] = clientAddresses(lab, 17);
    const clientSources6 = lab.network.ipv6 ? [clientIp, ...extraSources].slice(0, 9).map((ip) => clientAddress6(lab, ip)) : [];
    const prefix = lab.network.prefixLength;
    await check('the client joins the lab segment', () => {
      let bridge = lab.network.bridge;
      if (lab.network.mode !== 'bridge') {
        const info = virsh('net-info', `${lab.name}-net`);
        bridge = /Bridge:\s+(\S+)/.exec(info.stdout)?.[1];
        expect(bridge !== undefined, `no bridge for network ${lab.name}-net: ${info.stdout}${info.stderr}`);
      }
      const r = run('bash', [path.join(__dirname, 'sandbox.sh'), 'attach-client', env('LVSLAB_RUNID'), bridge!, `${clientIp}/${prefix}`, ...(CLIENT ? [CLIENT] : [])]);
      expect(r.status === 0, `attach-client failed: ${r.stderr}`);
      for (const ip of extraSources) client(['ip', 'addr', 'add', `${ip}/${prefix}`, 'dev', 'eth0']);
      // On a dual-stack lab the client has an IPv6 address of the lab prefix for each IPv4 one.
      for (const ip of clientSources6) {
        const a = client(['ip', '-6', 'addr', 'add', `${ip}/${lab.network.ipv6!.prefixLength}`, 'dev', 'eth0', 'nodad']);
        expect(a.status === 0, `ip -6 addr add ${ip}: ${a.stderr}`);
      }
      return `client ${clientIp} (+${extraSources.length} source addresses)${clientSources6.length ? `, ${clientSources6[0]} (+${clientSources6.length - 1})` : ''} on ${bridge}`;
    });

    // Capture ARP and the services' replies at the client for the whole run (headers only).
    const vips = labVips(lab);
    const filter = `arp or (${tcpServices.map((s) => `(src host ${s.vip} and src port ${s.port})`).join(' or ')})`;
    tcpdump = spawn('ip', ['netns', 'exec', CLIENT_NS, 'tcpdump', '-i', 'eth0', '-nn', '-s', '128', '-U', '-w', pcap, filter], {
      stdio: ['ignore', 'ignore', fs.openSync(path.join(LOG_DIR, 'tcpdump.log'), 'w')],
    });

    // 3. readiness: every real server answers through every VIP, and the MASTER's table is complete.
    const ready = await check('every real server answers through the VIP (readiness)', async () => {
      const seen = new Map<string, Set<string>>(tcpServices.map((s) => [serviceUrl(s), new Set<string>()]));
      const expected = (s: ResolvedService) =>
        s.realServers.filter((n) => lab.realServers.find((r) => r.name === n)!.weight > 0);
      const sources = [clientIp, ...extraSources];
      const finished = new Set<string>();
      let attempt = 0;
      await waitFor(
        "every real server to answer through its VIP and every VM's cloud-init to finish",
        READY_TIMEOUT_SEC,
        () => {
          attempt++;
          for (const s of tcpServices) {
            // Hash schedulers stick a source to one server: vary the source address.
            const source = sources[attempt % sources.length];
            const r = httpGet(serviceUrl(s), { source, maxTimeSec: 2 });
            const name = r.ok ? servedBy(r.body) : undefined;
            if (name) seen.get(serviceUrl(s))!.add(name);
          }
          const done = tcpServices.every((s) =>
            ONE_SERVER.has(s.scheduler)
              ? seen.get(serviceUrl(s))!.size >= 1
              : expected(s).every((n) => seen.get(serviceUrl(s))!.has(n)),
          );
          // Served is not yet ready: a director still installing keepalived has not joined the
          // election (the other holds the VIP meanwhile).
          return done && bootFinished(lab, finished) ? true : undefined;
        },
        300,
        () =>
          tcpServices
            .map((s) => `${serviceUrl(s)} answered from [${[...seen.get(serviceUrl(s))!].join(', ')}], expected [${expected(s).join(', ')}]`)
            .join('; ') + `; cloud-init finished on [${[...finished].join(', ')}]; ${cloudInitStatus(lab)}`,
      );
      result.figures.timeToReadySec = round1(now() - deployStart);
      readyAt = now();
      return `ready ${result.figures.timeToReadySec}s after deploy start`;
    });
    if (!ready) return finish();

    if (defaultKey) {
      await check("the config lists no ssh key: the deploy authorized the user's default key, which logs in to every VM", () => {
        const log = fs.readFileSync(path.join(LOG_DIR, 'cdktf-deploy.log'), 'utf8');
        expect(log.includes('authorizing ~/.ssh/id_ed25519.pub for user'), `the deploy output does not say which key it authorized (${path.join(LOG_DIR, 'cdktf-deploy.log')})`);
        for (const vm of [...lab.directors, ...lab.realServers]) {
          const r = ssh(user, vm.address, 'id -un', 15);
          expect(r.status === 0 && r.stdout.trim() === user, `ssh ${user}@${vm.name} with ~/.ssh/id_ed25519: exit ${r.status} ${r.stderr.trim()}`);
        }
        return `"authorizing ~/.ssh/id_ed25519.pub" in the deploy output; ${user}@ every VM with that key`;
      });
    }

    await check('one director holds the VIP (the MASTER)', async () => {
      // The last director to finish booting may still be winning the election (preemption).
      const settleSec = 3 * lab.vrrp.advertIntSec + 5;
      let holderName: string | undefined;
      await waitFor(`the election to settle within ${settleSec}s`, settleSec, () => {
        holderName = vipHolder(lab, tcpServices[0].vip);
        return holderName !== undefined && (lab.vrrp.nopreempt || holderName === lab.directors[0].name) ? true : undefined;
      }, 1000).catch(() => undefined);
      expect(holderName !== undefined, `no director has ${tcpServices[0].vip} on lab0`);
      master = lab.directors.find((d) => d.name === holderName)!;
      backup = lab.directors.find((d) => d.name !== holderName)!;
      // Without nopreempt the highest priority must win the election.
      if (!lab.vrrp.nopreempt) {
        expect(master.name === lab.directors[0].name, `${master.name} holds the VIP, expected the highest priority ${lab.directors[0].name}`);
      }
      return `${master.name} (priority ${master.priority}) is MASTER; ${backup.name} is BACKUP`;
    });

    await check("the MASTER's IPVS table lists every real server with its weight, forwarding by DR", async () => {
      const table = await waitFor('a complete IPVS table on the MASTER', 120, () => {
        const r = ssh(user, master.address, 'sudo ipvsadm -Ln', 15);
        const t = ipvsTable(r.stdout);
        return ipvsComplete(lab, t) ? t : undefined;
      }, 2000, () => ssh(user, master.address, 'sudo ipvsadm -Ln', 15).stdout);
      const lines: string[] = [];
      for (const s of lab.services) {
        const rows = table.get(serviceKey(s))!;
        for (const name of s.realServers) {
          const rs = lab.realServers.find((r) => r.name === name)!;
          const address = realServerAddress(s, rs);
          const row = rows.find((x) => x.address === address);
          expect(row !== undefined, `${address} missing from ${serviceKey(s)}`);
          // A firewall-mark service's real servers have no port (the client's port is kept).
          const wantPort = s.fwmark !== undefined ? 0 : s.port;
          expect(row!.port === wantPort, `${address} on port ${row!.port}, expected ${wantPort}`);
          expect(row!.forward === 'Route', `${address} forwarded by ${row!.forward}, expected Route (DR)`);
          expect(row!.weight === rs.weight, `${address} weight ${row!.weight}, expected ${rs.weight}`);
          lines.push(`${hostPort(address, row!.port)} Route w${row!.weight}`);
        }
      }
      return lines.join(', ');
    });

    if (HANDOFF_ROLE === 'second') {
      await check('side by side: the lab beside this one is destroyed while this one serves, with no failed probe', async () => {
        const probe = startProbe(serviceUrl(tcpServices[0]), 'beside');
        let probes: ProbeLine[] = [];
        let came: string;
        try {
          await sleep(2000);
          handoffSay('second.serving');
          came = await handoffAwait(['first.destroyed', 'first.done'], 1800);
          await sleep(3000);
        } finally {
          probes = await probe.stop();
        }
        expect(came === 'first.destroyed', 'the lab beside this one ended without its destroy (see its checks)');
        const summary = probeSummary(probes);
        result.figures.drills = { ...result.figures.drills, besideDestroyFailedProbes: summary.failed };
        const down = domainsNotRunning(lab);
        expect(down.length === 0, `not running after the other lab's destroy: ${down.join(', ')}`);
        expect(probes.length >= 20, `only ${probes.length} probes: the client could not probe`);
        expect(summary.failed === 0, `while the other lab was destroyed: ${summary.text}`);
        return `the other lab destroyed; ${summary.text}; ${lab.directors.length + lab.realServers.length} domains of ${lab.name} running`;
      });
    }

    await check(`every real server serves a ${BIG_FILE_MIB} MiB file for the long-transfer checks`, () => {
      for (const rs of lab.realServers) {
        const r = ssh(user, rs.address, `sudo sh -c 'head -c ${BIG_FILE_MIB}M /dev/zero > ${WEB_ROOT}/big.bin'`, 60);
        expect(r.status === 0, `could not create ${WEB_ROOT}/big.bin on ${rs.name}: ${r.stderr}`);
      }
      return `${WEB_ROOT}/big.bin on ${lab.realServers.length} real servers`;
    });

    for (const s of tcpServices) {
      await check(`${serviceUrl(s)} balances as ${s.scheduler}${s.persistenceTimeoutSec ? ` with persistence ${s.persistenceTimeoutSec}s` : ''}`, () =>
        balanceCheck(lab, s, clientIp, extraSources, master),
      );
    }

    await check("the VIP's ARP entry is the MASTER director's MAC", () => {
      const observed = vips.map((vip) => [vip, clientArp(vip)] as const);
      for (const [vip, mac] of observed) {
        expect(mac === master.macAddress, `${vip} is-at ${mac}, expected ${master.name} ${master.macAddress}`);
      }
      return observed.map(([vip, mac]) => `${vip} is-at ${mac} (${master.name})`).join(', ');
    });

    await check('no real server answers ARP for the VIP', () => {
      const replies: string[] = [];
      for (const vip of vips) {
        const r = client(['arping', '-c', '3', '-w', '4', '-I', 'eth0', vip], 10);
        replies.push(...[...r.stdout.matchAll(/from ([0-9a-f:]{17})/gi)].map((m) => m[1].toLowerCase()));
      }
      const rsMacs = new Set(lab.realServers.map((r) => r.macAddress));
      expect(replies.length > 0, 'no ARP reply for the VIP at all');
      const bad = replies.filter((m) => rsMacs.has(m));
      expect(bad.length === 0, `real server MACs answered ARP for the VIP: ${bad.join(', ')}`);
      const seen = arpRepliesFor(vips);
      const rsInCapture = seen.filter((m) => rsMacs.has(m));
      expect(rsInCapture.length === 0, `the capture holds ARP replies for the VIP from real servers: ${rsInCapture.join(', ')}`);
      return `arping: ${replies.length} replies, all from ${[...new Set(replies)].map((m) => nameOfMac(lab, m)).join(', ')}; capture so far: ${seen.length} replies, none from a real server`;
    });

    if (v6Services.length > 0) {
      for (const s of v6Services) await ipv6ServiceChecks(lab, s, clientSources6, master);
    }

    // The operator commands (npm run lvs-lab -- status | traffic | drill failover), run as a user on
    // the segment runs them, asserted against what the checks above found.
    const ops: OpsCliContext = { clientNs: CLIENT_NS, sshKey: SSH_KEY, labConfigFile: labFile, logDir: LOG_DIR };
    await check('lvs-lab status --json: the MASTER, the VIP\'s MAC, the IPVS tables, the real servers', () => checkOpsStatus(ops, lab, master));
    await check('lvs-lab traffic --json: every share within tolerance of the scheduler\'s prediction', () => checkOpsTraffic(ops, lab));
    await check('lvs-lab status, traffic and drill rs-down as an operator reads them: each exits 0', () => {
      const victim = lab.realServers[lab.realServers.length - 1];
      const out: string[] = [];
      for (const args of [['status'], ['traffic', '-n', '200'], ['drill', 'rs-down', victim.name]]) {
        const r = run('ip', lvsLabArgv(CLIENT_NS, [...args, '--ssh-key', SSH_KEY]), { timeoutSec: 300, env: { ...process.env, LAB_CONFIG: labFile, FORCE_COLOR: '0' } });
        fs.appendFileSync(path.join(LOG_DIR, 'ops-human.log'), `$ npm run --silent lvs-lab -- ${args.join(' ')}; echo "exit status $?"\n${r.stdout}${r.stderr}exit status ${r.status}\n\n`);
        expect(r.status === 0, `lvs-lab ${args.join(' ')} exited ${r.status}: ${tail(r.stdout + r.stderr)}`);
        out.push(`${args.join(' ')}: exit 0`);
      }
      return `${out.join('; ')} (output in ${path.join(LOG_DIR, 'ops-human.log')})`;
    });

    await check('a large response flows real server -> client directly, not through the director', async () => {
      const s = tcpServices[0];
      const counters = () => {
        const r = ssh(user, master.address, 'cat /sys/class/net/lab0/statistics/tx_bytes /sys/class/net/lab0/statistics/rx_bytes', 10);
        const [tx, rx] = r.stdout.trim().split('\n').map(Number);
        return { tx, rx };
      };
      const before = counters();
      const r = client(['curl', '-sS', '--max-time', '120', '-o', '/dev/null', '-w', '%{size_download}', serviceUrl(s, 'big.bin')], 130);
      const after = counters();
      const served = Number(r.stdout);
      expect(r.status === 0 && served === BIG_FILE_MIB * 1024 * 1024, `download failed: curl ${r.status}, ${r.stdout} bytes, ${r.stderr}`);
      const directorTx = after.tx - before.tx;
      // The client's request and ACKs reach the real server through the MASTER: it must have
      // carried them, or this director is not the one forwarding (and the figure means nothing).
      const directorRx = after.rx - before.rx;
      expect(directorRx > 2000, `${master.name} received only ${directorRx} bytes during the download: it is not forwarding the client's packets`);
      const fraction = directorTx / served;
      result.figures.directorTxFraction = Number(fraction.toFixed(4));
      expect(fraction < 0.1, `the director transmitted ${directorTx} bytes for ${served} served (${(fraction * 100).toFixed(1)}%): replies pass through it`);
      return `${served} bytes served; the director transmitted ${directorTx} (${(fraction * 100).toFixed(2)}%) and received ${directorRx}`;
    });

    await check("replies from the VIP reach the client with a real server's MAC, never the director's", () => {
      client(['sh', '-c', 'sleep 1']);
      const r = run('tcpdump', ['-nn', '-e', '-tt', '-r', pcap, `not arp`], { timeoutSec: 60 });
      const macs = new Map<string, number>();
      // From readiness on: before it, while no real server of a service with sorryServer answers
      // yet, the directors' sorry site rightly answers from the VIP (first boot).
      for (const m of r.stdout.matchAll(/^(\d+\.\d+) ([0-9a-f:]{17}) > /gm)) {
        if (Number(m[1]) >= readyAt) macs.set(m[2], (macs.get(m[2]) ?? 0) + 1);
      }
      const rsMacs = new Set(lab.realServers.map((x) => x.macAddress));
      const directorMacs = new Set(lab.directors.map((x) => x.macAddress));
      expect(macs.size > 0, `no reply from the VIP captured (${r.stderr.trim()})`);
      const fromDirector = [...macs.keys()].filter((m) => directorMacs.has(m));
      expect(fromDirector.length === 0, `replies from the VIP carried director MACs: ${fromDirector.join(', ')}`);
      const unknown = [...macs.keys()].filter((m) => !rsMacs.has(m));
      expect(unknown.length === 0, `replies from the VIP carried unknown MACs: ${unknown.join(', ')}`);
      return [...macs].map(([m, n]) => `${n} frames from ${nameOfMac(lab, m)}`).join(', ');
    });

    // After the direct-routing checks: while keepalived stops and starts, the director briefly
    // holds the VIP without its virtual server and its own kernel answers (a reset from the VIP with
    // the director's MAC), which the capture of those checks would count against direct routing.
    await check('lvs-lab drill failover --json: another director takes over within the bound, then the restore', async () => {
      const detail = checkOpsFailoverDrill(ops, lab);
      // With nopreempt the VIP stays where the drill moved it: the MASTER is now the other director.
      const holderName = await waitFor('a director to hold the VIP after the drill', 30, () => vipHolder(lab, tcpServices[0].vip), 1000);
      master = lab.directors.find((d) => d.name === holderName)!;
      backup = lab.directors.find((d) => d.name !== holderName)!;
      // keepalived on the stopped director rebuilt its IPVS table on start: wait for it before the next checks.
      await waitFor(`${backup.name}'s IPVS table after its restart`, 120, () => (directorIpvsComplete(lab, backup) ? true : undefined), 2000);
      return `${detail}; MASTER now ${master.name}`;
    });
    // Failover: kill the MASTER hard while probing every 100 ms and holding long downloads.
    const s0 = tcpServices[0];
    const probeLog = path.join(RUN_DIR, 'probe.jsonl');
    const probeLog6 = path.join(RUN_DIR, 'probe6.jsonl');
    const s6 = v6Services[0];
    let probe6: ReturnType<typeof spawn> | undefined;
    let killedAtMs: number | undefined;
    const longDownloads: { proc: ReturnType<typeof spawn>; done: Promise<{ code: number | null; out: string }> }[] = [];
    /** The kill's outage in ms, for the fast-failover check (issue 8). */
    let failoverGapMs: number | undefined;
    await check('director failure: the BACKUP takes over when the MASTER is killed', async () => {
      fs.rmSync(stopFile, { force: true });
      const probe = spawn('ip', ['netns', 'exec', CLIENT_NS, process.execPath, path.join(__dirname, 'probe.js'), serviceUrl(s0), probeLog, stopFile, '100', '300', '900'], { stdio: 'ignore' });
      // The IPv6 VIP moves with the IPv4 one (one sync group): its own prober times its gap.
      probe6 = s6 ? spawn('ip', ['netns', 'exec', CLIENT_NS, process.execPath, path.join(__dirname, 'probe.js'), serviceUrl(s6), probeLog6, stopFile, '100', '300', '900'], { stdio: 'ignore' }) : undefined;
      // Long-lived connections (about 30 s each at 512 KiB/s) opened before the failover.
      for (const source of extraSources.slice(0, 4)) {
        const proc = spawn('ip', ['netns', 'exec', CLIENT_NS, 'curl', '-sS', '--interface', source, '--limit-rate', '512k', '--max-time', '300', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', serviceUrl(s0, 'big.bin')], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        proc.stdout!.on('data', (d) => (out += d));
        proc.stderr!.on('data', (d) => (out += d));
        longDownloads.push({ proc, done: new Promise((resolve) => proc.on('close', (code) => resolve({ code, out }))) });
      }
      await sleep(5000);
      const killedAt = Date.now();
      killedAtMs = killedAt;
      const r = virsh('destroy', master.domainName);
      expect(r.status === 0, `virsh destroy ${master.domainName}: ${r.stderr}`);
      const holder = await waitFor(`${backup.name} to hold the VIP`, 60, () => (vipHolder(lab, s0.vip) === backup.name ? backup.name : undefined), 500);
      await sleep(5000);
      const probes = readProbes(probeLog).filter((p) => p.t >= killedAt - 2000);
      const gap = failoverGap(probes, killedAt);
      failoverGapMs = gap;
      result.figures.failoverGapSec = gap === undefined ? undefined : round1(gap / 1000);
      expect(gap !== undefined, `no successful probe after the kill (${probes.length} probes)`);
      const arpNow = clientArp(s0.vip);
      expect(arpNow === backup.macAddress, `after failover ${s0.vip} is-at ${arpNow}, expected ${backup.name} ${backup.macAddress}`);
      const afterGap = probes.filter((p) => p.t > killedAt + gap! + 1000);
      const errors = afterGap.filter((p) => !p.ok);
      expect(errors.length === 0, `${errors.length}/${afterGap.length} probes failed after the takeover: ${JSON.stringify(errors.slice(0, 3))}`);
      probe.kill();
      return `${holder} holds the VIP; service gap ${(gap! / 1000).toFixed(2)}s (goal ≤ ${3 * lab.vrrp.advertIntSec + 1}s); ${afterGap.length} probes after it all OK`;
    });

    if (s6) {
      const goalSec = lab.vrrp.fastFailover ? FAST_FAILOVER_BOUND_SEC : 3 * lab.vrrp.advertIntSec + 1;
      await check(`IPv6: ${serviceUrl(s6)} fails over with the IPv4 VIP (gap under ${goalSec} s); its neighbour entry now names ${backup.name}`, async () => {
        probe6?.kill();
        expect(killedAtMs !== undefined, 'the MASTER was not killed (see the director failure check)');
        const probes = readProbes(probeLog6).filter((p) => p.t >= killedAtMs! - 2000);
        const gap = failoverGap(probes, killedAtMs!);
        result.figures.ipv6FailoverGapSec = gap === undefined ? undefined : round2(gap / 1000);
        expect(gap !== undefined, `no successful IPv6 probe after the kill (${probes.length} probes)`);
        const after = probes.filter((p) => p.t > killedAtMs! + gap! + 1000);
        expect(after.every((p) => p.ok), `${after.filter((p) => !p.ok).length}/${after.length} IPv6 probes failed after the takeover`);
        const mac = await waitFor(`the client's neighbour entry for ${s6.vip} to name ${backup.name}`, 15, () => (clientArp(s6.vip) === backup.macAddress ? backup.macAddress : undefined), 1000,
          () => `${s6.vip} lladdr ${clientArp(s6.vip)}`);
        expect(gap! < goalSec * 1000, `the IPv6 VIP was unanswered for ${(gap! / 1000).toFixed(2)} s, goal under ${goalSec} s`);
        return `${(gap! / 1000).toFixed(2)} s without an answer (100 ms probes, IPv4: ${failoverGapMs !== undefined ? (failoverGapMs / 1000).toFixed(2) : '?'} s); ${after.length} probes after it all OK; ${s6.vip} lladdr ${mac} (${backup.name})`;
      });
    }

    await check(`connection sync: connections opened before the failover ${lab.vrrp.connectionSync ? 'survive it' : '(sync off: recorded only)'}`, async () => {
      const outcomes = await Promise.all(longDownloads.map((d) => d.done));
      const full = BIG_FILE_MIB * 1024 * 1024;
      const survived = outcomes.filter((o) => o.code === 0 && o.out.trim() === `200 ${full}`).length;
      result.figures.connectionsSurvived = `${survived}/${outcomes.length}`;
      const summary = `${survived}/${outcomes.length} long downloads completed (${outcomes.map((o) => `exit ${o.code} ${o.out.trim()}`).join('; ')})`;
      if (lab.vrrp.connectionSync) expect(survived === outcomes.length && outcomes.length > 0, summary);
      return summary;
    });

    // The MASTER boots again. With nopreempt it comes back as BACKUP, so the checks that follow
    // (served by the director that took over, which keeps the VIP) run while it boots; with
    // preemption it takes the VIP back, so its return is awaited first.
    const masterStart = virsh('start', master.domainName);
    const masterStartedAt = now();
    const masterReturns = () => check(`the MASTER returns: ${lab.vrrp.nopreempt ? 'nopreempt keeps the VIP on the BACKUP' : 'it preempts and takes the VIP back'}`, async () => {
      expect(masterStart.status === 0, `virsh start ${master.domainName}: ${masterStart.stderr}`);
      const startedAt = masterStartedAt;
      // keepalived on the returning director reports its state through the notify hook.
      await waitFor(`${master.name}'s keepalived to run again`, 600, () => {
        const s = ssh(user, master.address, `cat ${NOTIFY_STATE_FILE}`, 10);
        return s.status === 0 && s.stdout.trim() !== '' ? true : undefined;
      }, 3000);
      // keepalived restores the virtual servers and their real servers without any manual step.
      await waitFor(`${master.name}'s IPVS table to list every real server`, 120, () => (directorIpvsComplete(lab, master) ? true : undefined), 2000);
      if (lab.vrrp.nopreempt) {
        await sleep((3 * lab.vrrp.advertIntSec + 5) * 1000);
        const holder = vipHolder(lab, s0.vip);
        expect(holder === backup.name, `with nopreempt the VIP moved to ${holder}`);
        return `${master.name} back after ${(now() - startedAt).toFixed(0)}s as BACKUP with its IPVS table; ${backup.name} keeps the VIP`;
      }
      const holder = await waitFor(`${master.name} to take the VIP back`, 120, () => (vipHolder(lab, s0.vip) === master.name ? master.name : undefined), 1000);
      const arp = await waitFor(`the client's ARP entry to point at ${master.name}`, 30, () => (clientArp(s0.vip) === master.macAddress ? master.macAddress : undefined), 1000);
      return `${holder} took the VIP back ${(now() - startedAt).toFixed(0)}s after start, with its IPVS table; ${s0.vip} is-at ${arp}`;
    });
    let masterReturned = false;
    const masterReturnsOnce = async () => {
      if (masterReturned) return;
      masterReturned = true;
      await masterReturns();
    };
    if (!lab.vrrp.nopreempt) await masterReturnsOnce();
    fs.writeFileSync(stopFile, '');

    // Real-server failure: stop the web service on one real server.
    for (const s of tcpServices) {
      if (s.healthCheck.type === 'none') {
        await check(`real-server failure on ${serviceUrl(s)}: not applicable`, () => 'healthCheck none: keepalived never removes a real server (by design)');
        continue;
      }
      const hc = s.healthCheck;
      const victim = lab.realServers.find((r) => s.realServers.includes(r.name) && r.weight > 0)!;
      const holderName = vipHolder(lab, s.vip) ?? master.name;
      const holder = lab.directors.find((d) => d.name === holderName)!;
      // First check within delay_loop; then the failed attempt plus `retry` retries.
      const boundSec = s.delayLoopSec + (hc.retry + 1) * hc.connectTimeoutSec + hc.retry * hc.delayBeforeRetrySec + 2;
      await check(`real-server failure: ${victim.name} leaves ${serviceUrl(s)} within ${boundSec}s and returns`, async () => {
        const inTable = () => inIpvsTable(lab, holder, s, victim);
        const stop = ssh(user, victim.address, 'sudo systemctl stop nginx', 30);
        expect(stop.status === 0, `systemctl stop nginx on ${victim.name}: ${stop.stderr}`);
        const stoppedAt = now();
        let removal: number;
        try {
          await waitFor(`${victim.name} to leave the IPVS table`, boundSec + 30, () => (inTable() === false ? true : undefined), 500);
          removal = now() - stoppedAt;
          result.figures.realServerRemovalSec = round1(removal);
          expect(removal <= boundSec, `${victim.name} left after ${removal.toFixed(1)}s, later than the ${boundSec}s its health check implies`);
          const answers: string[] = [];
          for (let i = 0; i < 20; i++) {
            const r = httpGet(serviceUrl(s), { maxTimeSec: 2 });
            expect(r.ok, `request ${i + 1} after removal failed: ${r.detail}`);
            answers.push(servedBy(r.body) ?? '?');
          }
          expect(!answers.includes(victim.name), `${victim.name} still answered after removal`);
        } finally {
          // Whatever the check found, the server serves again for the checks after it.
          const start = ssh(user, victim.address, 'sudo systemctl start nginx', 30);
          expect(start.status === 0, `systemctl start nginx on ${victim.name}: ${start.stderr}`);
        }
        const startedAt = now();
        await waitFor(`${victim.name} to return to the IPVS table`, s.delayLoopSec + hc.connectTimeoutSec + 30, () => (inTable() ? true : undefined), 500);
        return `removed after ${removal.toFixed(1)}s (bound ${boundSec}s), 20/20 requests OK meanwhile, back after ${(now() - startedAt).toFixed(1)}s`;
      });
    }

    // ---- issue 8: fast failover (vrrp.fastFailover) and link failure (drill link-down) ----
    // They need the election settled after the MASTER's crash: with nopreempt its return is
    // awaited first (the quiet window is steady state, and the link drill moves the VIP, after
    // which the return could no longer be told from a takeover).
    if (lab.vrrp.nopreempt && (lab.vrrp.fastFailover || DRILLS.has('link-down'))) await masterReturnsOnce();
    if (lab.vrrp.fastFailover) await fastFailoverChecks(lab, result, failoverGapMs, s0);
    if (DRILLS.has('link-down')) await linkDownCheck(lab, result, s0);
    for (const s of lab.services.filter((x) => x.fwmark !== undefined)) await fwmarkServiceChecks(lab, s, s0, [clientIp, ...extraSources], result);
    // ---- end of issue 8 ----

    // Drills (E2E_DRILLS). A real server's reboot first (with nopreempt and no fast-failover or
    // link check before it, side by side with the returning MASTER's boot), then a crash of the director without the VIP, whose restart runs
    // beside the remaining checks and is awaited last.
    const active = lab.directors.find((d) => d.name === vipHolder(lab, s0.vip)) ?? master;
    const standby = lab.directors.find((d) => d.name !== active.name)!;
    let standbyRestarted: number | undefined;
    if (DRILLS.has('rs-reboot')) {
      const victim = lab.realServers.find((r) => s0.realServers.includes(r.name) && r.weight > 0)!;
      await check(`drill: real-server reboot: ${victim.name} comes back with the VIP on lo, never answers ARP for it, rejoins the pool`, async () => {
        const bootId = () => {
          const r = ssh(user, victim.address, 'cat /proc/sys/kernel/random/boot_id', 10);
          return r.status === 0 ? r.stdout.trim() : undefined;
        };
        const before = bootId();
        expect(before !== undefined, `no ssh to ${victim.name} before the reboot`);
        // The VIP stays where it is meanwhile (the other director is down, booting, or has no
        // reason to take it).
        const inTable = () => inIpvsTable(lab, active, s0, victim);
        const probe = startProbe(serviceUrl(s0), 'rs-reboot');
        // The client asks for every VIP once a second for the whole reboot, so that a real server
        // answering ARP for it at any moment of its boot would be caught in the capture.
        const askers = vips.map((vip) =>
          spawn('ip', ['netns', 'exec', CLIENT_NS, 'arping', '-q', '-c', '900', '-w', '900', '-I', 'eth0', vip], { stdio: 'ignore' }),
        );
        const from = Date.now();
        try {
          await sleep(2000);
          const r = virsh('reboot', victim.domainName);
          expect(r.status === 0, `virsh reboot ${victim.domainName}: ${r.stderr}`);
          const rebootAt = now();
          await waitFor(`${victim.name} to boot again (a new boot id)`, 420, () => {
            const id = bootId();
            return id !== undefined && id !== before ? id : undefined;
          }, 3000);
          const upSec = now() - rebootAt;
          await waitFor(`${victim.name} to rejoin ${serviceUrl(s0)} (its health check passes again)`, 180, () => (inTable() ? true : undefined), 1000);
          const backSec = now() - rebootAt;
          await sleep(2000);
          const probes = await probe.stop();
          const summary = probeSummary(probes);
          result.figures.drills = { ...result.figures.drills, rsRebootFailedProbes: summary.failed, rsRebootBackSec: round1(backSec) };
          // /proc, not sysctl: /usr/sbin is not on an ssh user's PATH.
          const readState = () => ssh(user, victim.address,
            'ip -o addr show dev lo; cd /proc/sys/net/ipv4/conf && cat all/arp_ignore all/arp_announce lo/arp_ignore lo/arp_announce', 15);
          // Both families: a dual-stack lab's IPv6 VIPs go back on lo too.
          const allVips = [...new Set(lab.services.filter((x) => x.realServers.includes(victim.name)).map((x) => x.vip))];
          const state = await waitFor(`every VIP on ${victim.name}'s lo`, 60,
            () => { const r = readState(); return r.status === 0 && boundVips(r.stdout, allVips, 'lo').length === allVips.length ? r : undefined; },
            2000, () => readState().stdout);
          const sysctls = state.stdout.trim().split('\n').slice(-4).join(' ');
          expect(sysctls === '1 2 1 2', `${victim.name}'s arp_ignore/arp_announce (all, lo) after the reboot: ${sysctls}, expected 1 2 1 2`);
          const arp = run('tcpdump', ['-e', '-nn', '-tt', '-r', pcap, 'arp'], { timeoutSec: 60 }).stdout.split('\n')
            .map(parseArpLine).filter((a): a is ArpLine => a !== undefined && a.t >= from);
          const asked = arp.filter((a) => a.op === 'request' && vips.includes(a.target)).length;
          const answered = arp.filter((a) => a.srcMac === victim.macAddress && ((a.op === 'reply' && vips.includes(a.target)) || (a.op === 'request' && vips.includes(a.sender ?? ''))));
          expect(asked >= upSec / 2, `the client asked for the VIP only ${asked} times during the ${upSec.toFixed(0)} s reboot`);
          expect(answered.length === 0, `${victim.name} sent ${answered.length} ARP packets claiming a VIP during its reboot`);
          return `up again after ${upSec.toFixed(0)} s, back in the pool after ${backSec.toFixed(0)} s; VIP on lo, arp_ignore/arp_announce 1/2; ` +
            `${asked} ARP requests for the VIP during the reboot, none answered by ${victim.name}; ${summary.text} (goal 0)`;
        } finally {
          for (const a of askers) a.kill();
          await probe.stop();
        }
      });
    }

    if (lab.vrrp.nopreempt) await masterReturnsOnce();

    if (DRILLS.has('backup-crash')) {
      await check(`drill: BACKUP crash: ${standby.name} killed, ${active.name} serves on with no failed probe`, async () => {
        const probe = startProbe(serviceUrl(s0), 'backup-crash');
        await sleep(2000);
        const r = virsh('destroy', standby.domainName);
        expect(r.status === 0, `virsh destroy ${standby.domainName}: ${r.stderr}`);
        await sleep(10_000);
        const probes = await probe.stop();
        const summary = probeSummary(probes);
        result.figures.drills = { ...result.figures.drills, backupCrashFailedProbes: summary.failed };
        const holder = vipHolder(lab, s0.vip);
        // It boots again whatever this check finds, beside the checks that follow; its return is
        // checked when a check needs it, or last.
        const start = virsh('start', standby.domainName);
        expect(start.status === 0, `virsh start ${standby.domainName}: ${start.stderr}`);
        standbyRestarted = now();
        expect(probes.length >= 30, `only ${probes.length} probes in 12 s: the client could not probe`);
        expect(holder === active.name, `after the BACKUP's crash the VIP is on ${holder ?? 'no director'}, expected ${active.name}`);
        expect(summary.failed === 0, summary.text);
        return `${active.name} kept the VIP; ${summary.text}; ${standby.name} restarting`;
      });
    }

    // Once, when the restarted director is needed (or at the end).
    let standbyAwaited = false;
    const standbyReturns = async () => {
      if (standbyRestarted === undefined || standbyAwaited) return;
      standbyAwaited = true;
      await check(`drill: director restart: ${standby.name} comes back as BACKUP with keepalived and its IPVS table, ${active.name} keeps the VIP`, async () => {
        await waitFor(`${standby.name}'s keepalived to report BACKUP`, 600, () => {
          const st = ssh(user, standby.address, `cat ${NOTIFY_STATE_FILE}`, 10);
          return st.status === 0 && /BACKUP/.test(st.stdout) ? true : undefined;
        }, 3000);
        const backSec = now() - standbyRestarted!;
        await waitFor(`${standby.name}'s IPVS table to list every real server`, 120, () => (directorIpvsComplete(lab, standby) ? true : undefined), 2000);
        await sleep((3 * lab.vrrp.advertIntSec + 2) * 1000);
        const holder = vipHolder(lab, s0.vip);
        expect(holder === active.name, `after ${standby.name} returned the VIP is on ${holder ?? 'no director'}, expected ${active.name} to keep it`);
        result.figures.drills = { ...result.figures.drills, directorRestartSec: round1(backSec) };
        return `${standby.name} BACKUP again ${backSec.toFixed(0)} s after its start, IPVS table complete; ${active.name} kept the VIP`;
      });
    };

    await check('no real server answered ARP for the VIP during the whole run', () => {
      const seen = arpRepliesFor(vips);
      const rsMacs = new Set(lab.realServers.map((r) => r.macAddress));
      const bad = seen.filter((m) => rsMacs.has(m));
      expect(seen.length > 0, 'no ARP reply for the VIP captured at all');
      expect(bad.length === 0, `ARP replies for the VIP from real servers: ${bad.map((m) => nameOfMac(lab, m)).join(', ')}`);
      return `${seen.length} ARP replies for the VIP captured, from ${[...new Set(seen)].map((m) => nameOfMac(lab, m)).join(', ')}`;
    });

    if (installs) {
      // It asks every VM, the restarted director too.
      await standbyReturns();
      await check(`the packages installed at first boot come from ${lab.packages!.mirror}`, () => packagesFromMirror(lab, internet!, deployStart));
    } else {
      await check('a preinstalled image installs nothing at first boot', () => {
        const debs = internet!.requests().filter((r) => r.t >= deployStart * 1000 && r.method === 'GET' && r.path.endsWith('.deb'));
        expect(debs.length === 0, `the stand-in served ${debs.length} packages: ${debs.slice(0, 5).map((r) => r.path).join(', ')}`);
        return 'no package downloaded from the stand-in';
      });
    }

    await check('the VMs reached nothing but the stand-in: only its address, only its names', () => egressCheck(lab, ownHosts, egressPcap));

    if (lab.network.gateway !== undefined && lab.network.dns.length > 0 && ownHosts.length > 0) {
      await check(`the VMs' default route and DNS work (${lab.network.mode} network)`, () => {
        const host = ownHosts[0];
        const vm = lab.realServers[0];
        const r = ssh(user, vm.address, `ip -4 route show default; getent ahostsv4 ${host} | head -n 1; curl -sS -o /dev/null -w 'HTTP %{http_code}\\n' --max-time 10 http://${host}/`, 30);
        expect(new RegExp(`^default via ${lab.network.gateway!.replace(/\./g, '\\.')} `, 'm').test(r.stdout), `${vm.name} has no default route via ${lab.network.gateway}: ${r.stdout}${r.stderr}`);
        expect(new RegExp(`^${WAN_IP.replace(/\./g, '\\.')}\\s`, 'm').test(r.stdout), `${vm.name} did not resolve ${host} to ${WAN_IP}: ${r.stdout}${r.stderr}`);
        expect(/^HTTP [1-5]\d\d$/m.test(r.stdout), `${vm.name} got no HTTP answer from ${host}: ${r.stdout}${r.stderr}`);
        return `${vm.name}: default via ${lab.network.gateway}, ${host} resolves through ${lab.network.dns.join(', ')} and answers (${/HTTP \d+/.exec(r.stdout)![0]})`;
      });
    }

    if (DRILLS.has('libvirtd-restart')) {
      await check('drill: libvirtd restarts under the running lab: it serves on, every domain keeps running', async () => {
        const probe = startProbe(serviceUrl(s0), 'libvirtd-restart');
        let probes: ProbeLine[] = [];
        try {
          await sleep(2000);
          const r = run('bash', [path.join(__dirname, 'sandbox.sh'), 'restart-libvirtd', env('LVSLAB_RUNID')], { timeoutSec: 120 });
          expect(r.status === 0, `restart-libvirtd: ${r.stderr.trim()}`);
          await sleep(5000);
        } finally {
          probes = await probe.stop();
        }
        const summary = probeSummary(probes);
        result.figures.drills = { ...result.figures.drills, libvirtdRestartFailedProbes: summary.failed };
        const down = domainsNotRunning(lab);
        expect(down.length === 0, `not running after the restart: ${down.join(', ')}`);
        expect(probes.length >= 20, `only ${probes.length} probes: the client could not probe`);
        // Serving on: no outage as long as a failover's (3 × advert_int + 1 s); the failed
        // probes go to bench/e2e.md against the goal of none.
        const boundMs = (3 * lab.vrrp.advertIntSec + 1) * 1000;
        expect(summary.longestMs < boundMs, `${summary.text}: an outage as long as a failover (${boundMs / 1000} s)`);
        expect(probes.slice(-5).every((p) => p.ok), `not serving after the restart: ${summary.text}`);
        return `libvirtd restarted; ${summary.text} (goal 0); every domain running (the next deploy must change nothing)`;
      });
    }

    await check('a second cdktf deploy changes nothing', () => {
      const r = cdktf('deploy', labFile, 900, internet?.caFile);
      const out = r.stdout + r.stderr;
      expect(r.status === 0, `second deploy exited ${r.status}: ${tail(out)}`);
      expect(/No changes/.test(out), `second deploy did not report "No changes": ${tail(out)}`);
      return 'No changes';
    });

    await standbyReturns();
    const marked = lab.services.filter((x) => x.fwmark !== undefined);
    if (standbyRestarted !== undefined && marked.length > 0) {
      await check(`fwmark: after its crash and restart ${standby.name} marks the services' packets again (nftables.service)`, () =>
        marked.map((x) => fwmarkRulesCheck(lab, x, [standby])).join('; '));
    }

    if (HANDOFF_ROLE === 'first') {
      // The second lab deploys beside this one now (e2e/run.sh starts it on this file).
      handoffSay('first.checked');
      await check('side by side: this lab serves on while a second lab deploys beside it and serves', async () => {
        const came = await handoffAwait(['second.serving', 'second.gone'], 2400);
        expect(came === 'second.serving', 'the second lab never served (see its checks)');
        const answered = new Set<string>();
        for (let i = 0; i < 20; i++) {
          const r = httpGet(serviceUrl(s0), { maxTimeSec: 2 });
          expect(r.ok, `request ${i + 1} to ${serviceUrl(s0)} failed beside the second lab: ${r.detail}`);
          answered.add(servedBy(r.body) ?? '?');
        }
        const down = domainsNotRunning(lab);
        expect(down.length === 0, `not running beside the second lab: ${down.join(', ')}`);
        return `20/20 requests answered (by ${[...answered].join(', ')}) with the second lab serving beside it`;
      });
    }
  } catch (err) {
    checks.push({ name: 'harness', ok: false, detail: err instanceof Error ? err.stack ?? err.message : String(err), seconds: 0 });
  } finally {
    fs.writeFileSync(stopFile, '');
    tcpdump?.kill();
    egressDump?.kill();
  }
  return finish();

  async function finish(): Promise<number> {
    if (deployed) {
      await check('cdktf destroy leaves no domain, volume, pool or network of the lab', () => {
        const r = cdktf('destroy', labFile, 900, internet?.caFile);
        expect(r.status === 0, `cdktf destroy exited ${r.status}: ${tail(r.stdout + r.stderr)}`);
        const left = leftovers(lab.name);
        expect(left.length === 0, `left behind: ${left.join(', ')}`);
        return `destroyed in ${r.seconds.toFixed(0)}s; nothing of ${lab.name} left`;
      });
    }
    if (HANDOFF_ROLE === 'first') handoffSay(checks.at(-1)?.ok && deployed ? 'first.destroyed' : 'first.done');
    if (HANDOFF_ROLE === 'second' && !fs.existsSync(handoffFile('second.serving'))) handoffSay('second.gone');
    if (deployed && DRILLS.has('interrupted-deploy') && process.env.E2E_BASELINE !== '1' && checks.every((c) => c.ok)) {
      await check('drill: interrupted deploy, then destroy: nothing of the lab is left', async () => {
        const r = await interruptedDeploy(lab, labFile, internet?.caFile);
        const d = cdktf('destroy', labFile, 900, internet?.caFile);
        expect(d.status === 0, `cdktf destroy after the interruption exited ${d.status}: ${tail(d.stdout + d.stderr)}`);
        const left = leftovers(lab.name);
        expect(left.length === 0, `left behind: ${left.join(', ')}`);
        return `interrupted ${r.afterSec.toFixed(0)} s in (${r.signal ?? `exit ${r.exit}`}) with ${r.domains.length} VMs defined; destroyed in ${d.seconds.toFixed(0)}s; nothing of ${lab.name} left`;
      });
    }
    if (checks.every((c) => c.ok) && process.env.E2E_BASELINE !== '0') {
      // The same segment for both: the lab's host bridge, or one made like it (with the lab's
      // gateway and DNS, so a first-boot install reaches the stand-in mirror as in the lab).
      const bridge = lab.network.mode === 'bridge' ? lab.network.bridge! : 'lvslan0';
      const synthDir = path.join(RUN_DIR, 'cdktf.out', 'stacks', 'lvs-dr-lab');
      const ready = result.figures.timeToReadySec;
      const ratio = (x: number) => (ready ? Number((ready / x).toFixed(2)) : undefined);
      await check('baseline: the same VMs booted with virsh alone', async () => {
        lan(bridge);
        const r = run('bash', [path.join(__dirname, 'sandbox.sh'), 'attach-client', env('LVSLAB_RUNID'), bridge, `${clientAddresses(lab, 1)[0]}/${lab.network.prefixLength}`]);
        expect(r.status === 0, `attach-client ${bridge}: ${r.stderr}`);
        const b = await bootWithoutTerraform({ lab, synthDir, uri: URI, runDir: RUN_DIR, image, bridge, readyProbe: labReady(lab) });
        result.figures.baselineReadySec = round1(b.readySec);
        result.figures.overheadRatio = ratio(b.readySec);
        const left = leftovers(lab.name);
        expect(left.length === 0, `baseline left behind: ${left.join(', ')}`);
        return `ready ${b.readySec.toFixed(0)}s after the first virsh call; ready/baseline ${result.figures.overheadRatio ?? '?'}`;
      });
      await check('reference: the same kernel, initrd, root filesystem and seeds booted by qemu directly', async () => {
        const b = await bootDirectly({ lab, synthDir, ns: NS, bridge, runDir: RUN_DIR, image, readyProbe: labReady(lab) });
        result.figures.referenceReadySec = round1(b.readySec);
        result.figures.referenceRatio = ratio(b.readySec);
        return `ready ${b.readySec.toFixed(0)}s after the first qemu launch; ready/reference ${result.figures.referenceRatio ?? '?'}`;
      });
    }
    result.finishedAt = new Date().toISOString();
    result.passed = checks.every((c) => c.ok);
    fs.writeFileSync(path.join(RUN_DIR, 'result.json'), JSON.stringify(result, null, 2));
    updateBenchmark(path.join(root, 'bench', 'e2e.md'), result);
    const failed = checks.filter((c) => !c.ok);
    process.stderr.write(`e2e: ${checks.length - failed.length} passed, ${failed.length} failed\n`);
    for (const f of failed) log(`FAILED ${f.name}: ${f.detail}`);
    if (failed.length) log(`console logs: ${LOG_DIR}`);
    return failed.length ? 1 : 0;
  }
}

/** Every package the lab's cloud-init installs is the repository's version, from the mirror, and works. */
function packagesFromMirror(lab: ResolvedLab, internet: Internet, sinceSec: number): string {
  // The stand-in may have served another lab of the sandbox before this one.
  const requests = () => internet.requests().filter((q) => q.t >= sinceSec * 1000);
  const mirror = lab.packages!.mirror!.replace(/\/+$/, '');
  const manifest = new Map(
    fs.readFileSync(path.join(REPO, `debian${lab.image.release}.manifest`), 'utf8').split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/) as [string, string]),
  );
  const roles = [
    { vms: lab.directors, packages: DIRECTOR_PACKAGES, works: 'keepalived --version 2>&1 | head -n 1 && sudo ipvsadm --version' },
    { vms: lab.realServers, packages: REAL_SERVER_PACKAGES, works: 'systemctl is-active nginx' },
  ];
  const lines: string[] = [];
  for (const role of roles) {
    for (const vm of role.vms) {
      const r = ssh(lab.ssh.user, vm.address, `apt-cache policy ${role.packages.join(' ')} && ${role.works}`, 60);
      expect(r.status === 0, `${vm.name}: ${r.stderr.trim() || r.stdout.trim()}`);
      const origins = installedOrigins(r.stdout);
      for (const pkg of role.packages) {
        const o = origins.get(pkg);
        expect(o !== undefined && o.installed !== '(none)', `${vm.name}: ${pkg} is not installed`);
        expect(o!.installed === manifest.get(pkg), `${vm.name}: ${pkg} ${o!.installed} installed, the repository holds ${manifest.get(pkg) ?? 'none'}`);
        expect(o!.sources.some((src) => src.startsWith(`${mirror} `)), `${vm.name}: ${pkg} ${o!.installed} comes from ${o!.sources.join(', ')}, not ${mirror}`);
      }
    }
    const debs = requests().filter((q) => q.method === 'GET' && q.status === 200 && q.path.endsWith('.deb'));
    for (const pkg of role.packages) {
      const fetched = debs.filter((q) => path.basename(q.path).startsWith(`${pkg}_`)).length;
      expect(fetched >= role.vms.length, `the stand-in served ${pkg} ${fetched} times for ${role.vms.length} VMs`);
      lines.push(`${pkg} ${manifest.get(pkg)} (${fetched}×)`);
    }
  }
  const total = requests().filter((q) => q.method === 'GET' && q.path.endsWith('.deb')).length;
  return `on every VM from ${mirror}: ${lines.join(', ')}; ${total} packages downloaded in all`;
}

/** Every packet a VM sent off the lab subnet went to the stand-in's HTTP port; every DNS query
 *  went to the lab's DNS servers and asked for a name the stand-in serves. */
function egressCheck(lab: ResolvedLab, ownHosts: readonly string[], pcap: string): string {
  const r = run('tcpdump', ['-nn', '-r', pcap], { timeoutSec: 60 });
  expect(r.status === 0, `tcpdump -r ${pcap}: ${r.stderr.trim()}`);
  const vms = new Set([...lab.directors, ...lab.realServers].map((v) => v.address));
  const allowedNames = new Set(ownHosts);
  const strays = new Map<string, number>();
  const names = new Map<string, number>();
  let offSubnet = 0;
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const line of r.stdout.split('\n')) {
    const p = parsePacketLine(line);
    if (!p || !vms.has(p.src)) continue;
    if (p.dport === 53) {
      const name = p.query?.name ?? '(unparsed query)';
      // apt looks up SRV records (`_http._tcp.<mirror>`) before it connects.
      const host = name.replace(/^_https?\._tcp\./, '');
      bump(names, `${p.query?.type ?? '?'} ${name}`);
      if (!lab.network.dns.includes(p.dst)) bump(strays, `${p.src} -> ${p.dst}:53 (not a lab DNS server)`);
      else if (!allowedNames.has(host)) bump(strays, `${p.src} asked for ${name}`);
    } else {
      offSubnet++;
      if (!(p.dst === WAN_IP && p.dport === 80)) bump(strays, `${p.src} -> ${p.dst}${p.dport !== undefined ? `:${p.dport}` : ''}`);
    }
  }
  const shown = (mp: Map<string, number>) => [...mp].map(([k, n]) => `${k} (${n}×)`).join(', ');
  expect(strays.size === 0, `traffic to elsewhere: ${shown(strays)}`);
  return `${offSubnet ? `${offSubnet} packets off the subnet, all to ${WAN_IP}:80` : 'no packet off the subnet'}; DNS: ${shown(names) || 'no query'}`;
}

/** Balancing: the share each real server gets matches the scheduler and weights. */
async function balanceCheck(lab: ResolvedLab, s: ResolvedService, clientIp: string, extraSources: string[], master: { name: string; address: string }): Promise<string> {
  const members = s.realServers.map((n) => lab.realServers.find((r) => r.name === n)!);
  const live = members.filter((m) => m.weight > 0);
  const counts = new Map<string, number>();
  const tally = (source?: string) => {
    const r = httpGet(serviceUrl(s), { source, maxTimeSec: 3 });
    expect(r.ok, `request from ${source ?? clientIp} failed: ${r.detail}`);
    const name = servedBy(r.body) ?? r.body;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return name;
  };
  const shown = () => [...counts].map(([n, c]) => `${n}: ${c}`).join(', ');

  if (DESTINATION_HASH.has(s.scheduler)) {
    // Destination hashing: one VIP maps to one real server, whoever asks.
    for (let i = 0; i < 20; i++) tally(i % 2 ? clientIp : extraSources[i % extraSources.length]);
    expect(counts.size === 1, `${s.scheduler} spread one VIP over several servers: ${shown()}`);
    return `all 20 requests to one real server, as ${s.scheduler} should: ${shown()}`;
  }
  if (SINGLE_PICK.has(s.scheduler) && s.persistenceTimeoutSec === 0) {
    for (let i = 0; i < 20; i++) tally();
    const top = Math.max(...live.map((m) => m.weight));
    const allowed = new Set(live.filter((m) => s.scheduler === 'nq' || m.weight === top).map((m) => m.name));
    expect(counts.size === 1 && allowed.has([...counts.keys()][0]), `${s.scheduler} with idle servers should pick one${s.scheduler === 'sed' ? ' highest-weight' : ''} server: ${shown()}`);
    return `all 20 sequential requests to ${[...counts.keys()][0]}, as ${s.scheduler} does with idle servers`;
  }
  if (SOURCE_HASH.has(s.scheduler) || s.persistenceTimeoutSec > 0) {
    // Source affinity: each client address sticks to one server; many addresses reach them all.
    const bySource = new Map<string, Set<string>>();
    for (const source of [clientIp, ...extraSources]) {
      for (let i = 0; i < 3; i++) {
        const name = tally(source);
        bySource.set(source, (bySource.get(source) ?? new Set()).add(name));
      }
    }
    const split = [...bySource].filter(([, names]) => names.size > 1);
    expect(split.length === 0, `sources not sticky: ${split.map(([src, n]) => `${src} -> ${[...n].join('/')}`).join('; ')}`);
    const missing = live.filter((m) => !counts.has(m.name));
    expect(missing.length === 0, `${missing.map((m) => m.name).join(', ')} never chosen for ${bySource.size} sources: ${shown()}`);
    return `every source sticks to one server; all ${live.length} servers used: ${shown()}`;
  }
  if ((s.scheduler === 'lc' || s.scheduler === 'wlc') && s.persistenceTimeoutSec === 0) {
    // Least-connection schedulers weigh active connections (256 × an inactive one), so
    // sequential short requests only measure leftover counts: hold concurrent connections open
    // and read how the MASTER spread them.
    return concurrentShares(lab, s, live, master);
  }
  // Round-robin schedulers: shares of sequential requests follow the weights.
  const total = 20 * live.length;
  for (let i = 0; i < total; i++) tally();
  const weightSum = live.reduce((a, m) => a + m.weight, 0);
  const weighted = !['rr', 'lc'].includes(s.scheduler);
  const tolerance = 0.1;
  const lines: string[] = [];
  for (const m of members) {
    const share = (counts.get(m.name) ?? 0) / total;
    const want = m.weight === 0 ? 0 : weighted ? m.weight / weightSum : 1 / live.length;
    lines.push(`${m.name} ${(share * 100).toFixed(0)}% (want ${(want * 100).toFixed(0)}%)`);
    expect(Math.abs(share - want) <= tolerance, `${m.name} got ${(share * 100).toFixed(1)}% of ${total} requests, want ${(want * 100).toFixed(1)}% ± ${tolerance * 100}: ${shown()}`);
  }
  return `${total} requests: ${lines.join(', ')} (tolerance ±${tolerance * 100} points)`;
}

/** Opens concurrent slow downloads through the VIP and compares the MASTER's ActiveConn per server to the weights. */
async function concurrentShares(lab: ResolvedLab, s: ResolvedService, live: readonly { name: string; address: string; address6?: string; weight: number }[], master: { name: string; address: string }): Promise<string> {
  const n = 8 * live.length;
  const procs: ReturnType<typeof spawn>[] = [];
  try {
    for (let i = 0; i < n; i++) {
      procs.push(spawn('ip', ['netns', 'exec', CLIENT_NS, 'curl', '-s', '--limit-rate', '20k', '--max-time', '90', '-o', '/dev/null', serviceUrl(s, 'big.bin')], { stdio: 'ignore' }));
      await sleep(150);
    }
    await sleep(2000);
    const rows = ipvsTable(ssh(lab.ssh.user, master.address, 'sudo ipvsadm -Ln', 15).stdout).get(serviceKey(s)) ?? [];
    const table = new Map(rows.map((r) => [r.address, r.activeConns]));
    const total = live.reduce((a, m) => a + (table.get(realServerAddress(s, m)) ?? 0), 0);
    expect(total >= n - 1, `only ${total} of ${n} concurrent connections active on ${master.name}: ${JSON.stringify([...table])}`);
    const weightSum = live.reduce((a, m) => a + m.weight, 0);
    const lines: string[] = [];
    for (const m of live) {
      const share = (table.get(realServerAddress(s, m)) ?? 0) / total;
      const want = s.scheduler === 'wlc' ? m.weight / weightSum : 1 / live.length;
      lines.push(`${m.name} ${table.get(realServerAddress(s, m)) ?? 0} (${(share * 100).toFixed(0)}%, want ${(want * 100).toFixed(0)}%)`);
      expect(Math.abs(share - want) <= 0.15, `${m.name} holds ${(share * 100).toFixed(0)}% of ${total} active connections, want ${(want * 100).toFixed(0)}% ± 15: ${lines.join(', ')}`);
    }
    return `${total} concurrent connections: ${lines.join(', ')}`;
  } finally {
    for (const p of procs) p.kill();
  }
}

// ---------------------------------------------------------------------------------------------
// issue 8 checks

/** The steady-state window after it, in which no VRRP transition and no failed probe may occur. */
const FAST_QUIET_SEC = Number(process.env.E2E_FAST_QUIET_SEC ?? 120);
/** How long the link-down drill keeps the MASTER's link down. */
const LINK_DOWN_SEC = 10;

/**
 * Every director's VRRP transitions so far, from its notify hook's log: those of one instance,
 * the IPv4 one (a dual-stack lab's IPv6 instance is in a sync group with it and logs the same
 * transitions).
 */
function vrrpTransitions(lab: ResolvedLab): Map<string, VrrpTransition[]> {
  const instance = labVips(lab).length > 0 ? vrrpInstanceName(lab) : vrrpInstanceName6(lab);
  return new Map(lab.directors.map((d) => {
    const r = ssh(lab.ssh.user, d.address, `sudo cat ${NOTIFY_LOG_FILE}`, 15);
    if (r.status !== 0) throw new CheckFailed(`cannot read ${NOTIFY_LOG_FILE} on ${d.name}: ${r.stderr.trim()}`);
    return [d.name, parseNotifyLog(r.stdout).filter((t) => t.name === instance)];
  }));
}

/** The transitions each director logged between two readings, as `name: STATE STATE`. */
function newTransitions(lab: ResolvedLab, before: Map<string, VrrpTransition[]>, after: Map<string, VrrpTransition[]>): Map<string, string[]> {
  return new Map(lab.directors.map((d) => [d.name, after.get(d.name)!.slice(before.get(d.name)!.length).map((t) => t.state)]));
}

/** Waits until every director's keepalived reports a state (with nopreempt the crashed MASTER may still boot here). */
async function keepalivedEverywhere(lab: ResolvedLab): Promise<void> {
  await waitFor("every director's keepalived to report a VRRP state", 600, () =>
    (lab.directors.every((d) => ssh(lab.ssh.user, d.address, `cat ${NOTIFY_STATE_FILE}`, 10).stdout.trim() !== '') ? true : undefined), 3000);
  // Past its first election (BACKUP, then MASTER or not).
  await sleep((3 * lab.vrrp.advertIntSec + 2) * 1000);
}

/** Whether the director has the VIP (either family) on lab0 now. */
function holdsVip(lab: ResolvedLab, director: { address: string }, vip: string): boolean {
  const r = ssh(lab.ssh.user, director.address, `ip -o addr show dev ${LAB_INTERFACE}`, 10);
  return r.status === 0 && boundVips(r.stdout, [vip], LAB_INTERFACE).length > 0;
}

/**
 * Issue 8, feature 1 (vrrp.fastFailover): the MASTER kill measured by the director failure check
 * (100 ms probes) cost under a second; then a steady-state window with the prober running, in
 * which no director logs a VRRP transition (a stalled VM or a lost advert would make the BACKUP
 * take over for nothing) and no probe fails.
 */
async function fastFailoverChecks(lab: ResolvedLab, result: E2eResult, gapMs: number | undefined, s0: ResolvedService): Promise<void> {
  // The slowest BACKUP's takeover after the MASTER's last advert, 3 adverts + skew, and the bound
  // the rule fast-failover admitted the config with: that interval + the margin, within the bound.
  const slowest = lab.directors.slice(1).reduce((a, d) => (d.priority < a.priority ? d : a), lab.directors[1]);
  const downSec = masterDownIntervalSec(slowest.priority, lab.vrrp.advertIntSec, lab.vrrp.version);
  const takeoverSec = fastFailoverTakeoverSec(slowest.priority, lab.vrrp.advertIntSec);
  const fast = () => result.figures.fastFailover ?? {};
  await check(`fast failover: the MASTER's crash costs under ${FAST_FAILOVER_BOUND_SEC} s (${slowest.name} takes over ${downSec.toFixed(3)} s after the last advert, ` +
    `+ ${FAST_FAILOVER_MARGIN_SEC} s margin = ${takeoverSec.toFixed(3)} s)`, () => {
    expect(takeoverSec <= FAST_FAILOVER_BOUND_SEC + 1e-9, `the config promises no fast failover: ${slowest.name} takes ${takeoverSec.toFixed(3)} s (the rule fast-failover should have refused it)`);
    expect(gapMs !== undefined, 'no failover gap was measured (see the director failure check)');
    result.figures.fastFailover = { ...fast(), gapSec: round2(gapMs! / 1000), downIntervalSec: round2(downSec) };
    // The kill comes after the last advert, so the gap is at most the interval plus the margin.
    expect(gapMs! <= takeoverSec * 1000, `the kill cost ${(gapMs! / 1000).toFixed(2)} s of service, more than the ${takeoverSec.toFixed(3)} s the config promises (bound ${FAST_FAILOVER_BOUND_SEC} s)`);
    return `${(gapMs! / 1000).toFixed(2)} s without an answer (100 ms probes), at most ${takeoverSec.toFixed(3)} s promised, bound ${FAST_FAILOVER_BOUND_SEC} s; VRRPv3 adverts every ${lab.vrrp.advertIntSec} s`;
  });
  await check(`fast failover: in ${FAST_QUIET_SEC} s of steady state no director changes VRRP state and no probe fails`, async () => {
    await keepalivedEverywhere(lab);
    const before = vrrpTransitions(lab);
    const probe = startProbe(serviceUrl(s0), 'fast-quiet', 100, 300);
    let probes: ProbeLine[] = [];
    try {
      await sleep(FAST_QUIET_SEC * 1000);
    } finally {
      probes = await probe.stop();
    }
    const moved = [...newTransitions(lab, before, vrrpTransitions(lab))].filter(([, states]) => states.length > 0);
    const spurious = moved.reduce((n, [, states]) => n + states.length, 0);
    const summary = probeSummary(probes);
    result.figures.fastFailover = { ...fast(), quietSec: FAST_QUIET_SEC, spuriousTransitions: spurious, quietFailedProbes: summary.failed };
    expect(probes.length >= FAST_QUIET_SEC * 5, `only ${probes.length} probes in ${FAST_QUIET_SEC} s: the client could not probe`);
    expect(spurious === 0, `${spurious} VRRP transitions nobody caused: ${moved.map(([name, states]) => `${name} ${states.join(' -> ')}`).join('; ')}`);
    expect(summary.failed === 0, summary.text);
    return `no VRRP transition on ${lab.directors.map((d) => d.name).join(', ')}; ${summary.text}`;
  });
}

/**
 * Issue 8, feature 6 (drill link-down): the MASTER's NIC loses its link from the host's side
 * (`virsh domif-setlink <domain> <its vnet> down`), as a pulled cable or a dead switch port.
 * keepalived tracks the instance's own interface, so it goes FAULT and drops the VIP; its adverts
 * stop and the other director takes over. The outage is timed with 100 ms probes. Then the link
 * returns: the MASTER goes BACKUP and, without nopreempt, takes the VIP back. Each director's
 * notify log must show exactly these transitions.
 */
async function linkDownCheck(lab: ResolvedLab, result: E2eResult, s0: ResolvedService): Promise<void> {
  const holderName = vipHolder(lab, s0.vip);
  const master = lab.directors.find((d) => d.name === holderName) ?? lab.directors[0];
  const other = lab.directors.find((d) => d.name !== master.name)!;
  const back = lab.vrrp.nopreempt ? `${other.name} keeps the VIP (nopreempt)` : `${master.name} takes the VIP back`;
  await check(`drill: link down: ${master.name}'s NIC loses its link for ${LINK_DOWN_SEC} s, ${other.name} takes over; it returns and ${back}`, async () => {
    expect(holderName !== undefined, `no director holds ${s0.vip}`);
    await keepalivedEverywhere(lab);
    const list = virsh('domiflist', master.domainName);
    const iface = domIfForMac(list.stdout, master.macAddress);
    expect(iface !== undefined, `no interface with ${master.macAddress} in virsh domiflist ${master.domainName}: ${list.stdout}${list.stderr}`);
    const before = vrrpTransitions(lab);
    const probe = startProbe(serviceUrl(s0), 'link-down', 100, 300);
    let probes: ProbeLine[] = [];
    let down = false;
    let downAt = 0;
    let upAt = 0;
    try {
      await sleep(3000);
      downAt = Date.now();
      const r = virsh('domif-setlink', master.domainName, iface!, 'down');
      expect(r.status === 0, `virsh domif-setlink ${master.domainName} ${iface} down: ${r.stderr}`);
      down = true;
      await waitFor(`${other.name} to hold ${s0.vip}`, 30, () => (holdsVip(lab, other, s0.vip) ? true : undefined), 250);
      await sleep(Math.max(0, downAt + LINK_DOWN_SEC * 1000 - Date.now()));
      upAt = Date.now();
      const u = virsh('domif-setlink', master.domainName, iface!, 'up');
      expect(u.status === 0, `virsh domif-setlink ${master.domainName} ${iface} up: ${u.stderr}`);
      down = false;
      if (lab.vrrp.nopreempt) {
        await sleep((3 * lab.vrrp.advertIntSec + 5) * 1000);
        expect(holdsVip(lab, other, s0.vip), `with nopreempt ${other.name} lost the VIP when ${master.name}'s link returned`);
      } else {
        await waitFor(`${master.name} to take ${s0.vip} back`, 60, () => (holdsVip(lab, master, s0.vip) ? true : undefined), 500);
      }
      await sleep(5000);
    } finally {
      if (down) virsh('domif-setlink', master.domainName, iface!, 'up');
      probes = await probe.stop();
    }
    const whileDown = probes.filter((p) => p.t < upAt);
    const takeoverMs = failoverGap(whileDown, downAt);
    const returnMs = failoverGap(probes.filter((p) => p.t >= upAt), upAt);
    result.figures.drills = {
      ...result.figures.drills,
      ...(takeoverMs !== undefined ? { linkDownTakeoverSec: round2(takeoverMs / 1000) } : {}),
      ...(returnMs !== undefined ? { linkUpGapSec: round2(returnMs / 1000) } : {}),
    };
    expect(takeoverMs !== undefined, `no probe succeeded while ${master.name}'s link was down (${whileDown.length} probes)`);
    const afterTakeover = whileDown.filter((p) => p.t > downAt + takeoverMs! + 1000);
    expect(afterTakeover.every((p) => p.ok), `${afterTakeover.filter((p) => !p.ok).length} probes failed after ${other.name} took over`);
    expect(returnMs !== undefined && probes.slice(-10).every((p) => p.ok), `not serving after the link returned: ${probeSummary(probes).text}`);
    // Exactly the transitions the link caused, nothing more.
    const moved = newTransitions(lab, before, vrrpTransitions(lab));
    const want = new Map([
      [master.name, lab.vrrp.nopreempt ? ['FAULT', 'BACKUP'] : ['FAULT', 'BACKUP', 'MASTER']],
      [other.name, lab.vrrp.nopreempt ? ['MASTER'] : ['MASTER', 'BACKUP']],
    ]);
    for (const [name, states] of want) {
      const got = moved.get(name) ?? [];
      expect(got.join(' ') === states.join(' '), `${name} went ${got.join(' -> ') || 'nowhere'}, expected ${states.join(' -> ')}`);
    }
    const holder = lab.vrrp.nopreempt ? other : master;
    const arp = clientArp(s0.vip);
    expect(arp === holder.macAddress, `${s0.vip} is-at ${arp}, expected ${holder.name} ${holder.macAddress}`);
    return `${iface} down: ${(takeoverMs! / 1000).toFixed(2)} s without an answer until ${other.name} served; up: ${(returnMs! / 1000).toFixed(2)} s; ` +
      `${[...moved].map(([name, states]) => `${name} ${states.join(' -> ')}`).join('; ')}; ${s0.vip} is-at ${holder.name}`;
  });
}

/** What the client gets from a URL (https without verifying: the real servers' certificates are self-signed). */
function fetchFrom(url: string, source?: string): { code: string; body: string; name?: string } {
  const args = ['curl', '-sS', '-k', '--max-time', '3', '-o', '-', '-w', '\n%{http_code}'];
  if (source) args.push('--interface', source);
  const r = client([...args, url], 10);
  const lines = r.stdout.trimEnd().split('\n');
  const code = r.status === 0 ? lines.pop() ?? '' : `curl exit ${r.status}`;
  const body = lines.join('\n').trim();
  return { code, body, name: code === '200' ? servedBy(body) : undefined };
}

/** Every port of a service as the client reaches it: https on its TLS ports. */
const serviceUrls = (s: ResolvedService) => s.ports.map((p) => `${s.tlsPorts.includes(p) ? 'https' : 'http'}://${s.vip}:${p}/`);

/** A removal bound for a service's checkers: the health check's (as the RS failure check), or the MISC check's. */
function removalBoundSec(s: ResolvedService): number {
  const hc = s.healthCheck;
  const health = hc.type === 'none' ? 0 : s.delayLoopSec + (hc.retry + 1) * hc.connectTimeoutSec + hc.retry * hc.delayBeforeRetrySec + 2;
  const misc = s.miscCheck ? s.delayLoopSec + s.miscCheck.timeoutSec + 2 : 0;
  return Math.max(health, misc);
}

/** The real server's row under the service in the director's table, read now. */
function ipvsRow(lab: ResolvedLab, director: { address: string }, s: ResolvedService) {
  return parseIpvsServices(ssh(lab.ssh.user, director.address, 'sudo ipvsadm -Ln', 10).stdout).find((x) => serviceKey(x) === serviceKey(s));
}

/** `ip daddr VIP tcp dport { 8080, 8443 } meta mark set 0x00000002`, as `nft list` prints the rule the lab installs. */
const markRule = (s: ResolvedService) =>
  new RegExp(`ip daddr ${s.vip.replace(/\./g, '\\.')} ${s.protocol.toLowerCase()} dport \\{ ${s.ports.join(', ')} \\} meta mark set 0x0*${s.fwmark!.toString(16)}\\b`);

/** Each director marks the service's packets with nftables, from Debian's nftables.service (so it survives a reboot). */
function fwmarkRulesCheck(lab: ResolvedLab, s: ResolvedService, directors: readonly { name: string; address: string }[]): string {
  const seen: string[] = [];
  for (const d of directors) {
    const r = ssh(lab.ssh.user, d.address, 'systemctl is-enabled nftables.service; sudo nft list table ip lvs_lab', 15);
    expect(/^enabled$/m.test(r.stdout), `${d.name}: nftables.service is not enabled: ${r.stdout}${r.stderr}`);
    expect(markRule(s).test(r.stdout), `${d.name}: no rule marking ${s.vip} ports ${s.ports.join(', ')} with ${s.fwmark} in table ip lvs_lab: ${r.stdout}${r.stderr}`);
    seen.push(d.name);
  }
  return `${seen.join(', ')}: nftables.service enabled, ${s.vip} ${s.protocol.toLowerCase()} ports {${s.ports.join(', ')}} marked ${s.fwmark}`;
}

/**
 * Issue 8, features 3-5 on a firewall-mark service: the marking rules, persistence across its
 * ports, the MISC and SSL_GET checks each removing a server they fail, and with every server down
 * the sorry server, inhibit_on_failure and the quorum hooks.
 */
async function fwmarkServiceChecks(lab: ResolvedLab, s: ResolvedService, s0: ResolvedService, sources: readonly string[], result: E2eResult): Promise<void> {
  const user = lab.ssh.user;
  const key = serviceKey(s);
  const members = s.realServers.map((n) => lab.realServers.find((r) => r.name === n)!).filter((r) => r.weight > 0);
  const holder = () => lab.directors.find((d) => d.name === vipHolder(lab, s.vip)) ?? lab.directors[0];
  const urls = serviceUrls(s);
  const features = () => result.figures.features ?? {};

  await check(`fwmark: every director marks ${s.vip} ports ${s.ports.join(', ')} with ${s.fwmark} (nftables.service); ${key} lists every real server`, () => {
    const detail = fwmarkRulesCheck(lab, s, lab.directors);
    const row = ipvsRow(lab, holder(), s);
    expect(row !== undefined && members.every((m) => row.destinations.some((d) => d.address === m.address && d.weight === m.weight)),
      `${holder().name}'s ${key}: ${JSON.stringify(row?.destinations ?? 'missing')}`);
    return `${detail}; ${holder().name}: ${key} ${row!.scheduler}${row!.persistenceSec ? ` persistent ${row!.persistenceSec}` : ''} -> ${row!.destinations.map((d) => `${d.address} w${d.weight}`).join(', ')}`;
  });

  if (s.persistenceTimeoutSec > 0) {
    await check(`fwmark persistence: each client's connections to ${urls.join(' and ')} land on one real server; the clients reach every real server`, () => {
      const bySource = new Map<string, string[]>();
      for (const source of sources.slice(0, 8)) {
        const names: string[] = [];
        for (const url of urls) for (let i = 0; i < 2; i++) {
          const r = fetchFrom(url, source);
          expect(r.name !== undefined, `${url} from ${source}: ${r.code} ${r.body.slice(0, 80)}`);
          names.push(r.name!);
        }
        bySource.set(source, names);
      }
      const split = [...bySource].filter(([, n]) => new Set(n).size > 1);
      expect(split.length === 0, `not one server per client across the ports: ${split.map(([src, n]) => `${src} -> ${n.join('/')}`).join('; ')}`);
      const used = new Set([...bySource.values()].map((n) => n[0]));
      const missing = members.filter((m) => !used.has(m.name));
      expect(missing.length === 0, `${missing.map((m) => m.name).join(', ')} chosen for none of ${bySource.size} clients`);
      return `${bySource.size} clients, ${urls.length * 2} requests each, every client on one server across the ports: ` +
        [...bySource].map(([src, n]) => `${src.split('.').pop()}->${n[0]}`).join(', ');
    });
  }

  const victim = members[members.length - 1];
  // Each check asks the director holding the VIP when it starts (one ssh per poll, not three).
  const out = (d: { address: string }, rs: { address: string }) => inIpvsTable(lab, d, s, rs) === false ? true : undefined;
  const back = (d: { address: string }, rs: { address: string }) => inIpvsTable(lab, d, s, rs) === true ? true : undefined;
  const boundSec = removalBoundSec(s);

  if (s.miscCheck) {
    await check(`MISC_CHECK: ${victim.name} fails the user's check (its ${WEB_ROOT}/ready removed): it leaves ${key} within ${boundSec} s and stays in ${serviceKey(s0)}; restored, it returns`, async () => {
      const d = holder();
      const rm = ssh(user, victim.address, `sudo mv ${WEB_ROOT}/ready ${WEB_ROOT}/ready.e2e`, 15);
      expect(rm.status === 0, `could not remove ${WEB_ROOT}/ready on ${victim.name}: ${rm.stderr}`);
      const at = now();
      let removal = 0;
      let row: ReturnType<typeof ipvsRow>;
      let inPlain: boolean | undefined;
      try {
        await waitFor(`${victim.name} to leave ${key}`, boundSec + 30, () => out(d, victim), 500);
        removal = now() - at;
        row = ipvsRow(lab, d, s);
        inPlain = s0 !== s && s0.realServers.includes(victim.name) ? inIpvsTable(lab, d, s0, victim) : undefined;
      } finally {
        ssh(user, victim.address, `sudo mv ${WEB_ROOT}/ready.e2e ${WEB_ROOT}/ready`, 15);
      }
      const dest = row?.destinations.find((x) => x.address === victim.address);
      expect(inPlain !== false, `${victim.name} left ${serviceKey(s0)} too, whose checks it passes`);
      expect(removal <= boundSec, `${victim.name} left after ${removal.toFixed(1)} s, later than the ${boundSec} s bound`);
      const backAt = now();
      await waitFor(`${victim.name} to return to ${key}`, boundSec + 30, () => back(d, victim), 500);
      result.figures.features = { ...features(), miscRemovalSec: round1(removal) };
      return `out after ${removal.toFixed(1)} s (${dest ? `inhibited: weight ${dest.weight}` : 'removed'}), still in ${serviceKey(s0)}; back ${(now() - backAt).toFixed(1)} s after the file returned`;
    });
  }

  if (s.healthCheck.type === 'https') {
    await check(`SSL_GET: ${victim.name}'s TLS key replaced (no longer its certificate's): nginx cannot serve TLS, ${victim.name} leaves ${key} within ${boundSec} s; restored, it returns`, async () => {
      const d = holder();
      const swap = ssh(user, victim.address,
        `sudo cp -p ${TLS_KEY_PATH} ${TLS_KEY_PATH}.e2e && sudo openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${TLS_KEY_PATH} && ` +
        `{ sudo systemctl restart nginx; sudo nginx -t 2>&1; true; }`, 60);
      expect(swap.status === 0, `could not replace the key on ${victim.name}: ${swap.stdout}${swap.stderr}`);
      const at = now();
      try {
        expect(/key values mismatch/.test(swap.stdout), `nginx -t on ${victim.name} does not report the mismatched key: ${tail(swap.stdout, 5)}`);
        await waitFor(`${victim.name} to leave ${key}`, boundSec + 30, () => out(d, victim), 500);
      } finally {
        const restore = ssh(user, victim.address, `sudo mv ${TLS_KEY_PATH}.e2e ${TLS_KEY_PATH} && sudo systemctl restart nginx`, 60);
        expect(restore.status === 0, `could not restore the key on ${victim.name}: ${restore.stderr}`);
      }
      const removal = now() - at;
      expect(removal <= boundSec, `${victim.name} left after ${removal.toFixed(1)} s, later than the ${boundSec} s bound`);
      const backAt = now();
      await waitFor(`${victim.name} to return to ${key}`, boundSec + 30, () => back(d, victim), 500);
      const tls = fetchFrom(urls.find((u) => u.startsWith('https:'))!.replace(s.vip, victim.address));
      expect(tls.code === '200', `https to ${victim.name} directly after the restore: ${tls.code}`);
      result.figures.features = { ...features(), sslRemovalSec: round1(removal) };
      return `nginx -t: key values mismatch; out after ${removal.toFixed(1)} s; back ${(now() - backAt).toFixed(1)} s after the key returned`;
    });
  }

  if (s.sorryServer || s.inhibitOnFailure || s.quorum) {
    const tag = s.quorum?.down?.[1] === '-t' ? s.quorum.down[2] : undefined;
    const hooks = (d: { address: string }) => tag === undefined ? [] :
      ssh(user, d.address, `sudo journalctl -o cat --no-pager -t ${tag}`, 15).stdout.trim().split('\n').filter(Boolean);
    const what = [s.inhibitOnFailure && 'every server inhibited at weight 0', s.sorryServer && 'the directors answer "sorry-from"', s.quorum && 'quorum_down runs'].filter(Boolean).join(', ');
    await check(`every real server of ${key} down: ${what}; back up: balancing resumes${s.quorum ? ', quorum_up runs' : ''}`, async () => {
      expect(!s.quorum?.down || tag !== undefined, `the harness reads the quorum hooks from the journal: quorum.down must be [/usr/bin/logger, -t, TAG, ...], got ${JSON.stringify(s.quorum?.down)}`);
      const d = holder();
      const hooksBefore = hooks(d).length;
      const stopAll = () => members.map((m) => ssh(user, m.address, 'sudo systemctl stop nginx', 30));
      const startAll = () => members.map((m) => ssh(user, m.address, 'sudo systemctl start nginx', 30));
      const stops = stopAll();
      expect(stops.every((r) => r.status === 0), `systemctl stop nginx: ${stops.map((r) => r.stderr.trim()).join(' ')}`);
      const at = now();
      let sorryAnswers: string[] = [];
      let downHooks: string[] = [];
      let row: ReturnType<typeof ipvsRow>;
      try {
        row = await waitFor(`every server of ${key} out of service on ${d.name}`, boundSec + 30, () => {
          const r = ipvsRow(lab, d, s);
          const outAll = r !== undefined && members.every((m) => !r.destinations.some((x) => x.address === m.address && x.weight > 0));
          const sorryIn = !s.sorryServer || r?.destinations.some((x) => x.address === '127.0.0.1');
          return outAll && sorryIn ? r : undefined;
        }, 500, () => JSON.stringify(ipvsRow(lab, d, s)));
        if (s.inhibitOnFailure) {
          const gone = members.filter((m) => !row!.destinations.some((x) => x.address === m.address && x.weight === 0));
          expect(gone.length === 0, `inhibit_on_failure: ${gone.map((m) => m.name).join(', ')} not listed at weight 0: ${JSON.stringify(row!.destinations)}`);
        }
        if (s.sorryServer) {
          // From several client addresses: a hashing scheduler (sh) maps each to a bucket, and a
          // bucket that still names an inhibited server must not refuse its clients.
          for (const url of urls) {
            const answers = new Map<string, string[]>();
            for (const source of sources.slice(1, 5)) {
              const r = fetchFrom(url, source);
              expect(r.code === '503' && r.body === `sorry-from ${d.name}`, `${url} from ${source}: ${r.code} ${r.body.slice(0, 80)}, expected 503 sorry-from ${d.name}`);
              const answer = `${r.code} ${r.body}`;
              answers.set(answer, [...(answers.get(answer) ?? []), source.split('.').pop()!]);
            }
            sorryAnswers.push(`${url} ${[...answers].map(([a, from]) => `${a} (from .${from.join(', .')})`).join(', ')}`);
          }
        }
        if (tag !== undefined) {
          await waitFor(`quorum_down on ${d.name}`, 15, () => (hooks(d).slice(hooksBefore).length > 0 ? true : undefined), 1000);
          downHooks = hooks(d).slice(hooksBefore);
        }
      } finally {
        startAll();
      }
      const outSec = now() - at;
      const upAt = now();
      const full = await waitFor(`every server of ${key} back in service on ${d.name}`, boundSec + 60, () => {
        const r = ipvsRow(lab, d, s);
        const allIn = r !== undefined && members.every((m) => r.destinations.some((x) => x.address === m.address && x.weight === m.weight));
        return allIn && !r.destinations.some((x) => x.address === '127.0.0.1') ? r : undefined;
      }, 500, () => JSON.stringify(ipvsRow(lab, d, s)));
      const names = new Set<string>();
      for (const source of sources.slice(0, 8)) {
        const r = fetchFrom(urls[0], source);
        expect(r.name !== undefined, `${urls[0]} from ${source} after the return: ${r.code} ${r.body.slice(0, 80)}`);
        names.add(r.name!);
      }
      // sed and nq give idle servers' clients all to one server, dh/lblc(r) a VIP's: one is enough there.
      const spreads = !ONE_SERVER.has(s.scheduler);
      expect(spreads ? names.size === members.length : names.size >= 1, `after the return 8 clients reached only ${[...names].join(', ')}`);
      let upHooks: string[] = [];
      if (tag !== undefined) {
        upHooks = await waitFor(`quorum_up on ${d.name}`, 15, () => { const h = hooks(d).slice(hooksBefore + downHooks.length); return h.length > 0 ? h : undefined; }, 1000);
      }
      result.figures.features = { ...features(), sorryAfterSec: round1(outSec) };
      return `all down: ${row!.destinations.map((x) => `${x.address} ${x.forward} w${x.weight}`).join(', ')}; ${sorryAnswers.join('; ')}` +
        (tag ? `; ${tag}: ${downHooks.join(',')} then ${upHooks.join(',')}` : '') +
        `; back in ${(now() - upAt).toFixed(1)} s: ${full.destinations.map((x) => `${x.address} w${x.weight}`).join(', ')}, 8 clients over ${[...names].join(', ')}`;
    });
  }
}

/**
 * Issue 8, feature 2 (dual-stack): an IPv6 service answers from every real server and balances;
 * its VIP resolves to the MASTER's MAC and no real server ever advertises it (the IPv6 form of
 * the reference's `arp -an` lesson): neighbour advertisements captured at the client while it
 * solicits the VIP afresh.
 */
async function ipv6ServiceChecks(lab: ResolvedLab, s: ResolvedService, sources: readonly string[], master: ResolvedLab['directors'][number]): Promise<void> {
  const url = serviceUrl(s);
  const members = s.realServers.map((n) => lab.realServers.find((r) => r.name === n)!).filter((r) => r.weight > 0);
  const ready = await check(`IPv6: every real server answers through ${url}`, async () => {
    const seen = new Set<string>();
    let i = 0;
    await waitFor(`every real server to answer through ${url}`, 120, () => {
      const r = httpGet(url, { source: sources[i++ % sources.length], maxTimeSec: 2 });
      const name = r.ok ? servedBy(r.body) : undefined;
      if (name) seen.add(name);
      return members.every((m) => seen.has(m.name)) ? true : undefined;
    }, 200, () => `answered from [${[...seen].join(', ')}]`);
    return `answered from ${[...seen].join(', ')} (client sources ${sources.slice(0, 3).join(', ')}, ...)`;
  });
  if (!ready) return;
  await check(`IPv6: ${url} balances as ${s.scheduler}`, () => balanceCheck(lab, s, sources[0], [...sources.slice(1)], master));
  await check(`IPv6: ${s.vip}'s neighbour entry is the MASTER's MAC; no real server advertises it`, async () => {
    const cap = path.join(RUN_DIR, `ndp-${Date.now()}.pcap`);
    const dump = spawn('ip', ['netns', 'exec', CLIENT_NS, 'tcpdump', '-i', 'eth0', '-nn', '-e', '-U', '-w', cap, 'icmp6 and ip6[40] == 136'], { stdio: 'ignore' });
    let mac: string | undefined;
    try {
      await sleep(1500);
      for (let i = 0; i < 3; i++) mac = clientArp(s.vip);
      await sleep(1000);
    } finally {
      dump.kill('SIGINT');
      await new Promise((r) => dump.on('close', r));
    }
    const vip = s.vip; // resolved: the canonical spelling tcpdump prints
    const lines = run('tcpdump', ['-e', '-nn', '-r', cap], { timeoutSec: 30 }).stdout.split('\n');
    const advertisers = lines.filter((l) => l.includes(`tgt is ${vip},`) || l.endsWith(`tgt is ${vip}`))
      .map((l) => /^\S+ ([0-9a-f:]{17}) > /.exec(l)?.[1]).filter((m): m is string => m !== undefined);
    const rsMacs = new Set(lab.realServers.map((r) => r.macAddress));
    expect(mac === master.macAddress, `${s.vip} lladdr ${mac}, expected ${master.name} ${master.macAddress}`);
    expect(advertisers.length > 0, `no neighbour advertisement for ${vip} captured (${lines.length} lines)`);
    const bad = advertisers.filter((m) => rsMacs.has(m));
    expect(bad.length === 0, `real servers advertised ${vip}: ${bad.map((m) => nameOfMac(lab, m)).join(', ')}`);
    // The IPv6 instance's first address is the virtual router's link-local one (RFC 5798).
    for (const d of lab.directors) {
      const j = ssh(lab.ssh.user, d.address, 'sudo journalctl -b -u keepalived --no-pager -o cat', 20);
      expect(j.status === 0 && !/should be link local/.test(j.stdout), `${d.name}'s keepalived: ${j.stdout.split('\n').find((l) => /link local/.test(l)) ?? j.stderr}`);
    }
    return `${s.vip} lladdr ${mac} (${master.name}); ${advertisers.length} advertisements for it, all from ${[...new Set(advertisers)].map((m) => nameOfMac(lab, m)).join(', ')}`;
  });
}

/** The readiness of the deployed lab, for the baseline and the reference: answers and booted. */
function labReady(lab: ResolvedLab): () => boolean {
  const finished = new Set<string>();
  return () => labAnswers(lab) && bootFinished(lab, finished);
}

/** true when cloud-init has finished on every VM (remembered in `finished`, asked once each). */
function bootFinished(lab: ResolvedLab, finished: Set<string>): boolean {
  for (const vm of [...lab.directors, ...lab.realServers]) {
    if (finished.has(vm.name)) continue;
    if (ssh(lab.ssh.user, vm.address, 'test -f /var/lib/cloud/instance/boot-finished', 15).status !== 0) return false;
    finished.add(vm.name);
  }
  return true;
}

/** true when every live real server has answered through each VIP at least once. */
function labAnswers(lab: ResolvedLab): boolean {
  return lab.services
    .filter((s) => s.protocol === 'TCP')
    .every((s) => {
      const want = new Set(s.realServers.filter((n) => lab.realServers.find((r) => r.name === n)!.weight > 0));
      const seen = new Set<string>();
      for (let i = 0; i < want.size * 4 && seen.size < want.size; i++) {
        const r = httpGet(serviceUrl(s), { maxTimeSec: 2 });
        const name = r.ok ? servedBy(r.body) : undefined;
        if (name) seen.add(name);
      }
      return ONE_SERVER.has(s.scheduler) || s.persistenceTimeoutSec > 0 || SOURCE_HASH.has(s.scheduler) ? seen.size > 0 : seen.size === want.size;
    });
}

function readProbes(file: string): ProbeLine[] {
  return fs.existsSync(file) ? parseProbeLines(fs.readFileSync(file, 'utf8')) : [];
}

/** The client probes `url` (probe.js) until `stop()`, which returns every probe it made. */
function startProbe(url: string, name: string, intervalMs = DRILL_PROBE_INTERVAL_MS, timeoutMs = DRILL_PROBE_TIMEOUT_MS): { stop: () => Promise<ProbeLine[]> } {
  const file = path.join(RUN_DIR, `probe-${name}.jsonl`);
  const stopAt = path.join(RUN_DIR, `probe-${name}.stop`);
  fs.rmSync(file, { force: true });
  fs.rmSync(stopAt, { force: true });
  const proc = spawn('ip', ['netns', 'exec', CLIENT_NS, process.execPath, path.join(__dirname, 'probe.js'), url, file, stopAt,
    String(intervalMs), String(timeoutMs), '1200'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
  return {
    stop: async () => {
      fs.writeFileSync(stopAt, '');
      await Promise.race([exited, sleep(5000)]);
      proc.kill();
      return readProbes(file);
    },
  };
}

/**
 * Whether the director's IPVS table, read now, has the real server in service under the service
 * (undefined: no such service): listed, and with inhibitOnFailure not inhibited (weight 0).
 */
const inIpvsTable = (lab: ResolvedLab, director: { address: string }, s: ResolvedService, rs: { address: string }) =>
  ipvsTable(ssh(lab.ssh.user, director.address, 'sudo ipvsadm -Ln', 10).stdout).get(serviceKey(s))
    ?.some((x) => x.address === realServerAddress(s, rs) && (x.weight > 0 || !s.inhibitOnFailure));

/** The director's IPVS table, read now, is complete. */
const directorIpvsComplete = (lab: ResolvedLab, director: { address: string }) =>
  ipvsComplete(lab, ipvsTable(ssh(lab.ssh.user, director.address, 'sudo ipvsadm -Ln', 15).stdout));

function leftovers(labName: string): string[] {
  const left: string[] = [];
  const mine = (s: string) => s.split('\n').map((l) => l.trim().split(/\s+/)[0] ?? '').filter((n) => n.startsWith(labName));
  left.push(...mine(virsh('list', '--all', '--name').stdout).map((n) => `domain ${n}`));
  left.push(...mine(virsh('net-list', '--all', '--name').stdout).map((n) => `network ${n}`));
  const pools = mine(virsh('pool-list', '--all', '--name').stdout);
  left.push(...pools.map((n) => `pool ${n}`));
  for (const p of pools) left.push(...virsh('vol-list', p).stdout.split('\n').filter(Boolean).map((l) => `volume ${l.trim()}`));
  const poolDir = path.join(POOL_DIR, labName);
  if (fs.existsSync(poolDir) && fs.readdirSync(poolDir).length > 0) left.push(`files in ${poolDir}: ${fs.readdirSync(poolDir).join(', ')}`);
  return left;
}

function cloudInitStatus(lab: ResolvedLab): string {
  return [...lab.directors, ...lab.realServers]
    .map((vm) => {
      const file = path.join(LOG_DIR, `${vm.domainName}.log`);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const state = /Cloud-init .* finished/.test(text) ? 'cloud-init finished' : text ? 'booting' : 'no console output';
      const failed = /config-test FAILED|LVS-LAB.*FAIL/i.test(text) ? ' (keepalived config-test FAILED)' : '';
      return `${vm.name}: ${state}${failed}`;
    })
    .join(', ');
}

/** MACs announced in every ARP reply for one of the VIPs in the client's capture so far. */
function arpRepliesFor(vips: readonly string[]): string[] {
  const pcap = path.join(RUN_DIR, 'client.pcap');
  const r = run('tcpdump', ['-nn', '-r', pcap, 'arp'], { timeoutSec: 60 });
  const macs: string[] = [];
  for (const m of r.stdout.matchAll(/Reply (\S+) is-at ([0-9a-f:]{17})/g)) {
    if (vips.includes(m[1])) macs.push(m[2]);
  }
  return macs;
}

function nameOfMac(lab: ResolvedLab, mac: string): string {
  return [...lab.directors, ...lab.realServers].find((v) => v.macAddress === mac)?.name ?? mac;
}

const tail = (text: string, n = 25) => text.trim().split('\n').slice(-n).join('\n');
const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
const round = (x: number) => Math.round(x);

main().then(
  (code) => process.exit(code),
  (err) => {
    log(`harness error: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
