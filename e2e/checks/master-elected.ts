/**
 * One director holds the VIP: the initial MASTER. With nopreempt every director starts BACKUP and
 * the election decides; without it the highest priority must win. Returns the roles.
 */
import { type E2eCheck, expect, waitFor } from '../context';
import { rolesOf, vipHolder } from '../lab-state';

export const masterElected: E2eCheck = {
  id: 'master-elected',
  appliesTo: () => true,
  name: () => 'one director holds the VIP (the MASTER)',
  async run({ sb, lab, s0 }) {
    // The last director to finish booting may still be winning the election (preemption).
    const settleSec = 3 * lab.vrrp.advertIntSec + 5;
    let holderName: string | undefined;
    await waitFor(`the election to settle within ${settleSec}s`, settleSec, () => {
      holderName = vipHolder(sb, lab, s0.vip);
      return holderName !== undefined && (lab.vrrp.nopreempt || holderName === lab.directors[0].name) ? true : undefined;
    }, 1000).catch(() => undefined);
    expect(holderName !== undefined, `no director has ${s0.vip} on lab0`);
    const roles = rolesOf(lab, holderName!);
    const { master, backup } = roles;
    // Without nopreempt the highest priority must win the election.
    if (!lab.vrrp.nopreempt) {
      expect(master.name === lab.directors[0].name, `${master.name} holds the VIP, expected the highest priority ${lab.directors[0].name}`);
    }
    return { detail: `${master.name} (priority ${master.priority}) is MASTER; ${backup.name} is BACKUP`, roles };
  },
};
