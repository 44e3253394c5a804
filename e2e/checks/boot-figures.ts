/**
 * The figures the deploy's readiness is measured against, once every check passed (not with
 * E2E_BASELINE=0): the same VMs booted with virsh alone (e2e/baseline.ts), and the same kernel,
 * initrd, root filesystem and seeds booted by qemu directly (e2e/reference.ts). The same segment
 * for both: the lab's host bridge, or one made like it (with the lab's gateway and DNS, so a
 * first-boot install reaches the stand-in mirror as in the lab).
 */
import * as path from 'node:path';
import { bootWithoutTerraform } from '../baseline';
import { type E2eCheck, type RunContext, expect, round1 } from '../context';
import { clientAddresses, labReady, leftovers } from '../lab-state';
import { makeLan } from '../lan-of-lab';
import { bootDirectly } from '../reference';

const measures = ({ settings, result }: RunContext) => result.checks.every((c) => c.ok) && settings.baseline !== '0';
const bridgeOf = ({ lab }: RunContext) => (lab.network.mode === 'bridge' ? lab.network.bridge! : 'lvslan0');
const synthDir = ({ settings }: RunContext) => path.join(settings.runDir, 'cdktf.out', 'stacks', 'lvs-dr-lab');
const ratio = ({ result }: RunContext, x: number) => (result.figures.timeToReadySec ? Number((result.figures.timeToReadySec / x).toFixed(2)) : undefined);

export const baselineBoot: E2eCheck = {
  id: 'baseline',
  appliesTo: measures,
  name: () => 'baseline: the same VMs booted with virsh alone',
  async run(ctx) {
    const { settings, sb, lab, image, result } = ctx;
    const bridge = bridgeOf(ctx);
    makeLan(ctx, bridge);
    const r = sb.sandboxScript('attach-client', [bridge, `${clientAddresses(lab, 1)[0]}/${lab.network.prefixLength}`]);
    expect(r.status === 0, `attach-client ${bridge}: ${r.stderr}`);
    const b = await bootWithoutTerraform({ lab, synthDir: synthDir(ctx), uri: settings.uri, runDir: settings.runDir, image, bridge, readyProbe: labReady(sb, lab) });
    result.figures.baselineReadySec = round1(b.readySec);
    result.figures.overheadRatio = ratio(ctx, b.readySec);
    const left = leftovers(sb, lab.name);
    expect(left.length === 0, `baseline left behind: ${left.join(', ')}`);
    return `ready ${b.readySec.toFixed(0)}s after the first virsh call; ready/baseline ${result.figures.overheadRatio ?? '?'}`;
  },
};

/** Runs when the checks before the baseline passed: the baseline's own result does not decide. */
export const referenceBoot: E2eCheck = {
  id: 'reference',
  appliesTo: (ctx) => ctx.settings.baseline !== '0' && ctx.result.checks.filter((c) => c.name !== baselineBoot.name(ctx)).every((c) => c.ok),
  name: () => 'reference: the same kernel, initrd, root filesystem and seeds booted by qemu directly',
  async run(ctx) {
    const { settings, sb, lab, image, result } = ctx;
    const b = await bootDirectly({ lab, synthDir: synthDir(ctx), ns: settings.ns, bridge: bridgeOf(ctx), runDir: settings.runDir, image, readyProbe: labReady(sb, lab) });
    result.figures.referenceReadySec = round1(b.readySec);
    result.figures.referenceRatio = ratio(ctx, b.readySec);
    return `ready ${b.readySec.toFixed(0)}s after the first qemu launch; ready/reference ${result.figures.referenceRatio ?? '?'}`;
  },
};
