/** `cdktf destroy` leaves nothing of the lab: no domain, volume, pool, network or pool file. */
import { cdktf } from '../cdktf';
import { type E2eCheck, expect, tail } from '../context';
import { leftovers } from '../lab-state';

export const destroy: E2eCheck = {
  id: 'destroy',
  appliesTo: (ctx) => ctx.state.deployed,
  name: () => 'cdktf destroy leaves no domain, volume, pool or network of the lab',
  run({ settings, sb, lab, labFile, state }) {
    const r = cdktf(settings, 'destroy', labFile, 900, state.internet?.caFile);
    expect(r.status === 0, `cdktf destroy exited ${r.status}: ${tail(r.stdout + r.stderr)}`);
    const left = leftovers(sb, lab.name);
    expect(left.length === 0, `left behind: ${left.join(', ')}`);
    return `destroyed in ${r.seconds.toFixed(0)}s; nothing of ${lab.name} left`;
  },
};
