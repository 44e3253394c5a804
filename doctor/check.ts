/** What a doctor check is, what it returns, and what it is given. */
import type { LabConfig, ResolvedLab } from '../lab';
import type { CommandResult, DoctorHost } from './host';

/** The verdict of one check. */
export interface DoctorResult {
  /** The check's stable id (`libvirt`, `kvm`, `pool-directory`, ...), for scripts and tests. */
  readonly id: string;
  /** False when a deploy would fail, or the lab would not work, as the machine is now. */
  readonly ok: boolean;
  /** What was found when the check passes: `qemu:///system answers (QEMU 7.2.0)`. */
  readonly summary?: string;
  /** Why a deploy would fail (set when `ok` is false). */
  readonly problem?: string;
  /** Something to know that does not stop a deploy (`ok` stays true). */
  readonly warning?: string;
  /** What to do about the problem or warning: the command to run, the config field to change. */
  readonly fix?: string;
}

/** What every check is given: the machine, and the checkout (scripts/provider.sh lives there). */
export interface ToolContext {
  readonly host: DoctorHost;
  /** The repository root. */
  readonly root: string;
}

/** What a check of the lab's needs on the machine is given: the lab as the app would deploy it. */
export interface LabContext extends ToolContext {
  /** The config as LAB_CONFIG names it (before the app adds a default key). */
  readonly config: LabConfig;
  readonly lab: ResolvedLab;
}

/** One check: a stable id and a function of the machine (and the lab). */
export interface DoctorCheck<C extends ToolContext> {
  readonly id: string;
  readonly run: (context: C) => DoctorResult;
}

export const pass = (id: string, summary: string): DoctorResult => ({ id, ok: true, summary });
export const fail = (id: string, problem: string, fix: string): DoctorResult => ({ id, ok: false, problem, fix });
export const warn = (id: string, warning: string, fix: string): DoctorResult => ({ id, ok: true, warning, fix });

/** The line of a failed command that says why: its last stderr line without `error: `, else its status. */
export function whyFailed(result: CommandResult): string {
  if (result.error === 'ETIMEDOUT') return 'no answer within the time limit';
  if (result.error) return result.error;
  const lines = `${result.stderr}\n${result.stdout}`.split('\n').map((line) => line.trim()).filter(Boolean);
  const last = lines.filter((line) => /^error:/i.test(line)).pop() ?? lines[0];
  return last ? last.replace(/^error:\s*/i, '') : `exit status ${result.status}`;
}

/** A libvirt URI of the system instance (qemu:///system, qemu+unix:///system?socket=…): libvirtd runs as root, VMs as its qemu user. */
export function isSystemUri(uri: string): boolean {
  return /^[^:]*:\/\/[^/?#]*\/system(?:[?#]|$)/.test(uri);
}
