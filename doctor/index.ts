/**
 * `lvs-lab doctor`: before a deploy, every reason it would fail on this machine, each with its
 * fix. The lab is read as the app reads it (LAB_CONFIG, labFromEnv: resolved once), and each
 * check is a small function of a {@link DoctorHost}, so tests drive every failure with a stand-in.
 * Nothing is changed on the machine, and nothing is downloaded.
 */
import { LabConfigError, labFromEnv, type LoadedLab } from '../lab';
import { maskCredentials, terminalText } from '../lab/problems';
import { fail, pass, type DoctorCheck, type DoctorResult, type LabContext, type ToolContext } from './check';
import { bridgeCheck } from './checks/bridge';
import { bridgeNetfilterCheck } from './checks/bridge-netfilter';
import { imageCheck } from './checks/image';
import { kvmCheck } from './checks/kvm';
import { libvirtCheck } from './checks/libvirt';
import { poolDirectoryCheck } from './checks/pool-directory';
import { providerCheck } from './checks/provider';
import { sshKeyCheck } from './checks/ssh-key';
import { subnetCheck } from './checks/subnet';
import { terraformCheck } from './checks/terraform';
import type { DoctorHost } from './host';

export type { DoctorResult } from './check';
export { localHost, type DoctorHost, type CommandResult, type FileStat } from './host';

/** Checks of the tools, run whatever the config says. */
export const TOOL_CHECKS: readonly DoctorCheck<ToolContext>[] = [terraformCheck, providerCheck];

/** Checks of what the lab needs of the machine, run once the config is valid. */
export const LAB_CHECKS: readonly DoctorCheck<LabContext>[] = [
  libvirtCheck, kvmCheck, bridgeCheck, subnetCheck, bridgeNetfilterCheck, poolDirectoryCheck, imageCheck, sshKeyCheck,
];

/** Every check's verdict, the config's first. */
export interface DoctorReport {
  /** True when no check failed (warnings allowed): a deploy can go ahead. */
  readonly ok: boolean;
  /** The lab's name, when the config is valid. */
  readonly lab?: string;
  /** The config file (LAB_CONFIG), or undefined for the reference topology. */
  readonly configFile?: string;
  readonly results: readonly DoctorResult[];
}

/** Runs every check against `host`; `root` is the checkout (scripts/provider.sh). */
export function runDoctor(host: DoctorHost, root: string): DoctorReport {
  const configFile = host.env.LAB_CONFIG?.trim() || undefined;
  let loaded: LoadedLab | undefined;
  const results: DoctorResult[] = [];
  try {
    loaded = labFromEnv(host.env);
    const what = configFile ?? 'LAB_CONFIG unset: the reference topology';
    results.push(pass('config', `${what}: lab ${loaded.lab.name}, ${loaded.lab.directors.length} directors, ${loaded.lab.realServers.length} real servers`));
  } catch (error) {
    if (!(error instanceof LabConfigError)) throw error;
    results.push(fail('config', error.message, 'correct each field listed (docs/config.md), then run the doctor again'));
  }
  const context: ToolContext = { host, root };
  results.push(...TOOL_CHECKS.map((check) => runCheck(check, context)));
  if (loaded) results.push(...LAB_CHECKS.map((check) => runCheck(check, { ...context, ...loaded! })));
  return { ok: results.every((r) => r.ok), ...(loaded ? { lab: loaded.lab.name } : {}), ...(configFile ? { configFile } : {}), results: results.map(masked) };
}

/** A result whose texts show no URL credentials (checks echo image.source, libvirtUri): for the terminal, the JSON and the logs alike. */
function masked(result: DoctorResult): DoctorResult {
  const texts = (['summary', 'problem', 'warning', 'fix'] as const).filter((key) => result[key] !== undefined);
  return { ...result, ...Object.fromEntries(texts.map((key) => [key, maskCredentials(result[key] as string)])) };
}

/** A check that throws (a tool printing what its parser does not know) is a failure of its own, not the end of the run. */
function runCheck<C extends ToolContext>(check: DoctorCheck<C>, context: C): DoctorResult {
  try {
    return check.run(context);
  } catch (error) {
    return fail(check.id, `the check could not run: ${(error as Error).message}`, 'run the command named above by hand to see why');
  }
}

/** What the human-readable report shows. */
export interface FormatOptions {
  /** Only failures and warnings, with their fixes (what `npm run deploy` shows before it deploys). */
  readonly quiet?: boolean;
}

/**
 * The report for a terminal: one line per check, `✓` passed, `!` passed with a warning, `✗`
 * failed, each warning and failure followed by its fix; then the verdict.
 */
export function formatReport(report: DoctorReport, options: FormatOptions = {}): string {
  const width = Math.max(...report.results.map((r) => r.id.length));
  const lines: string[] = [];
  const indent = ' '.repeat(width + 3);
  // Each line as printable text: a check may echo config text holding terminal escapes.
  const block = (mark: string, id: string, text: string) =>
    text.split('\n').map(terminalText).map((line, i) => (i === 0 ? `${mark} ${id.padEnd(width)} ${line}` : `${indent}${line}`));
  for (const r of report.results) {
    if (!r.ok) lines.push(...block('✗', r.id, r.problem ?? ''));
    else if (r.warning) lines.push(...block('!', r.id, r.warning));
    else if (!options.quiet) lines.push(...block('✓', r.id, r.summary ?? ''));
    if (r.fix && (!r.ok || r.warning)) lines.push(`${indent}fix: ${terminalText(r.fix)}`);
  }
  const failed = report.results.filter((r) => !r.ok).length;
  const warned = report.results.filter((r) => r.ok && r.warning).length;
  const warnings = warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : '';
  if (failed > 0) {
    lines.push(`lvs-lab doctor: ${failed} of ${report.results.length} checks failed${warnings}: a deploy would fail; fix ${failed === 1 ? 'it' : 'them'} first.`);
  } else if (!options.quiet) {
    lines.push(`lvs-lab doctor: all ${report.results.length} checks passed${warnings}.`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** The report for scripts: `{ ok, lab, configFile, checks: [{ id, ok, summary | problem | warning, fix }] }`. */
export function formatReportJson(report: DoctorReport): string {
  return `${JSON.stringify({ ok: report.ok, lab: report.lab ?? null, configFile: report.configFile ?? null, checks: report.results }, null, 2)}\n`;
}
