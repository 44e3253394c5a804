import { resolveLabConfig } from '../../lab';
import type { RunContext } from '../../e2e/context';
import { formatReady, waitForReady } from '../../ops/ready';
import { brokenMirror, brokenMirrorNotApplicable, brokenMirrorNotRun, brokenMirrorVictim, runBrokenMirrorDrill, type BrokenMirrorParams, type DrillRun } from '../../e2e/drills/broken-mirror';
import { FakeLab, settle } from '../helpers/ops-lab';

/*
 * The e2e drill's own judgement, against what `lvs-lab wait` prints for a lab whose real server
 * failed its first boot (Debian 12 cloud-init's recorded outputs): what it asks of libvirt and the
 * router, that the block is lifted whatever happens, and what it accepts as the deploy's verdict.
 */
const lab = resolveLabConfig({ packages: { mirror: 'http://apt.lvs-lab.test/debian' } });
const victim = brokenMirrorVictim(lab);

/** What the deploy prints when `victimOutcome` is rs-2's first boot: cdktf's end, then the wait's report. */
async function deployOutput(victimOutcome: string): Promise<DrillRun & { seconds: number }> {
  jest.useFakeTimers({ now: 1_764_220_800_000 });
  try {
    const fake = new FakeLab(lab);
    fake.firstBoot.set(victim.name, { outcome: victimOutcome });
    const report = await settle(waitForReady(fake.host(), lab, { timeoutMs: 600_000 }));
    return { status: report.ok ? 0 : 1, stdout: `Apply complete! Resources: 2 added, 0 changed, 0 destroyed.\n${formatReady(report)}`, stderr: '', seconds: 200 };
  } finally {
    jest.useRealTimers();
  }
}

function params(deploys: (DrillRun & { seconds: number })[], serves = true) {
  const calls: string[] = [];
  const p: BrokenMirrorParams = {
    lab, victim, mirrorAddress: '203.0.113.1', log: () => undefined, victimServes: () => serves,
    deploy: () => {
      calls.push('deploy');
      const next = deploys.shift();
      if (!next) throw new Error('no deploy left');
      return next;
    },
    virsh: (...args) => {
      calls.push(`virsh ${args.join(' ')}`);
      return { status: 0, stdout: '', stderr: '' };
    },
    inRouterNs: (args) => {
      calls.push(args.slice(0, 3).join(' '));
      return { status: 0, stdout: '', stderr: '' };
    },
  };
  return { p, calls };
}

test('applies to a lab that installs packages at first boot with two real servers or more', () => {
  expect(brokenMirrorNotApplicable(lab)).toBeUndefined();
  expect(brokenMirrorNotApplicable(resolveLabConfig({ image: { preinstalled: true } }))).toBe('the image has the packages preinstalled: a first boot installs nothing');
  expect(victim.name).toBe('rs-2');
});

test('asked of a lab it cannot break, the drill is recorded as not applicable with the reason; not asked, neither runs', async () => {
  const preinstalled = resolveLabConfig({ image: { preinstalled: true } });
  const ctx = (l: typeof lab, drills: string[]) => ({ lab: l, settings: { drills: new Set(drills) } }) as unknown as RunContext;
  expect(brokenMirrorNotRun.appliesTo(ctx(preinstalled, ['broken-mirror']))).toBe(true);
  expect(brokenMirror.appliesTo(ctx(preinstalled, ['broken-mirror']))).toBe(false);
  expect(await brokenMirrorNotRun.run(ctx(preinstalled, ['broken-mirror']))).toBe('the image has the packages preinstalled: a first boot installs nothing');
  expect(brokenMirrorNotRun.appliesTo(ctx(lab, ['broken-mirror']))).toBe(false);
  expect(brokenMirror.appliesTo(ctx(lab, ['broken-mirror']))).toBe(true);
  for (const l of [lab, preinstalled]) {
    expect(brokenMirror.appliesTo(ctx(l, ['rs-reboot'])) || brokenMirrorNotRun.appliesTo(ctx(l, ['rs-reboot']))).toBe(false);
  }
});

test('a deploy that names the VM and apt\'s error, then one that ends ready: passes, in order, the block lifted before the fix', async () => {
  const { p, calls } = params([await deployOutput('package-missing'), await deployOutput('success')]);
  const detail = await runBrokenMirrorDrill(p);
  expect(detail).toMatch(/^broken: the deploy exited 1 after 200 s naming rs-2: "E: Unable to locate package haproxy" \(fix: package haproxy could not be installed/);
  expect(detail).toMatch(/fixed: the next deploy ended ready after 200 s and rs-2 serves$/);
  const disk = `${lab.storagePoolPath}/lvs-lab--rs-2.qcow2`;
  expect(calls).toEqual([
    'virsh destroy lvs-lab--rs-2', 'virsh undefine lvs-lab--rs-2', `virsh vol-delete ${disk}`,
    'iptables -I FORWARD', 'deploy', 'iptables -D FORWARD',
    'virsh destroy lvs-lab--rs-2', 'virsh undefine lvs-lab--rs-2', `virsh vol-delete ${disk}`,
    'deploy',
  ]);
});

describe('fails when', () => {
  test('the deploy exits 0 with the first boot broken', async () => {
    const { p } = params([await deployOutput('success')]);
    await expect(runBrokenMirrorDrill(p)).rejects.toThrow(/^the deploy exited 0 with rs-2's first boot broken: /);
  });

  test('the deploy fails without naming the VM\'s cloud-init failure (terraform\'s own error)', async () => {
    const { p } = params([{ status: 1, stdout: '', stderr: 'Error: creating libvirt domain: already exists', seconds: 30 }]);
    await expect(runBrokenMirrorDrill(p)).rejects.toThrow(/^the deploy exited 1 but did not name rs-2's cloud-init failure: Error: creating libvirt domain/);
  });

  test('the deploy throws: the block is lifted all the same', async () => {
    const { p, calls } = params([]);
    await expect(runBrokenMirrorDrill(p)).rejects.toThrow('no deploy left');
    expect(calls.slice(-2)).toEqual(['deploy', 'iptables -D FORWARD']);
  });

  test('the VM does not serve after the deploy said ready', async () => {
    const { p } = params([await deployOutput('package-missing'), await deployOutput('success')], false);
    await expect(runBrokenMirrorDrill(p)).rejects.toThrow('rs-2 does not answer through its VIPs after the deploy said the lab is ready');
  });
});
