/**
 * `lvs-lab wait`: the end of a deploy. terraform is done once the domains exist; the lab works
 * minutes later, when cloud-init has installed and configured every VM, and a first boot can
 * fail without terraform knowing (a package the mirror lacks, a name the VM cannot resolve).
 * This waits, bounded in time, until every VM's cloud-init is done and every live real server
 * has answered through every TCP service's VIP (the demo service names itself, as `traffic`
 * counts it), or says which VM failed with cloud-init's first error line and the fix, or what
 * never answered.
 */
import type { ResolvedLab, ResolvedService } from '../lab';
import { CLOUD_INIT_ERRORS_COMMAND, CLOUD_INIT_STATUS_COMMAND, classifyCloudInitFailure, parseCloudInitStatus, type CloudInitFailure } from './cloud-init';
import { REMOTE_TIMEOUT_MS, type OpsHost } from './host';
import { parseRouteGet } from './iproute';
import { serviceKey, serviceUrl } from './ipvs';
import { reachFix } from './remote';
import { ONE_SERVER, SOURCE_HASH } from './shares';
import { countFindings, renderFindings, renderTable, type Finding } from './table';
import { servedBy } from './traffic';

export interface ReadyOptions {
  /** Give up after this long. */
  readonly timeoutMs: number;
  /** Pause between two rounds of questions. @default 5000 */
  readonly pollMs?: number;
  /** Each request to a VIP fails after this long. @default 2000 */
  readonly requestTimeoutMs?: number;
}

/** Default of `lvs-lab wait --timeout` (seconds): a first boot that installs packages under TCG takes up to ten minutes. */
export const DEFAULT_WAIT_TIMEOUT_SEC = 900;
/** The environment variable that changes it for `npm run deploy` and `scripts/cdktf.sh deploy`. */
export const WAIT_TIMEOUT_ENV = 'LAB_WAIT_TIMEOUT_SEC';

/** Where one VM's first boot stands. */
export type VmPhase =
  /** ssh does not get through yet (the VM boots; sshd starts after cloud-init's first stages). */
  | 'booting'
  /** cloud-init runs (packages are being installed). */
  | 'running'
  | 'done'
  /** cloud-init failed: the VM will not become what the lab wants without a redeploy. */
  | 'error'
  /** the image's cloud-init is disabled: nothing will configure the VM. */
  | 'disabled';

/** One VM's first boot, as cloud-init reports it. */
export interface VmCloudInit {
  readonly name: string;
  readonly role: 'director' | 'real server';
  readonly address: string;
  readonly phase: VmPhase;
  /** cloud-init's own word (`running`, `done`, `error`, `degraded done`); null before ssh gets through. */
  readonly cloudInit: string | null;
  /** Why it failed (phase `error`). */
  readonly failure?: CloudInitFailure;
  /** The modules cloud-init records as failed. */
  readonly failedModules?: readonly string[];
  /** Why ssh did not get through yet (phase `booting`). */
  readonly unreachable?: string;
  /** Seconds from the start of the wait to the last change of phase. */
  readonly sinceSec: number;
}

export interface ServiceAnswers {
  readonly key: string;
  readonly url: string;
  /** The real servers of weight above 0: the ones that must answer. */
  readonly expected: readonly string[];
  readonly answered: readonly string[];
  /** From one client address a hash or persistence sends every request to one server: one answer is all it can see. */
  readonly oneAnswerEnough: boolean;
  readonly ok: boolean;
}

export interface ReadyReport {
  /** Shape version: 1. Fields are only ever added. */
  readonly version: 1;
  readonly ok: boolean;
  readonly lab: string;
  readonly elapsedSec: number;
  readonly timeoutSec: number;
  /** Ended at the time limit, not on an answer. */
  readonly timedOut: boolean;
  readonly vms: readonly VmCloudInit[];
  /** The TCP services; not asked (empty answers) when a VM's cloud-init failed. */
  readonly services: readonly ServiceAnswers[];
  /** Services not asked, with why (UDP: the demo service answers HTTP only). */
  readonly skipped: readonly string[];
  readonly problems: readonly Finding[];
}

/** A change worth a line on the terminal. */
export type ReadyEvent =
  | { readonly kind: 'vm'; readonly vm: VmCloudInit }
  | { readonly kind: 'answer'; readonly service: string; readonly realServer: string; readonly atSec: number };

/** What one VM's cloud-init says now: one ssh session, and a second one for the log when it failed. */
export async function askCloudInit(host: OpsHost, address: string, timeoutMs = REMOTE_TIMEOUT_MS): Promise<CloudInitReading> {
  const r = await host.remote(address, [CLOUD_INIT_STATUS_COMMAND], timeoutMs);
  if (!r.reached) return { phase: 'booting', cloudInit: null, unreachable: r.why };
  return judgeCloudInit(host, address, r.steps[0].output, timeoutMs);
}

/** A VM's cloud-init as far as one status command tells (phase, cloud-init's word, why it failed). */
export type CloudInitReading = Pick<VmCloudInit, 'phase' | 'cloudInit' | 'failure' | 'failedModules' | 'unreachable'>;

/** Judges what {@link CLOUD_INIT_STATUS_COMMAND} printed on the VM at `address`; on an error, reads the log's error lines (a second ssh session). */
export async function judgeCloudInit(host: OpsHost, address: string, statusOutput: string, timeoutMs = REMOTE_TIMEOUT_MS): Promise<CloudInitReading> {
  const status = parseCloudInitStatus(statusOutput);
  // no JSON: cloud-init is not installed, or too old for --format json; it cannot be judged
  if (!status) return { phase: 'running', cloudInit: null, unreachable: `\`${CLOUD_INIT_STATUS_COMMAND}\` printed no status: ${statusOutput.trim().split('\n').pop() ?? ''}` };
  if (status.state !== 'error') return { phase: status.state, cloudInit: status.status };
  const log = await host.remote(address, [CLOUD_INIT_ERRORS_COMMAND], timeoutMs);
  const lines = log.reached ? log.steps[0].output : '';
  return { phase: 'error', cloudInit: status.status, failure: classifyCloudInitFailure(status, lines), failedModules: status.failedModules };
}

/** The problem of a VM whose cloud-init failed, the same in `wait` and `status`. */
export function cloudInitProblem(host: OpsHost, vm: { readonly name: string; readonly address: string }, reading: CloudInitReading): Finding {
  const ssh = host.describeRemote(vm.address);
  return {
    id: 'cloud-init', subject: vm.name,
    message: `cloud-init failed on ${vm.name} (${vm.address})${reading.failedModules?.length ? ` in ${reading.failedModules.join(', ')}` : ''}: ${reading.failure!.line}`,
    fix: `${reading.failure!.fix}; then replace the VM (cloud-init runs once, at first boot: \`npm run destroy\` and \`npm run deploy\`). ` +
      `The whole log: \`${ssh} sudo cat /var/log/cloud-init-output.log\``,
  };
}

/** A VM's first boot as cloud-init reports it (`cloud-init status --long --format json`). */
export interface VmCloudInitStatus {
  /** `running`, `done`, `error` or `disabled`. */
  readonly phase: string;
  /** cloud-init's own word (`done`, `error`, `running`, `degraded done`); null when it printed no status. */
  readonly status: string | null;
  /** Why it failed, with the fix (phase `error`). */
  readonly firstError?: string;
  readonly cause?: string;
  readonly fix?: string;
}

/** The reading of `wait` in `lvs-lab status`'s report shape. */
export function vmCloudInit(r: CloudInitReading): VmCloudInitStatus {
  return { phase: r.phase, status: r.cloudInit, ...(r.failure ? { firstError: r.failure.line, cause: r.failure.cause, fix: r.failure.fix } : {}) };
}

const settled = (phase: VmPhase) => phase === 'done' || phase === 'error' || phase === 'disabled';

/**
 * The services the wait asks through their VIPs (TCP, with a route from this machine), and why
 * each other is not asked. A VIP this machine has no route to (an IPv6 VIP from a host without
 * IPv6) cannot answer here: such a service is judged by its VMs' cloud-init alone, and said so.
 */
async function askableServices(host: OpsHost, lab: ResolvedLab): Promise<{ tcp: ResolvedService[]; skipped: string[] }> {
  const skipped = lab.services.filter((s) => s.protocol !== 'TCP').map((s) => `${serviceKey(s)}: the demo service answers HTTP only`);
  const tcp: ResolvedService[] = [];
  for (const s of lab.services.filter((x) => x.protocol === 'TCP')) {
    if (parseRouteGet((await host.local('ip', ['route', 'get', s.vip])).stdout)) tcp.push(s);
    else skipped.push(`${serviceKey(s)}: this machine has no route to ${s.vip} (\`ip route get ${s.vip}\`): not asked`);
  }
  return { tcp, skipped };
}

/** Waits until the lab works, a VM's first boot failed, or the time is up. `onEvent` hears of every change. */
export async function waitForReady(host: OpsHost, lab: ResolvedLab, options: ReadyOptions, onEvent?: (e: ReadyEvent) => void): Promise<ReadyReport> {
  const pollMs = options.pollMs ?? 5000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 2000;
  const start = host.now();
  const deadline = start + options.timeoutMs;
  const at = () => Math.round((host.now() - start) / 1000);
  const vms = new Map<string, VmCloudInit>();
  const all = [
    ...lab.directors.map((d) => ({ name: d.name, address: d.address, role: 'director' as const })),
    ...lab.realServers.map((r) => ({ name: r.name, address: r.address, role: 'real server' as const })),
  ];
  for (const vm of all) vms.set(vm.name, { ...vm, phase: 'booting', cloudInit: null, sinceSec: 0 });
  const { tcp, skipped } = await askableServices(host, lab);
  const seen = new Map<ResolvedService, Set<string>>(tcp.map((s) => [s, new Set<string>()]));
  const expected = (s: ResolvedService) => s.realServers.filter((n) => lab.realServers.find((r) => r.name === n)!.weight > 0);
  const oneAnswerEnough = (s: ResolvedService) => ONE_SERVER.has(s.scheduler) || SOURCE_HASH.has(s.scheduler) || s.persistenceTimeoutSec > 0;
  const serviceOk = (s: ResolvedService) => {
    const got = seen.get(s)!;
    return oneAnswerEnough(s) ? got.size > 0 || expected(s).length === 0 : expected(s).every((n) => got.has(n));
  };
  /** The VMs whose first answer (or silence) has been told. */
  const announced = new Set<string>();
  let timedOut = false;
  for (;;) {
    await Promise.all(all.filter((vm) => !settled(vms.get(vm.name)!.phase)).map(async (vm) => {
      const before = vms.get(vm.name)!;
      const now = await askCloudInit(host, vm.address);
      const changed = !announced.has(vm.name) || now.phase !== before.phase || now.cloudInit !== before.cloudInit;
      announced.add(vm.name);
      const next: VmCloudInit = { name: vm.name, role: vm.role, address: vm.address, ...now, sinceSec: changed ? at() : before.sinceSec };
      vms.set(vm.name, next);
      if (changed) onEvent?.({ kind: 'vm', vm: next });
    }));
    const phases = [...vms.values()].map((v) => v.phase);
    if (phases.every(settled)) {
      if (phases.some((p) => p !== 'done')) break;
      // every VM is configured: now each real server must answer through each VIP
      for (const s of tcp.filter((x) => !serviceOk(x))) {
        const want = expected(s);
        for (let i = 0; i < want.length * 4 && !serviceOk(s) && host.now() < deadline; i++) {
          const r = await host.httpGet(serviceUrl(s), requestTimeoutMs);
          const name = r.ok ? servedBy(r.body ?? '') : undefined;
          if (name && !seen.get(s)!.has(name)) {
            seen.get(s)!.add(name);
            onEvent?.({ kind: 'answer', service: serviceKey(s), realServer: name, atSec: at() });
          }
        }
      }
      if (tcp.every(serviceOk)) break;
    }
    if (host.now() >= deadline) {
      timedOut = true;
      break;
    }
    await host.sleep(Math.max(0, Math.min(pollMs, deadline - host.now())));
  }
  const vmList = all.map((vm) => vms.get(vm.name)!);
  const vmsDone = vmList.every((v) => v.phase === 'done');
  const services: ServiceAnswers[] = tcp.map((s) => ({
    key: serviceKey(s), url: serviceUrl(s), expected: expected(s), answered: [...seen.get(s)!], oneAnswerEnough: oneAnswerEnough(s), ok: serviceOk(s),
  }));
  const problems = readyProblems(host, lab, vmList, vmsDone ? services : [], Math.round(options.timeoutMs / 1000));
  return {
    version: 1,
    ok: problems.length === 0,
    lab: lab.name,
    elapsedSec: at(),
    timeoutSec: Math.round(options.timeoutMs / 1000),
    timedOut,
    vms: vmList,
    services: vmsDone ? services : [],
    skipped,
    problems,
  };
}

/** What is wrong when the wait ends: each failed or unfinished VM, then each service a real server never answered through. */
function readyProblems(host: OpsHost, lab: ResolvedLab, vms: readonly VmCloudInit[], services: readonly ServiceAnswers[], timeoutSec: number): Finding[] {
  const problems: Finding[] = [];
  const raise = `raise the time limit (--timeout, or ${WAIT_TIMEOUT_ENV} for a deploy)`;
  for (const vm of vms) {
    const ssh = host.describeRemote(vm.address);
    if (vm.phase === 'error') {
      problems.push(cloudInitProblem(host, vm, vm));
    } else if (vm.phase === 'disabled') {
      problems.push({ id: 'cloud-init', subject: vm.name, message: `cloud-init is disabled on ${vm.name}'s image: nothing configures it`, fix: 'use an image whose cloud-init is enabled with the NoCloud datasource (image.source)' });
    } else if (vm.phase === 'running') {
      problems.push({
        id: 'cloud-init', subject: vm.name,
        message: `cloud-init on ${vm.name} still runs after ${timeoutSec} s${vm.unreachable ? ` (${vm.unreachable})` : ''}`,
        fix: `a first boot that installs packages takes minutes (more without KVM): follow it with \`${ssh} tail -f /var/log/cloud-init-output.log\`, or ${raise}`,
      });
    } else if (vm.phase === 'booting') {
      problems.push({
        id: 'ssh', subject: vm.name,
        message: `\`${ssh}\` did not get through within ${timeoutSec} s: ${vm.unreachable ?? 'no answer'}`,
        fix: `${reachFix(vm.unreachable ?? '', lab.libvirtUri)}; the console log shows how far it booted`,
      });
    }
  }
  for (const s of services.filter((x) => !x.ok)) {
    const missing = s.expected.filter((n) => !s.answered.includes(n));
    problems.push({
      id: 'service', subject: s.key,
      message: s.answered.length === 0
        ? `no real server answered through ${s.url} within ${timeoutSec} s`
        : `${missing.join(', ')} never answered through ${s.url} within ${timeoutSec} s (answered: ${s.answered.join(', ')})`,
      fix: '`npm run lvs-lab -- status` shows which director holds the VIP, its IPVS table and each real server\'s VIPs on lo and web service',
    });
  }
  return problems;
}

/** One line per change, for the terminal while the wait runs. */
export function formatReadyEvent(e: ReadyEvent): string {
  if (e.kind === 'answer') return `[${pad(e.atSec)}] ${e.service}: ${e.realServer} answered`;
  const v = e.vm;
  const what = v.phase === 'booting' ? `booting (${v.unreachable ?? 'no answer yet'})`
    : v.phase === 'error' ? `cloud-init FAILED: ${v.failure?.line ?? ''}`
      : `cloud-init ${v.cloudInit ?? v.phase}${v.unreachable ? ` (${v.unreachable})` : ''}`;
  return `[${pad(v.sinceSec)}] ${v.name} (${v.role}, ${v.address}): ${what}`;
}

const pad = (sec: number) => `${String(sec).padStart(4)} s`;

/** The report for a terminal: every VM's cloud-init, every service's answers, then the findings and the verdict. */
export function formatReady(report: ReadyReport): string {
  const out: string[] = [];
  out.push(renderTable(
    ['VM', 'role', 'address', 'cloud-init', 'since'],
    report.vms.map((v) => [v.name, v.role, v.address, v.cloudInit ?? (v.phase === 'booting' ? 'no answer' : '-'), `${v.sinceSec} s`]),
    ['left', 'left', 'left', 'left', 'right'],
  ));
  if (report.services.length > 0) {
    out.push(renderTable(
      ['service', 'answered by', 'missing'],
      report.services.map((s) => [s.key, s.answered.join(', ') || '-', s.oneAnswerEnough ? '(one client sees one server)' : s.expected.filter((n) => !s.answered.includes(n)).join(', ') || '-']),
    ));
  }
  for (const s of report.skipped) out.push(`skipped ${s}`);
  const findings = renderFindings(report.problems, []);
  if (findings.length > 0) out.push('', ...findings);
  out.push('', report.ok
    ? `lvs-lab wait: lab ${report.lab} is ready after ${report.elapsedSec} s: cloud-init done on every VM, every real server answers through every VIP.`
    : `lvs-lab wait: lab ${report.lab} is not ready${report.timedOut ? ` after ${report.timeoutSec} s` : ''}: ${countFindings(report.problems.length, 0)}.`);
  return `${out.join('\n')}\n`;
}

export function formatReadyJson(report: ReadyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
