/** `cdktf deploy`, exactly as a user runs it (again, after the interrupted-deploy drill). */
import { cdktf } from '../cdktf';
import { type E2eCheck, type RunContext, expect, tail } from '../context';
import { interruptsDeploy } from '../drills/interrupted-deploy';

/** `terraform`, or `terraform by cdktn` when another CLI deploys. */
export const engineName = ({ settings }: Pick<RunContext, 'settings'>) => (settings.cli === 'cdktf' ? settings.engine : `${settings.engine} by ${settings.cli}`);

export const deploy: E2eCheck = {
  id: 'deploy',
  gate: true,
  appliesTo: () => true,
  name: (ctx) => (interruptsDeploy(ctx) ? `${ctx.settings.cli} deploy again converges to the whole lab (${engineName(ctx)})` : `${ctx.settings.cli} deploy creates the lab (${engineName(ctx)})`),
  run({ settings, labFile, state, result }) {
    const r = cdktf(settings, 'deploy', labFile, settings.readyTimeoutSec + 600, state.internet?.caFile);
    state.deployed = true;
    expect(r.status === 0, `cdktf deploy exited ${r.status}: ${tail(r.stdout + r.stderr)}`);
    result.figures.deploySec = Math.round(r.seconds);
    return `deployed in ${r.seconds.toFixed(0)}s`;
  },
};

/** A second `cdktf deploy` of the running lab finds nothing to change. */
export function judgeNoChanges(status: number | null, out: string): string {
  expect(status === 0, `second deploy exited ${status}: ${tail(out)}`);
  expect(/No changes/.test(out), `second deploy did not report "No changes": ${tail(out)}`);
  return 'No changes';
}

export const secondDeploy: E2eCheck = {
  id: 'second-deploy',
  appliesTo: () => true,
  name: () => 'a second cdktf deploy changes nothing',
  run({ settings, labFile, state }) {
    const r = cdktf(settings, 'deploy', labFile, 900, state.internet?.caFile);
    return judgeNoChanges(r.status, r.stdout + r.stderr);
  },
};
