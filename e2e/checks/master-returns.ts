/**
 * The killed MASTER boots again. With nopreempt it comes back as BACKUP, so the checks that follow
 * (served by the director that took over, which keeps the VIP) run while it boots; with
 * preemption it takes the VIP back (returns the roles), so its return is awaited first. It comes
 * at several points of the order (e2e/runner.ts) and runs once.
 */
import * as fs from 'node:fs';
import { NOTIFY_STATE_FILE } from '../../cloud-init/paths';
import { type E2eCheck, type E2eStep, expect, waitFor } from '../context';
import { directorIpvsComplete, rolesOf, vipHolder } from '../lab-state';
import { now, sleep } from '../sandbox';
import { failoverStopFile } from './director-failure';

export const restartKilled: E2eStep = {
  step: 'virsh start the killed MASTER',
  appliesTo: ({ state }) => state.failover !== undefined,
  run({ sb, state }) {
    const r = sb.virsh('start', state.failover!.killed.domainName);
    state.failover!.restart = { status: r.status, stderr: r.stderr, at: now() };
  },
};

export const masterReturns: E2eCheck = {
  id: 'master-returns',
  appliesTo: ({ state }) => !state.ran.has('master-returns'),
  name: ({ lab }) => `the MASTER returns: ${lab.vrrp.nopreempt ? 'nopreempt keeps the VIP on the BACKUP' : 'it preempts and takes the VIP back'}`,
  async run({ sb, lab, s0, state }) {
    expect(state.failover?.restart !== undefined, 'the MASTER was not killed (see the director failure check)');
    const { killed, restart } = state.failover!;
    const taker = rolesOf(lab, killed.name).backup;
    expect(restart!.status === 0, `virsh start ${killed.domainName}: ${restart!.stderr}`);
    const startedAt = restart!.at;
    // keepalived on the returning director reports its state through the notify hook.
    await waitFor(`${killed.name}'s keepalived to run again`, 600, () => {
      const s = sb.ssh(lab.ssh.user, killed.address, `cat ${NOTIFY_STATE_FILE}`, 10);
      return s.status === 0 && s.stdout.trim() !== '' ? true : undefined;
    }, 3000);
    // keepalived restores the virtual servers and their real servers without any manual step.
    await waitFor(`${killed.name}'s IPVS table to list every real server`, 120, () => (directorIpvsComplete(sb, lab, killed) ? true : undefined), 2000);
    if (lab.vrrp.nopreempt) {
      await sleep((3 * lab.vrrp.advertIntSec + 5) * 1000);
      const holder = vipHolder(sb, lab, s0.vip);
      expect(holder === taker.name, `with nopreempt the VIP moved to ${holder}`);
      return `${killed.name} back after ${(now() - startedAt).toFixed(0)}s as BACKUP with its IPVS table; ${taker.name} keeps the VIP`;
    }
    const holder = await waitFor(`${killed.name} to take the VIP back`, 120, () => (vipHolder(sb, lab, s0.vip) === killed.name ? killed.name : undefined), 1000);
    const arp = await waitFor(`the client's ARP entry to point at ${killed.name}`, 30, () => (sb.clientArp(s0.vip) === killed.macAddress ? killed.macAddress : undefined), 1000);
    return { detail: `${holder} took the VIP back ${(now() - startedAt).toFixed(0)}s after start, with its IPVS table; ${s0.vip} is-at ${arp}`, roles: rolesOf(lab, killed.name) };
  },
};

export const stopFailoverProbes: E2eStep = {
  step: "stop the failover's probers",
  appliesTo: () => true,
  run: ({ settings }) => fs.writeFileSync(failoverStopFile(settings.runDir), ''),
};
