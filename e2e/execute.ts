/**
 * Runs a declared order of checks, per-service checks and steps against a context: each check
 * named, timed and recorded (a failure with what was observed, and the run goes on), the roles a
 * check returns set on the context the next ones get.
 */
import type { ResolvedService } from '../lab';
import type { E2eCheck, E2eStep, Outcome, PerService, PlanEntry, RunContext, ServiceCheck } from './context';
import { now } from './sandbox';

const isStep = (e: PlanEntry): e is E2eStep => 'step' in e;
const isPerService = (e: PlanEntry): e is PerService => 'checks' in e;

/** Runs one check and records it; returns whether it passed, and the context after it. */
export async function runCheck(ctx: RunContext, id: string, name: string, fn: () => Promise<Outcome> | Outcome): Promise<{ ok: boolean; ctx: RunContext }> {
  const start = now();
  ctx.state.ran.add(id);
  ctx.log(`check: ${name}`);
  try {
    const outcome = await fn();
    const detail = typeof outcome === 'string' ? outcome : outcome.detail;
    ctx.result.checks.push({ name, ok: true, detail, seconds: now() - start });
    ctx.log(`  ok: ${detail}`);
    return { ok: true, ctx: typeof outcome === 'string' ? ctx : { ...ctx, roles: outcome.roles } };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    ctx.result.checks.push({ name, ok: false, detail, seconds: now() - start });
    ctx.log(`  FAILED: ${detail}`);
    return { ok: false, ctx };
  }
}

/** One service's checks in order; a failed gate skips the rest of them. */
async function runForService(ctx: RunContext, checks: readonly ServiceCheck[], s: ResolvedService): Promise<RunContext> {
  for (const c of checks) {
    if (!c.appliesTo(ctx, s)) continue;
    const r = await runCheck(ctx, c.id, c.name(ctx, s), () => c.run(ctx, s));
    ctx = r.ctx;
    if (!r.ok && c.gate) break;
  }
  return ctx;
}

/** Runs `entries` in order. Stops at a failed gate (`stopped`); returns the context after them. */
export async function runPlan(ctx: RunContext, entries: readonly PlanEntry[]): Promise<{ ctx: RunContext; stopped: boolean }> {
  for (const e of entries) {
    if (isPerService(e)) {
      for (const s of e.services(ctx)) ctx = await runForService(ctx, e.checks, s);
      continue;
    }
    if (!e.appliesTo(ctx)) continue;
    if (isStep(e)) {
      await e.run(ctx);
      continue;
    }
    const c: E2eCheck = e;
    const r = await runCheck(ctx, c.id, c.name(ctx), () => c.run(ctx));
    ctx = r.ctx;
    if (!r.ok && c.gate) return { ctx, stopped: true };
  }
  return { ctx, stopped: false };
}
