/**
 * Drill rs-reboot: `virsh reboot` of a real server: the VIP is back on lo with ARP silenced
 * (never an ARP reply for it from that server, while the client asks for it every second) and it
 * rejoins the pool. The VIP stays where it is meanwhile (the other director is down, booting, or
 * has no reason to take it).
 */
import type { ResolvedLab } from '../../lab';
import { boundVips } from '../../ops/iproute';
import { serviceUrl } from '../../ops/ipvs';
import { probeSummary } from '../../ops/probe';
import { clientPcap } from '../checks/client-joins';
import { type E2eCheck, type E2eStep, type RunContext, expect, round1, waitFor } from '../context';
import { inIpvsTable, vipHolder } from '../lab-state';
import { parseArpLine, type ArpLine } from '../parse';
import { now, run, sleep } from '../sandbox';

/** The director serving and the one on standby when the drills begin. */
export const drillRoles: E2eStep = {
  step: 'note which director serves as the drills begin',
  appliesTo: () => true,
  run({ sb, lab, s0, state, roles }) {
    const active = lab.directors.find((d) => d.name === vipHolder(sb, lab, s0.vip)) ?? roles.master;
    state.drillRoles = { active, standby: lab.directors.find((d) => d.name !== active.name)! };
  },
};

const victimOf = ({ lab, s0 }: RunContext) => lab.realServers.find((r) => s0.realServers.includes(r.name) && r.weight > 0)!;

/** ARP during the reboot (`tcpdump -e -nn -tt -r client.pcap arp` lines from `fromMs`): the client's requests for a VIP, and the victim's claims to one. */
export function judgeRebootArp(tcpdumpOut: string, fromMs: number, vips: readonly string[], victimMac: string): { asked: number; answered: ArpLine[] } {
  const arp = tcpdumpOut.split('\n').map(parseArpLine).filter((a): a is ArpLine => a !== undefined && a.t >= fromMs);
  const asked = arp.filter((a) => a.op === 'request' && vips.includes(a.target)).length;
  const answered = arp.filter((a) => a.srcMac === victimMac && ((a.op === 'reply' && vips.includes(a.target)) || (a.op === 'request' && vips.includes(a.sender ?? ''))));
  return { asked, answered };
}

/** The victim's lo and ARP sysctls after the reboot: every VIP on lo, arp_ignore/arp_announce 1 2 1 2. */
async function stateAfterBoot({ sb, lab }: RunContext, victim: ResolvedLab['realServers'][number]): Promise<string> {
  // /proc, not sysctl: /usr/sbin is not on an ssh user's PATH.
  const readState = () => sb.ssh(lab.ssh.user, victim.address,
    'ip -o addr show dev lo; cd /proc/sys/net/ipv4/conf && cat all/arp_ignore all/arp_announce lo/arp_ignore lo/arp_announce', 15);
  // Both families: a dual-stack lab's IPv6 VIPs go back on lo too.
  const allVips = [...new Set(lab.services.filter((x) => x.realServers.includes(victim.name)).map((x) => x.vip))];
  const state = await waitFor(`every VIP on ${victim.name}'s lo`, 60,
    () => { const r = readState(); return r.status === 0 && boundVips(r.stdout, allVips, 'lo').length === allVips.length ? r : undefined; },
    2000, () => readState().stdout);
  const sysctls = state.stdout.trim().split('\n').slice(-4).join(' ');
  expect(sysctls === '1 2 1 2', `${victim.name}'s arp_ignore/arp_announce (all, lo) after the reboot: ${sysctls}, expected 1 2 1 2`);
  return sysctls;
}

export const rsReboot: E2eCheck = {
  id: 'rs-reboot',
  appliesTo: ({ settings }) => settings.drills.has('rs-reboot'),
  name: (ctx) => `drill: real-server reboot: ${victimOf(ctx).name} comes back with the VIP on lo, never answers ARP for it, rejoins the pool`,
  async run(ctx) {
    const { settings, sb, lab, s0, vips, state, result } = ctx;
    const victim = victimOf(ctx);
    const bootId = () => {
      const r = sb.ssh(lab.ssh.user, victim.address, 'cat /proc/sys/kernel/random/boot_id', 10);
      return r.status === 0 ? r.stdout.trim() : undefined;
    };
    const before = bootId();
    expect(before !== undefined, `no ssh to ${victim.name} before the reboot`);
    const inTable = () => inIpvsTable(sb, lab, state.drillRoles!.active, s0, victim);
    const probe = sb.startProbe(serviceUrl(s0), 'rs-reboot');
    // The client asks for every VIP once a second for the whole reboot, so that a real server
    // answering ARP for it at any moment of its boot would be caught in the capture.
    const askers = vips.map((vip) => sb.spawnClient(['arping', '-q', '-c', '900', '-w', '900', '-I', 'eth0', vip]));
    const from = Date.now();
    try {
      await sleep(2000);
      const r = sb.virsh('reboot', victim.domainName);
      expect(r.status === 0, `virsh reboot ${victim.domainName}: ${r.stderr}`);
      const rebootAt = now();
      await waitFor(`${victim.name} to boot again (a new boot id)`, 420, () => {
        const id = bootId();
        return id !== undefined && id !== before ? id : undefined;
      }, 3000);
      const upSec = now() - rebootAt;
      await waitFor(`${victim.name} to rejoin ${serviceUrl(s0)} (its health check passes again)`, 180, () => (inTable() ? true : undefined), 1000);
      const backSec = now() - rebootAt;
      await sleep(2000);
      const summary = probeSummary(await probe.stop());
      result.figures.drills = { ...result.figures.drills, rsRebootFailedProbes: summary.failed, rsRebootBackSec: round1(backSec) };
      await stateAfterBoot(ctx, victim);
      const tcpdumpOut = run('tcpdump', ['-e', '-nn', '-tt', '-r', clientPcap(settings.runDir), 'arp'], { timeoutSec: 60 }).stdout;
      const { asked, answered } = judgeRebootArp(tcpdumpOut, from, vips, victim.macAddress);
      expect(asked >= upSec / 2, `the client asked for the VIP only ${asked} times during the ${upSec.toFixed(0)} s reboot`);
      expect(answered.length === 0, `${victim.name} sent ${answered.length} ARP packets claiming a VIP during its reboot`);
      return `up again after ${upSec.toFixed(0)} s, back in the pool after ${backSec.toFixed(0)} s; VIP on lo, arp_ignore/arp_announce 1/2; ` +
        `${asked} ARP requests for the VIP during the reboot, none answered by ${victim.name}; ${summary.text} (goal 0)`;
    } finally {
      for (const a of askers) a.kill();
      await probe.stop();
    }
  },
};
