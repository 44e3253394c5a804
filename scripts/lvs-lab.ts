#!/usr/bin/env node
/**
 * lvs-lab: operate the lab of this checkout.
 *
 *   npm run lvs-lab -- doctor [--json | --quiet]      every reason a deploy would fail here, with the fix
 *   npm run lvs-lab -- wait [--timeout S] [--json]    until every VM's cloud-init is done and every real server answers through every VIP
 *   npm run lvs-lab -- status [--json]                the live cluster: VRRP, IPVS tables, real servers, the VIP's MAC
 *   npm run lvs-lab -- traffic [-n N] [-c C] [--json] requests to every VIP, shares beside the scheduler's prediction
 *   npm run lvs-lab -- drill failover [--json]        stop keepalived on the MASTER, measure the gap, restore
 *   npm run lvs-lab -- drill rs-down NAME [--json]    stop a real server's web service, time its removal and return
 *
 * The lab is read as the app and the doctor read it (LAB_CONFIG, else the reference topology).
 * The VMs are reached with ssh as the lab's user (ssh.user), with --ssh-key or the private half
 * of the default key a deploy authorizes (~/.ssh/id_ed25519, id_ecdsa, id_rsa).
 * Exit status: 0 healthy / ready / passed, 1 when a problem is found, a VM's first boot failed, the
 * wait timed out or a drill fails, 2 on a usage error or a lab config that cannot be read.
 * `npm run deploy` runs `doctor --quiet` first and stops on a failure, and `wait` after terraform.
 */
import * as fs from 'node:fs';
import yargs = require('yargs');
import * as cliProgress from 'cli-progress';
import { findDefaultPublicKey, homeDirectory } from '../app-lab';
import { formatReport, formatReportJson, localHost, runDoctor } from '../doctor';
import { LabConfigError, labFromEnv, type ResolvedLab } from '../lab';
import { REPO_ROOT } from '../lab-paths';
import {
  collectStatus, DrillError, formatDrillJson, formatFailover, formatRsDown, formatStatus, formatStatusJson, formatTraffic, formatTrafficJson,
  formatReady, formatReadyEvent, formatReadyJson, localOpsHost, runFailoverDrill, runRsDownDrill, runTraffic, TRAFFIC_LIMITS, waitForReady,
  DEFAULT_WAIT_TIMEOUT_SEC, WAIT_TIMEOUT_ENV, type OpsHost,
} from '../ops';

/** Exit status of a command line that names no known command or option, or a lab that cannot be read. */
const USAGE_ERROR = 2;

/** The lab (as doctor reads it) and the way to its VMs; exits 2 when the config cannot be read. */
function openLab(sshKey: string | undefined, hostOptions: { shareConnections?: boolean } = {}): { lab: ResolvedLab; host: OpsHost; configFile?: string } {
  let lab: ResolvedLab;
  try {
    lab = labFromEnv(process.env).lab;
  } catch (error) {
    if (!(error instanceof LabConfigError)) throw error;
    process.stderr.write(`${error.message}\nlvs-lab: the lab config cannot be read: correct it (docs/config.md); \`npm run lvs-lab -- doctor\` lists every problem.\n`);
    process.exit(USAGE_ERROR);
  }
  let keyFile = sshKey;
  if (keyFile !== undefined && !fs.existsSync(keyFile)) usage(`--ssh-key ${keyFile}: no such file`);
  if (keyFile === undefined) {
    // the private half of the key a deploy authorizes when the config lists none (app-lab.ts)
    const found = findDefaultPublicKey(homeDirectory(process.env));
    const priv = found?.file.replace(/\.pub$/, '');
    if (priv && fs.existsSync(priv)) keyFile = priv;
  }
  const configFile = process.env.LAB_CONFIG?.trim() || undefined;
  return { lab, host: localOpsHost({ user: lab.ssh.user, ...(keyFile ? { keyFile } : {}) }, process.env, hostOptions), ...(configFile ? { configFile } : {}) };
}

function usage(message: string): never {
  process.stderr.write(`lvs-lab: ${message}\nRun \`npm run lvs-lab -- --help\` for the commands and options.\n`);
  process.exit(USAGE_ERROR);
}

/** A drill that could not run or ended in an exception: the reason on stderr (and as JSON), exit 1. */
function drillFailed(drill: string, error: unknown, json: boolean): void {
  if (!(error instanceof DrillError)) throw error;
  if (json) process.stdout.write(`${JSON.stringify({ version: 1, drill, ok: false, problems: [error.message] }, null, 2)}\n`);
  process.stderr.write(`lvs-lab drill ${drill}: ${error.message}\n`);
  process.exitCode = 1;
}

/** `wait --timeout`'s default: LAB_WAIT_TIMEOUT_SEC when set (a deploy passes it on), else 900 s; a bad value is a usage error. */
function waitTimeoutDefault(): number {
  const raw = process.env[WAIT_TIMEOUT_ENV]?.trim();
  if (!raw) return DEFAULT_WAIT_TIMEOUT_SEC;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 86_400) usage(`${WAIT_TIMEOUT_ENV}=${raw}: expected whole seconds, 1-86400`);
  return value;
}

const sshKeyOption = { type: 'string', describe: 'private key for ssh to the VMs (default: ~/.ssh/id_ed25519, id_ecdsa or id_rsa, as the deploy authorized)' } as const;
const jsonOption = { type: 'boolean', describe: 'print the report as JSON for scripts (shapes in docs/operating.md)' } as const;
const timeLimitOption = (seconds: number) => ({ type: 'number', default: seconds, describe: 'stop (and restore) after this many seconds at most' }) as const;

yargs(process.argv.slice(2))
  .scriptName('lvs-lab')
  .usage('$0 <command> [options]')
  .command(
    'doctor',
    'check this machine for everything a deploy of the lab (LAB_CONFIG) needs; exit 1 when a deploy would fail',
    (y) =>
      y
        .option('json', { type: 'boolean', describe: 'print the report as JSON: { ok, lab, configFile, checks: [...] }' })
        .option('quiet', { type: 'boolean', describe: 'print only failures and warnings, with their fixes' })
        .conflicts('json', 'quiet'),
    (argv) => {
      const report = runDoctor(localHost(process.env), REPO_ROOT);
      process.stdout.write(argv.json ? formatReportJson(report) : formatReport(report, { quiet: argv.quiet === true }));
      process.exitCode = report.ok ? 0 : 1;
    },
  )
  .command(
    'wait',
    "wait until the deployed lab works: every VM's cloud-init done, every real server answering through every VIP; exit 1 naming each VM whose first boot failed (with its error and the fix) or what never answered",
    (y) =>
      y
        .option('timeout', {
          type: 'number',
          default: waitTimeoutDefault(),
          defaultDescription: `${WAIT_TIMEOUT_ENV}, else ${DEFAULT_WAIT_TIMEOUT_SEC}`,
          describe: 'give up after this many seconds',
        })
        .option('ssh-key', sshKeyOption)
        .option('json', jsonOption)
        .check((argv) => {
          if (!(Number.isInteger(argv.timeout) && argv.timeout >= 1 && argv.timeout <= 86_400)) throw new Error(`--timeout ${argv.timeout}: expected whole seconds, 1-86400`);
          return true;
        }),
    async (argv) => {
      const { lab, host } = openLab(argv.sshKey, { shareConnections: true });
      process.stderr.write(`lvs-lab wait: lab ${lab.name}: waiting for cloud-init on ${lab.directors.length + lab.realServers.length} VMs and the services' answers (at most ${argv.timeout} s)...\n`);
      const report = await waitForReady(host, lab, { timeoutMs: argv.timeout * 1000 }, (e) => process.stderr.write(`${formatReadyEvent(e)}\n`))
        .finally(() => host.close?.());
      process.stdout.write(argv.json ? formatReadyJson(report) : formatReady(report));
      process.exitCode = report.ok ? 0 : 1;
    },
  )
  .command(
    'status',
    "the deployed lab's live state: VRRP and VIPs, IPVS tables, sync daemons, real servers' VIPs and ARP sysctls, the VIP's MAC from here; exit 1 on a problem",
    (y) => y.option('ssh-key', sshKeyOption).option('json', jsonOption),
    async (argv) => {
      const { lab, host, configFile } = openLab(argv.sshKey);
      const report = await collectStatus(host, lab, configFile);
      process.stdout.write(argv.json ? formatStatusJson(report) : formatStatus(report));
      process.exitCode = report.ok ? 0 : 1;
    },
  )
  .command(
    'traffic',
    "HTTP requests to every TCP VIP, counted per real server beside the share the scheduler and weights predict; exit 1 when a share is off or a request fails",
    (y) =>
      y
        .option('requests', { alias: 'n', type: 'number', default: 100, describe: `requests per VIP (${TRAFFIC_LIMITS.requests.min}-${TRAFFIC_LIMITS.requests.max})` })
        .option('concurrency', { alias: 'c', type: 'number', default: 1, describe: `requests in flight at once, each on its own connection (${TRAFFIC_LIMITS.concurrency.min}-${TRAFFIC_LIMITS.concurrency.max})` })
        .option('tolerance', { type: 'number', default: 10, describe: 'percentage points a share may be off its prediction' })
        .option('request-timeout', { type: 'number', default: 3, describe: 'seconds before one request counts as failed' })
        .option('time-limit', { type: 'number', default: 120, describe: 'stop sending after this many seconds at most' })
        .option('ssh-key', sshKeyOption)
        .option('json', jsonOption)
        .check((argv) => {
          const int = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
          if (!int(argv.requests, TRAFFIC_LIMITS.requests.min, TRAFFIC_LIMITS.requests.max)) throw new Error(`-n ${argv.requests}: expected an integer ${TRAFFIC_LIMITS.requests.min}-${TRAFFIC_LIMITS.requests.max}`);
          if (!int(argv.concurrency, TRAFFIC_LIMITS.concurrency.min, TRAFFIC_LIMITS.concurrency.max)) throw new Error(`-c ${argv.concurrency}: expected an integer ${TRAFFIC_LIMITS.concurrency.min}-${TRAFFIC_LIMITS.concurrency.max}`);
          if (!(argv.tolerance >= 0 && argv.tolerance <= 100)) throw new Error(`--tolerance ${argv.tolerance}: expected 0-100 points`);
          if (!(argv['request-timeout'] > 0 && argv['request-timeout'] <= 60)) throw new Error(`--request-timeout ${argv['request-timeout']}: expected 0-60 seconds`);
          if (!(argv['time-limit'] > 0 && argv['time-limit'] <= 3600)) throw new Error(`--time-limit ${argv['time-limit']}: expected 0-3600 seconds`);
          return true;
        }),
    async (argv) => {
      const { lab, host } = openLab(argv.sshKey);
      // a bar on a terminal only: not in --json output, logs or pipes
      const bar = !argv.json && process.stderr.isTTY
        ? new cliProgress.SingleBar({ stream: process.stderr, format: 'traffic [{bar}] {value}/{total} requests', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
        : undefined;
      let started = false;
      const report = await runTraffic(host, lab, {
        requests: argv.requests, concurrency: argv.concurrency, tolerance: argv.tolerance / 100,
        timeLimitMs: argv.timeLimit * 1000, requestTimeoutMs: argv.requestTimeout * 1000,
      }, (done, total) => {
        if (!bar) return;
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
      });
      if (started) bar?.stop();
      process.stdout.write(argv.json ? formatTrafficJson(report) : formatTraffic(report));
      process.exitCode = report.ok ? 0 : 1;
    },
  )
  .command('drill', 'fault drills that put back what they break: failover, rs-down NAME (see `drill --help`)', (y) =>
    y
      .command(
        'failover',
        'stop keepalived on the MASTER while probing every VIP each 100 ms: the gap and the new MASTER; then start it again and check the VIP ends where the config says',
        (z) => z.option('ssh-key', sshKeyOption).option('json', jsonOption).option('time-limit', timeLimitOption(180)),
        async (argv) => {
          const { lab, host } = openLab(argv.sshKey);
          if (!argv.json) process.stderr.write(`drill failover: stopping keepalived on the MASTER of lab ${lab.name} (restored afterwards; at most ${argv.timeLimit} s)...\n`);
          try {
            const report = await runFailoverDrill(host, lab, { timeLimitMs: argv.timeLimit * 1000 });
            process.stdout.write(argv.json ? formatDrillJson(report) : formatFailover(report));
            process.exitCode = report.ok ? 0 : 1;
          } catch (error) {
            drillFailed('failover', error, argv.json === true);
          }
        },
      )
      .command(
        'rs-down <name>',
        "stop a real server's web service: the time until the MASTER's IPVS table drops it, then start it and the time until it is back",
        (z) => z.positional('name', { type: 'string', demandOption: true, describe: 'the real server (realServers[].name)' })
          .option('ssh-key', sshKeyOption).option('json', jsonOption).option('time-limit', timeLimitOption(240)),
        async (argv) => {
          const { lab, host } = openLab(argv.sshKey);
          if (!lab.realServers.some((r) => r.name === argv.name)) usage(`drill rs-down ${argv.name}: lab ${lab.name} has no such real server; its real servers: ${lab.realServers.map((r) => r.name).join(', ')}`);
          if (!argv.json) process.stderr.write(`drill rs-down: stopping the web service on ${argv.name} (restored afterwards; at most ${argv.timeLimit} s)...\n`);
          try {
            const report = await runRsDownDrill(host, lab, argv.name, { timeLimitMs: argv.timeLimit * 1000 });
            process.stdout.write(argv.json ? formatDrillJson(report) : formatRsDown(report));
            process.exitCode = report.ok ? 0 : 1;
          } catch (error) {
            drillFailed('rs-down', error, argv.json === true);
          }
        },
      )
      .demandCommand(1, 'name a drill: failover, rs-down NAME'),
  )
  .demandCommand(1, 'name a command: doctor, wait, status, traffic, drill')
  .strict()
  .version(false)
  .help()
  .fail((message, error) => {
    // a message: a usage error (unknown option, a failed check); none: an exception of a command
    if (!message && error) throw error;
    usage(message ?? String(error));
  })
  .parse();
