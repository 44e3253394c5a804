/**
 * Drill `broken-mirror`: a lab whose first-boot install fails makes the deploy exit non-zero
 * with the VM and the error. One real server is removed outside terraform (its domain and its
 * disk, as a lost VM would be); its address is refused by the lab's router on its way to the
 * package mirror (the internet stand-in), so only its first boot breaks; the user's deploy
 * (`scripts/cdktf.sh deploy`, which waits for the lab with `lvs-lab wait`) recreates it and must
 * exit non-zero naming the VM, apt's error line and the fix. Then the mirror is reachable
 * again, the failed VM is removed once more (cloud-init runs at first boot only), and the next
 * deploy must end ready, with the VM serving through the VIP.
 *
 * Everything the drill touches comes in as a parameter (runBrokenMirrorDrill); `brokenMirror`
 * is the drill as the plan runs it, with the run's sandbox.
 */
import * as path from 'node:path';
import { vmDomainName, vmVolumeNames, type ResolvedLab, type ResolvedRealServer } from '../../lab';
import { serviceUrl } from '../../ops/ipvs';
import { servedBy } from '../../ops/traffic';
import { cdktf } from '../cdktf';
import type { E2eCheck } from '../context';
import { run } from '../sandbox';

/** What a command printed and how it ended. */
export interface DrillRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BrokenMirrorParams {
  readonly lab: ResolvedLab;
  /** The real server whose first boot is broken. */
  readonly victim: ResolvedRealServer;
  /** The user's deploy: `scripts/cdktf.sh deploy --auto-approve` (with the wait), as the run deploys. */
  readonly deploy: () => DrillRun & { readonly seconds: number };
  /** `virsh -c <the sandbox's libvirt> ARGS`. */
  readonly virsh: (...args: string[]) => DrillRun;
  /** Runs a program in the namespace that routes the lab to the internet (its firewall). */
  readonly inRouterNs: (args: readonly string[]) => DrillRun;
  /** The address of the package mirror (the internet stand-in). */
  readonly mirrorAddress: string;
  /** True when the victim answers through every VIP of its services (asked from the client). */
  readonly victimServes: () => boolean;
  readonly log: (line: string) => void;
}

/** Why the drill does not apply to a lab, or undefined when it does: it breaks a first-boot install. */
export function brokenMirrorNotApplicable(lab: ResolvedLab): string | undefined {
  if (lab.image.preinstalled) return 'the image has the packages preinstalled: a first boot installs nothing';
  if (lab.realServers.length < 2) return 'the lab has one real server: removing it would leave no service to keep';
  return undefined;
}

/** The real server the drill breaks: the last one, so the first keeps the service answering. */
export const brokenMirrorVictim = (lab: ResolvedLab): ResolvedRealServer => lab.realServers[lab.realServers.length - 1];

class DrillFailed extends Error {}

function expect(condition: boolean, observed: string): void {
  if (!condition) throw new DrillFailed(observed);
}

const tail = (text: string, lines = 25) => text.trim().split('\n').slice(-lines).join('\n');

/** The firewall rule that refuses the victim's packets to the mirror (TCP reset: apt fails at once, not after its timeouts). */
function blockRule(p: BrokenMirrorParams): string[] {
  return ['FORWARD', '-s', p.victim.address, '-d', p.mirrorAddress, '-p', 'tcp', '-j', 'REJECT', '--reject-with', 'tcp-reset',
    '-m', 'comment', '--comment', 'lvs-lab e2e drill broken-mirror'];
}

/** Removes the victim's domain and disk outside terraform; its seed stays (terraform's own, unchanged). */
function removeVictim(p: BrokenMirrorParams): void {
  const domain = vmDomainName(p.lab.name, p.victim.name);
  p.virsh('destroy', domain);
  const u = p.virsh('undefine', domain);
  expect(u.status === 0, `virsh undefine ${domain}: ${u.stderr.trim()}`);
  const disk = path.join(p.lab.storagePoolPath, vmVolumeNames(domain).disk);
  const v = p.virsh('vol-delete', disk);
  expect(v.status === 0, `virsh vol-delete ${disk}: ${v.stderr.trim()}`);
  p.log(`broken-mirror: removed domain ${domain} and volume ${disk} outside terraform`);
}

/** Runs the drill; returns what it saw, or throws naming what went wrong. The block is lifted whatever happens. */
export async function runBrokenMirrorDrill(p: BrokenMirrorParams): Promise<string> {
  removeVictim(p);
  const add = p.inRouterNs(['iptables', '-I', ...blockRule(p)]);
  expect(add.status === 0, `iptables -I ${blockRule(p).join(' ')}: ${add.stderr.trim()}`);
  let broken: DrillRun & { seconds: number };
  try {
    p.log(`broken-mirror: ${p.victim.name} (${p.victim.address}) cannot reach the mirror at ${p.mirrorAddress}; deploying`);
    broken = p.deploy();
  } finally {
    const del = p.inRouterNs(['iptables', '-D', ...blockRule(p)]);
    expect(del.status === 0, `iptables -D ${blockRule(p).join(' ')}: ${del.stderr.trim()}`);
  }
  const out = `${broken.stdout}\n${broken.stderr}`;
  expect(broken.status !== 0 && broken.status !== null, `the deploy exited ${broken.status} with ${p.victim.name}'s first boot broken: ${tail(out)}`);
  const problem = new RegExp(`✗ ${p.victim.name}: cloud-init failed on ${p.victim.name} \\(${p.victim.address.replace(/\./g, '\\.')}\\)(?: in [^:\\n]+)?: (.+)`).exec(out);
  expect(problem !== null, `the deploy exited ${broken.status} but did not name ${p.victim.name}'s cloud-init failure: ${tail(out)}`);
  const aptLine = problem![1];
  // apt's own line: the mirror refused (or, through a proxy, the packages it could not find)
  expect(/Could not connect|Connection refused|Unable to locate package|Failed to fetch/.test(aptLine), `the named error is not apt's: ${aptLine}`);
  const fix = /^ {2}fix: (.+)$/m.exec(out.slice(problem!.index))?.[1] ?? '';
  expect(/packages\.mirror/.test(fix), `the fix does not point at packages.mirror: ${fix || '(none)'}`);
  const others = [...p.lab.directors, ...p.lab.realServers].filter((vm) => vm.name !== p.victim.name && new RegExp(`cloud-init failed on ${vm.name} `).test(out));
  expect(others.length === 0, `the deploy also blamed ${others.map((vm) => vm.name).join(', ')}, whose first boot was not broken`);

  // The fix as the report gives it: the mirror is reachable again, and the VM is made afresh.
  removeVictim(p);
  const fixed = p.deploy();
  const fixedOut = `${fixed.stdout}\n${fixed.stderr}`;
  expect(fixed.status === 0, `with the mirror reachable again the deploy exited ${fixed.status}: ${tail(fixedOut)}`);
  expect(/lvs-lab wait: lab \S+ is ready after \d+ s/.test(fixedOut), `the deploy exited 0 without the wait's verdict: ${tail(fixedOut)}`);
  expect(p.victimServes(), `${p.victim.name} does not answer through its VIPs after the deploy said the lab is ready`);
  return `broken: the deploy exited ${broken.status} after ${broken.seconds.toFixed(0)} s naming ${p.victim.name}: "${aptLine}" (fix: ${fix.slice(0, 80)}...); ` +
    `fixed: the next deploy ended ready after ${fixed.seconds.toFixed(0)} s and ${p.victim.name} serves`;
}

/** The drill asked of a lab it cannot break: recorded with the reason, as a check that passes. */
export const brokenMirrorNotRun: E2eCheck = {
  id: 'broken-mirror-none',
  appliesTo: ({ settings, lab }) => settings.drills.has('broken-mirror') && brokenMirrorNotApplicable(lab) !== undefined,
  name: () => 'drill: broken mirror: not applicable',
  run: ({ lab }) => brokenMirrorNotApplicable(lab)!,
};

export const brokenMirror: E2eCheck = {
  id: 'broken-mirror',
  appliesTo: ({ settings, lab }) => settings.drills.has('broken-mirror') && brokenMirrorNotApplicable(lab) === undefined,
  name: ({ lab }) => {
    const victim = brokenMirrorVictim(lab);
    return `drill: broken mirror: ${victim.name}'s first-boot install fails, the deploy exits non-zero naming it and apt's error; fixed, the next deploy ends ready`;
  },
  run({ settings, sb, lab, labFile, state, client, tcpServices, log }) {
    const victim = brokenMirrorVictim(lab);
    const sources = [client.ip, ...client.extra].slice(0, 12);
    return runBrokenMirrorDrill({
      lab, victim, mirrorAddress: settings.wanIp, log,
      virsh: (...args) => sb.virsh(...args),
      deploy: () => cdktf(settings, 'deploy', labFile, settings.readyTimeoutSec + 600, state.internet?.caFile),
      inRouterNs: (args) => run('ip', ['netns', 'exec', settings.ns, ...args], { timeoutSec: 30 }),
      victimServes: () => tcpServices.filter((x) => x.realServers.includes(victim.name)).every((x) =>
        sources.some((source) => servedBy(sb.httpGet(serviceUrl(x), { source, maxTimeSec: 2 }).body) === victim.name)),
    });
  },
};
