import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { E2eCheck, Outcome, PlanEntry, RunContext, ServiceCheck } from '../../e2e/context';
import { runPlan } from '../../e2e/execute';
import { rolesOf } from '../../e2e/lab-state';
import { CHECKS, TEARDOWN } from '../../e2e/plan';
import type { Sandbox } from '../../e2e/sandbox';
import { readSettings } from '../../e2e/settings';
import { defaultAddress6, labVips, serviceFamily, type ResolvedLab } from '../../lab';
import { directorAddresses } from '../helpers/ops-output';
import { defaultLab, featureLab, recorded } from './checks/recorded';

/*
 * The declared order against a real run: the matrix run recorded in fixtures/ci-run (made by the
 * harness before it was split into checks) ran these checks, by these names, in this order. Here
 * every check's `run` is replaced by what it does to the run when it passes (the VIP it moves, the
 * state it sets); the names, the conditions, the order and the steps are the real ones. The lab
 * answers `ip -o addr show dev lab0` with the VIPs on the director that holds them.
 */
interface Sim {
  holder: string;
}

const other = (lab: ResolvedLab, name: string) => lab.directors.find((d) => d.name !== name)!.name;

/** What a passing check does to the run. */
function passing(sim: Sim, id: string, ctx: RunContext): Outcome {
  const { lab, state } = ctx;
  if (id === 'deploy' || id === 'interrupted-deploy') state.deployed = true;
  if (id === 'readiness') state.readyAt = 0;
  if (id === 'master-elected') return { detail: 'ok', roles: rolesOf(lab, sim.holder) };
  if (id === 'ops-failover' && lab.vrrp.nopreempt) sim.holder = other(lab, sim.holder);
  if (id === 'ops-failover') return { detail: 'ok', roles: rolesOf(lab, sim.holder) };
  if (id === 'director-failure') {
    state.failover = { killed: ctx.roles.master, killedAtMs: 0, gapMs: 500, probe6: undefined, probeLog6: '', longDownloads: [] };
    sim.holder = ctx.roles.backup.name;
    return { detail: 'ok', roles: rolesOf(lab, sim.holder) };
  }
  if (id === 'master-returns' && !lab.vrrp.nopreempt) {
    sim.holder = state.failover!.killed.name;
    return { detail: 'ok', roles: rolesOf(lab, sim.holder) };
  }
  if (id === 'link-down' && lab.vrrp.nopreempt) sim.holder = other(lab, sim.holder);
  if (id === 'backup-crash') state.standbyRestartedAt = 0;
  return 'ok';
}

const stubbed = (sim: Sim, entries: readonly PlanEntry[]): PlanEntry[] => entries.map((e) => {
  if ('step' in e) return e;
  if ('checks' in e) return { ...e, checks: e.checks.map((c): ServiceCheck => ({ ...c, run: (ctx) => passing(sim, c.id, ctx) })) };
  return { ...(e as E2eCheck), run: (ctx: RunContext) => passing(sim, (e as E2eCheck).id, ctx) };
});

function context(lab: ResolvedLab, env: Record<string, string>, sim: Sim): RunContext {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-plan-'));
  fs.mkdirSync(path.join(dir, 'logs'));
  fs.mkdirSync(path.join(dir, 'handoff'));
  const settings = readSettings({
    LVSLAB_NS: 'lvslab-none', LVSLAB_WAN_NS: 'lvslab-none-w', LVSLAB_WAN_IP: '203.0.113.1', LVSLAB_CLIENT_NS: 'lvslab-none-c', LVSLAB_URI: 'qemu:///none',
    LVSLAB_RUN_DIR: dir, LVSLAB_RUNID: 'none', LVSLAB_POOL_DIR: dir, E2E_IMAGE_CLOUD_13: 'c', E2E_IMAGE_LAB_13: 'l', E2E_REPO: dir, E2E_SSH_KEY: 'k',
    E2E_BASELINE: '0', E2E_HANDOFF_DIR: path.join(dir, 'handoff'), ...env,
  });
  const ok = { status: 0, stdout: '', stderr: '' };
  const vips = [...labVips(lab), ...lab.services.filter((s) => serviceFamily(s) === 6).map((s) => s.vip)];
  const sb = {
    settings,
    ssh: (_user: string, address: string, command: string) =>
      (command.startsWith('ip -o addr show dev lab0')
        ? { ...ok, stdout: directorAddresses(address, lab.directors.find((d) => d.address === address)!.name === sim.holder ? vips : []) } : ok),
    virsh: () => ok,
  } as unknown as Sandbox;
  const tcpServices = lab.services.filter((s) => s.protocol === 'TCP' && serviceFamily(s) === 4);
  const v6Services = lab.services.filter((s) => s.protocol === 'TCP' && serviceFamily(s) === 6);
  return {
    settings, sb, log: () => undefined, lab, labConfig: {}, labFile: path.join(dir, 'lab.json'),
    sites: [{ url: 'http://images.lvs-lab.test/x.qcow2', target: 'x' }], image: 'x', ownHosts: ['images.lvs-lab.test'],
    tcpServices, v6Services, s0: tcpServices[0], s6: v6Services[0],
    client: { ip: '10.77.0.254', extra: [], v6: lab.network.ipv6 ? [defaultAddress6(lab.network.ipv6.cidr, '10.77.0.254')!] : [] },
    vips: labVips(lab),
    result: { lab: lab.name, config: '', transport: '', engine: '', networkMode: '', imageMode: '', startedAt: '', directors: 2, realServers: 2, advertIntSec: 1, connectionSync: true, checks: [], figures: {} },
    state: { deployed: false, deployStart: 0, readyAt: Infinity, internet: undefined, failover: undefined, drillRoles: undefined, standbyRestartedAt: undefined, ran: new Set(), processes: [] },
    roles: { master: lab.directors[0], backup: lab.directors[1] },
  };
}

async function names(lab: ResolvedLab, env: Record<string, string>): Promise<string[]> {
  const sim = { holder: lab.directors[0].name };
  let ctx = context(lab, env, sim);
  ctx = (await runPlan(ctx, stubbed(sim, CHECKS))).ctx;
  for (const p of ctx.state.processes) p.kill();
  ctx = (await runPlan(ctx, stubbed(sim, TEARDOWN))).ctx;
  fs.rmSync(ctx.settings.runDir, { recursive: true, force: true });
  return ctx.result.checks.map((c) => c.name);
}

describe('the declared order against the recorded matrix run', () => {
  test('the feature lab (recorded as the first of the pair; tofu; drills backup-crash, rs-reboot, link-down): the same 47 checks in the same order', async () => {
    const recordedRun = JSON.parse(recorded('feature-lab-checks.json'));
    const got = await names(featureLab(), { E2E_HANDOFF_ROLE: 'first', E2E_DRILLS: 'backup-crash,rs-reboot,link-down', TERRAFORM_BINARY_NAME: 'tofu' });
    expect(got).toEqual(recordedRun.checks);
  });

  test('the default lab (recorded as the second of the pair; terraform by cdktn; drills libvirtd-restart, interrupted-deploy): the same 32 checks in the same order', async () => {
    const recordedRun = JSON.parse(recorded('default-lab-checks.json'));
    const got = await names(defaultLab(), { E2E_HANDOFF_ROLE: 'second', E2E_CLIENT: 'b', E2E_DRILLS: 'libvirtd-restart,interrupted-deploy', LAB_CLI: 'cdktn' });
    expect(got).toEqual(recordedRun.checks);
  });
});
