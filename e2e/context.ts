/**
 * What a check is given and what it gives back. A check (e2e/checks/<name>.ts) or drill
 * (e2e/drills/<name>.ts) declares its name, when it applies, and how it runs against an explicit
 * {@link RunContext}: the lab, the sandbox, the logger, the results so far and the current MASTER
 * and BACKUP. A check that moves the VIP returns the new roles; the runner sets them.
 */
import type { ChildProcess } from 'node:child_process';
import type { LabConfig, ResolvedDirector, ResolvedLab, ResolvedService } from '../lab';
import type { Internet, Site } from './internet';
import type { E2eResult } from './results';
import { now, sleep, type Sandbox } from './sandbox';
import type { Settings } from './settings';

/** A check found something other than what it asserts: what was observed. */
export class CheckFailed extends Error {}

export function expect(condition: boolean, observed: string): void {
  if (!condition) throw new CheckFailed(observed);
}

/** Polls `probe` every `everyMs` until it returns a value, or fails naming what never happened. */
export async function waitFor<T>(what: string, timeoutSec: number, probe: () => T | undefined, everyMs = 1000, explain?: () => string): Promise<T> {
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

/** One check's record in result.json. */
export interface CheckRecord {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly seconds: number;
}

/** The director holding the VIPs and the other one. */
export interface Roles {
  readonly master: ResolvedDirector;
  readonly backup: ResolvedDirector;
}

/** What a check reports: its detail line, and the roles when it moved the VIP. */
export type Outcome = string | { readonly detail: string; readonly roles: Roles };

/** The long-lived connections and IPv6 prober the MASTER's kill leaves for the checks after it. */
export interface Failover {
  /** The director killed (the MASTER then). */
  readonly killed: ResolvedDirector;
  readonly killedAtMs: number;
  /** The kill's outage on the IPv4 VIP in ms (for the fast-failover check). */
  readonly gapMs: number | undefined;
  readonly probe6: ChildProcess | undefined;
  readonly probeLog6: string;
  readonly longDownloads: readonly Promise<{ code: number | null; out: string }>[];
  /** `virsh start` of the killed director (run after the connection-sync check). */
  restart?: { readonly status: number | null; readonly stderr: string; readonly at: number };
}

/** What the run learned on its way that later checks use. Set by the check that learns it. */
export interface RunState {
  /** A deploy was started: the lab must be destroyed. */
  deployed: boolean;
  /** The deploy's start and the readiness check's pass (seconds, as now()). */
  readonly deployStart: number;
  readyAt: number;
  internet: Internet | undefined;
  failover: Failover | undefined;
  /** The director serving and the one on standby when the drills begin (e2e/drills/backup-crash.ts). */
  drillRoles: { readonly active: ResolvedDirector; readonly standby: ResolvedDirector } | undefined;
  /** When the crashed BACKUP was started again (seconds, as now()). */
  standbyRestartedAt: number | undefined;
  /** Check ids run already: a check that may come at several points runs once. */
  readonly ran: Set<string>;
  /** The client's captures of the run (e2e/checks/client-joins.ts), stopped at the end. */
  readonly processes: ChildProcess[];
}

/** The client's addresses on the lab segment. */
export interface ClientAddresses {
  readonly ip: string;
  /** Further IPv4 source addresses (hash schedulers, persistence). */
  readonly extra: readonly string[];
  /** On a dual-stack lab, an IPv6 address beside each of the first nine IPv4 ones. */
  readonly v6: readonly string[];
}

export interface RunContext {
  readonly settings: Settings;
  readonly sb: Sandbox;
  readonly log: (msg: string) => void;
  readonly lab: ResolvedLab;
  /** The config the deploy uses (the user's, with this machine's overrides) and its file. */
  readonly labConfig: LabConfig;
  readonly labFile: string;
  /** The stand-in's sites for this lab, the image the VMs boot, and the names the config points at. */
  readonly sites: readonly Site[];
  readonly image: string;
  readonly ownHosts: readonly string[];
  /** The IPv4 TCP services (every generic check), the IPv6 ones (checks of their own), the first of each. */
  readonly tcpServices: readonly ResolvedService[];
  readonly v6Services: readonly ResolvedService[];
  readonly s0: ResolvedService;
  readonly s6: ResolvedService | undefined;
  readonly client: ClientAddresses;
  /** The VIPs (IPv4) whose ARP the checks watch. */
  readonly vips: readonly string[];
  readonly result: E2eResult & { checks: CheckRecord[] };
  readonly state: RunState;
  /** Set by the runner only, from a check's outcome. */
  readonly roles: Roles;
}

/** A check run once. */
export interface E2eCheck {
  /** The module's name (e2e/checks/<id>.ts): stable, for the log and the order list. */
  readonly id: string;
  appliesTo(ctx: RunContext): boolean;
  /** The name result.json records (it may name the lab's directors, services, bounds). */
  name(ctx: RunContext): string;
  run(ctx: RunContext): Promise<Outcome> | Outcome;
  /** A failure ends the checks: the run goes to its teardown. */
  readonly gate?: boolean;
}

/** A check run for each service of a kind. */
export interface ServiceCheck {
  readonly id: string;
  appliesTo(ctx: RunContext, s: ResolvedService): boolean;
  name(ctx: RunContext, s: ResolvedService): string;
  run(ctx: RunContext, s: ResolvedService): Promise<Outcome> | Outcome;
  /** A failure skips the rest of this service's checks. */
  readonly gate?: boolean;
}

/** Service checks run in order for each service `services` picks, one service after the other. */
export interface PerService {
  readonly id: string;
  services(ctx: RunContext): readonly ResolvedService[];
  readonly checks: readonly ServiceCheck[];
}

/** An action of the run that is no check (a capture started, a VM started, a prober stopped). */
export interface E2eStep {
  readonly step: string;
  appliesTo(ctx: RunContext): boolean;
  run(ctx: RunContext): Promise<void> | void;
}

export type PlanEntry = E2eCheck | PerService | E2eStep;

/** `check` with an extra condition: the same check at another point of the order. */
export const when = (check: E2eCheck, condition: (ctx: RunContext) => boolean): E2eCheck => ({
  ...check,
  appliesTo: (ctx) => condition(ctx) && check.appliesTo(ctx),
});

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const round2 = (x: number) => Math.round(x * 100) / 100;
export const tail = (text: string, n = 25) => text.trim().split('\n').slice(-n).join('\n');
