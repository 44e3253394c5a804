/**
 * Drill interrupted-deploy: the first `cdktf deploy` is interrupted once its first VM exists, and
 * deploying again converges to the full lab (e2e/checks/deploy.ts); after the final destroy, a
 * deploy is interrupted again and `cdktf destroy` leaves nothing. Not when the run measures
 * (E2E_BASELINE=1): the interruption would be in the figure.
 */
import { cdktf, interruptedDeploy } from '../cdktf';
import { type E2eCheck, type RunContext, expect, round1, tail } from '../context';
import { engineName } from '../checks/deploy';
import { leftovers } from '../lab-state';

export const interruptsDeploy = ({ settings }: Pick<RunContext, 'settings'>) => settings.drills.has('interrupted-deploy') && settings.baseline !== '1';

export const interruptedFirstDeploy: E2eCheck = {
  id: 'interrupted-deploy',
  appliesTo: interruptsDeploy,
  name: (ctx) => `drill: interrupted deploy: Ctrl-C once the first VM exists (${engineName(ctx)})`,
  async run({ sb, lab, labFile, state, result }) {
    const r = await interruptedDeploy(sb, lab, labFile, state.internet?.caFile);
    state.deployed = true;
    result.figures.drills = { ...result.figures.drills, interruptedDeployAtSec: round1(r.afterSec) };
    return `interrupted ${r.afterSec.toFixed(0)} s in, with ${r.domains.join(', ')} defined; it ended with ${r.signal ?? `exit ${r.exit}`}`;
  },
};

export const interruptedThenDestroy: E2eCheck = {
  id: 'interrupted-deploy-destroy',
  appliesTo: (ctx) => ctx.state.deployed && interruptsDeploy(ctx) && ctx.result.checks.every((c) => c.ok),
  name: () => 'drill: interrupted deploy, then destroy: nothing of the lab is left',
  async run({ settings, sb, lab, labFile, state }) {
    const r = await interruptedDeploy(sb, lab, labFile, state.internet?.caFile);
    const d = cdktf(settings, 'destroy', labFile, 900, state.internet?.caFile);
    expect(d.status === 0, `cdktf destroy after the interruption exited ${d.status}: ${tail(d.stdout + d.stderr)}`);
    const left = leftovers(sb, lab.name);
    expect(left.length === 0, `left behind: ${left.join(', ')}`);
    return `interrupted ${r.afterSec.toFixed(0)} s in (${r.signal ?? `exit ${r.exit}`}) with ${r.domains.length} VMs defined; destroyed in ${d.seconds.toFixed(0)}s; nothing of ${lab.name} left`;
  },
};
