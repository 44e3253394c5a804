/**
 * Drill backup-crash: the BACKUP is killed; the MASTER serves on, no probe fails. It boots again
 * beside the checks that follow, and comes back as BACKUP with keepalived and its IPVS table while
 * the MASTER keeps the VIP (checked when a check needs it, or last, once).
 */
import { NOTIFY_STATE_FILE } from '../../cloud-init/paths';
import { serviceUrl } from '../../ops/ipvs';
import { probeSummary, type ProbeLine } from '../../ops/probe';
import { type E2eCheck, expect, round1, waitFor } from '../context';
import { directorIpvsComplete, vipHolder } from '../lab-state';
import { now, sleep } from '../sandbox';

/** The crash's verdict: enough probes, the VIP stayed, no probe failed. */
export function judgeBackupCrash(probes: readonly ProbeLine[], holder: string | undefined, active: string): string {
  const summary = probeSummary(probes);
  expect(probes.length >= 30, `only ${probes.length} probes in 12 s: the client could not probe`);
  expect(holder === active, `after the BACKUP's crash the VIP is on ${holder ?? 'no director'}, expected ${active}`);
  expect(summary.failed === 0, summary.text);
  return summary.text;
}

export const backupCrash: E2eCheck = {
  id: 'backup-crash',
  appliesTo: ({ settings }) => settings.drills.has('backup-crash'),
  name: ({ state }) => `drill: BACKUP crash: ${state.drillRoles!.standby.name} killed, ${state.drillRoles!.active.name} serves on with no failed probe`,
  async run({ sb, lab, s0, state, result }) {
    const { active, standby } = state.drillRoles!;
    const probe = sb.startProbe(serviceUrl(s0), 'backup-crash');
    await sleep(2000);
    const r = sb.virsh('destroy', standby.domainName);
    expect(r.status === 0, `virsh destroy ${standby.domainName}: ${r.stderr}`);
    await sleep(10_000);
    const probes = await probe.stop();
    result.figures.drills = { ...result.figures.drills, backupCrashFailedProbes: probeSummary(probes).failed };
    const holder = vipHolder(sb, lab, s0.vip);
    // It boots again whatever this check finds, beside the checks that follow.
    const start = sb.virsh('start', standby.domainName);
    expect(start.status === 0, `virsh start ${standby.domainName}: ${start.stderr}`);
    state.standbyRestartedAt = now();
    const text = judgeBackupCrash(probes, holder, active.name);
    return `${active.name} kept the VIP; ${text}; ${standby.name} restarting`;
  },
};

export const directorRestart: E2eCheck = {
  id: 'director-restart',
  appliesTo: ({ state }) => state.standbyRestartedAt !== undefined && !state.ran.has('director-restart'),
  name: ({ state }) => `drill: director restart: ${state.drillRoles!.standby.name} comes back as BACKUP with keepalived and its IPVS table, ${state.drillRoles!.active.name} keeps the VIP`,
  async run({ sb, lab, s0, state, result }) {
    const { active, standby } = state.drillRoles!;
    await waitFor(`${standby.name}'s keepalived to report BACKUP`, 600, () => {
      const st = sb.ssh(lab.ssh.user, standby.address, `cat ${NOTIFY_STATE_FILE}`, 10);
      return st.status === 0 && /BACKUP/.test(st.stdout) ? true : undefined;
    }, 3000);
    const backSec = now() - state.standbyRestartedAt!;
    await waitFor(`${standby.name}'s IPVS table to list every real server`, 120, () => (directorIpvsComplete(sb, lab, standby) ? true : undefined), 2000);
    await sleep((3 * lab.vrrp.advertIntSec + 2) * 1000);
    const holder = vipHolder(sb, lab, s0.vip);
    expect(holder === active.name, `after ${standby.name} returned the VIP is on ${holder ?? 'no director'}, expected ${active.name} to keep it`);
    result.figures.drills = { ...result.figures.drills, directorRestartSec: round1(backSec) };
    return `${standby.name} BACKUP again ${backSec.toFixed(0)} s after its start, IPVS table complete; ${active.name} kept the VIP`;
  },
};
