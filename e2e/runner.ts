/**
 * The end-to-end run of one lab: `cdktf deploy` it into the sandbox e2e/run.sh made, run the
 * declared checks and drills (e2e/plan.ts) from a client as a user would, `cdktf destroy` it,
 * write result.json and the figures (bench/e2e.md).
 *
 * Started by e2e/run.sh (`node -r ts-node/register/transpile-only e2e/runner.ts`), never directly:
 * it needs the sandbox's LVSLAB_* variables, the images, the sandbox's Debian repository, a per-run
 * ssh key, the provider mirror and the engine (e2e/settings.ts). Every functional check is an
 * assertion; a failed one names the check and what was observed, and the run still destroys the
 * lab. Timings are recorded, never asserted, except the bounds the lab's own config implies.
 * Importing this module runs nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunContext } from './context';
import { runPlan } from './execute';
import { CHECKS, TEARDOWN } from './plan';
import { makeLogger, prepare } from './prepare';
import { updateBenchmark } from './results';
import { type Settings, SettingsError, readSettings } from './settings';
import { failoverStopFile } from './checks/director-failure';

/** Runs one lab's checks; returns the exit status (0: every check passed). */
export async function runLab(settings: Settings): Promise<number> {
  let ctx = prepare(settings);
  try {
    ctx = (await runPlan(ctx, CHECKS)).ctx;
  } catch (err) {
    ctx.result.checks.push({ name: 'harness', ok: false, detail: err instanceof Error ? err.stack ?? err.message : String(err), seconds: 0 });
  } finally {
    fs.writeFileSync(failoverStopFile(settings.runDir), '');
    for (const p of ctx.state.processes) p.kill();
  }
  ctx = (await runPlan(ctx, TEARDOWN)).ctx;
  return report(ctx);
}

/** Writes result.json and bench/e2e.md, and says what failed. */
function report({ settings, result, log }: RunContext): number {
  result.finishedAt = new Date().toISOString();
  result.passed = result.checks.every((c) => c.ok);
  fs.writeFileSync(path.join(settings.runDir, 'result.json'), JSON.stringify(result, null, 2));
  updateBenchmark(path.resolve(__dirname, '..', 'bench', 'e2e.md'), result);
  const failed = result.checks.filter((c) => !c.ok);
  process.stderr.write(`e2e: ${result.checks.length - failed.length} passed, ${failed.length} failed\n`);
  for (const f of failed) log(`FAILED ${f.name}: ${f.detail}`);
  if (failed.length) log(`console logs: ${settings.logDir}`);
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  let settings: Settings;
  try {
    settings = readSettings(process.env);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    process.stderr.write(`e2e: ${err.message}\n`);
    process.exit(2);
  }
  runLab(settings).then(
    (code) => process.exit(code),
    (err) => {
      makeLogger('')(`harness error: ${err instanceof Error ? err.stack : String(err)}`);
      process.exit(1);
    },
  );
}
