/**
 * Two labs side by side in one sandbox (e2e/side-by-side.ts): the second lab serves on while the
 * first is destroyed beside it; the first serves on while the second deploys beside it and serves.
 */
import { serviceUrl } from '../../ops/ipvs';
import type { ProbeLine } from '../../ops/probe';
import { probeSummary } from '../../ops/probe';
import { servedBy } from '../../ops/traffic';
import { type E2eCheck, type E2eStep, expect } from '../context';
import { domainsNotRunning } from '../lab-state';
import { sleep } from '../sandbox';
import { handoffAwait, handoffSaid, handoffSay } from '../side-by-side';

export const besideDestroy: E2eCheck = {
  id: 'side-by-side-destroy',
  appliesTo: ({ settings }) => settings.handoff?.role === 'second',
  name: () => 'side by side: the lab beside this one is destroyed while this one serves, with no failed probe',
  async run({ settings, sb, lab, tcpServices, result }) {
    const handoff = settings.handoff!;
    const probe = sb.startProbe(serviceUrl(tcpServices[0]), 'beside');
    let probes: ProbeLine[] = [];
    let came: string;
    try {
      await sleep(2000);
      handoffSay(handoff, 'second.serving');
      came = await handoffAwait(handoff, ['first.destroyed', 'first.done'], 1800);
      await sleep(3000);
    } finally {
      probes = await probe.stop();
    }
    expect(came === 'first.destroyed', 'the lab beside this one ended without its destroy (see its checks)');
    const summary = probeSummary(probes);
    result.figures.drills = { ...result.figures.drills, besideDestroyFailedProbes: summary.failed };
    const down = domainsNotRunning(sb, lab);
    expect(down.length === 0, `not running after the other lab's destroy: ${down.join(', ')}`);
    expect(probes.length >= 20, `only ${probes.length} probes: the client could not probe`);
    expect(summary.failed === 0, `while the other lab was destroyed: ${summary.text}`);
    return `the other lab destroyed; ${summary.text}; ${lab.directors.length + lab.realServers.length} domains of ${lab.name} running`;
  },
};

/** The first lab's checks are done: the second deploys beside it now (e2e/run.sh starts it on this file). */
export const firstChecked: E2eStep = {
  step: 'say first.checked',
  appliesTo: ({ settings }) => settings.handoff?.role === 'first',
  run: ({ settings }) => handoffSay(settings.handoff, 'first.checked'),
};

export const besideDeploy: E2eCheck = {
  id: 'side-by-side-deploy',
  appliesTo: ({ settings }) => settings.handoff?.role === 'first',
  name: () => 'side by side: this lab serves on while a second lab deploys beside it and serves',
  async run({ settings, sb, lab, s0 }) {
    const came = await handoffAwait(settings.handoff!, ['second.serving', 'second.gone'], 2400);
    expect(came === 'second.serving', 'the second lab never served (see its checks)');
    const answered = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = sb.httpGet(serviceUrl(s0), { maxTimeSec: 2 });
      expect(r.ok, `request ${i + 1} to ${serviceUrl(s0)} failed beside the second lab: ${r.detail}`);
      answered.add(servedBy(r.body) ?? '?');
    }
    const down = domainsNotRunning(sb, lab);
    expect(down.length === 0, `not running beside the second lab: ${down.join(', ')}`);
    return `20/20 requests answered (by ${[...answered].join(', ')}) with the second lab serving beside it`;
  },
};

/** After the destroy: the first lab says whether it was destroyed; the second, if it never served, that it is gone. */
export const handoffEnd: E2eStep = {
  step: 'say how this lab ended',
  appliesTo: ({ settings }) => settings.handoff !== undefined,
  run({ settings, state, result }) {
    const h = settings.handoff!;
    if (h.role === 'first') handoffSay(h, result.checks.at(-1)?.ok && state.deployed ? 'first.destroyed' : 'first.done');
    if (h.role === 'second' && !handoffSaid(h, 'second.serving')) handoffSay(h, 'second.gone');
  },
};
