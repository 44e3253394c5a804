import { judgeBackupCrash } from '../../../e2e/drills/backup-crash';
import { judgeServedOn } from '../../../e2e/drills/libvirtd-restart';
import { judgeLinkProbes, judgeLinkTransitions } from '../../../e2e/drills/link-down';
import { judgeRebootArp } from '../../../e2e/drills/rs-reboot';
import { defaultLab, featureLab, recorded, recordedProbes } from '../checks/recorded';

describe('backup-crash', () => {
  test("the run's 12 s of probes while lb-a was killed: lb-b kept the VIP, none failed", () => {
    expect(judgeBackupCrash(recordedProbes('probe-backup-crash.jsonl'), 'lb-b', 'lb-b')).toBe('0 of 70 probes failed');
  });
  test('the VIP moving fails', () => {
    expect(() => judgeBackupCrash(recordedProbes('probe-backup-crash.jsonl'), undefined, 'lb-b')).toThrow("after the BACKUP's crash the VIP is on no director, expected lb-b");
  });
});

describe('libvirtd-restart', () => {
  test("the run's probes across the restart: served on", () => {
    expect(judgeServedOn(defaultLab(), recordedProbes('probe-libvirtd-restart.jsonl'))).toBe('0 of 48 probes failed');
  });
  test('an outage as long as a failover fails', () => {
    const probes = recordedProbes('probe-libvirtd-restart.jsonl').map((p, i) => (i >= 10 && i < 40 ? { ...p, ok: false } : p));
    expect(() => judgeServedOn(defaultLab(), probes)).toThrow(/^30 of 48 probes failed \(longest outage \d+\.\d s\): an outage as long as a failover \(4 s\)$/);
  });
});

describe('link-down', () => {
  // The run's 100 ms probes: the link went down 3 s after they started, up 10 s later.
  const probes = recordedProbes('probe-link-down.jsonl');
  const downAt = probes[0].t + 3000;
  const upAt = downAt + 10_000;
  test('the outage until lb-b served, and none when the link returned (nopreempt), as the run recorded (0.7 s, 0 s)', () => {
    const p = judgeLinkProbes(probes, downAt, upAt, 'lb-a', 'lb-b');
    expect(Math.round(p.takeoverMs! / 100) / 10).toBe(0.7);
    expect(p.returnMs).toBe(0);
    expect(() => p.check()).not.toThrow();
  });
  test("the transitions the run's notify logs showed (lb-a FAULT -> BACKUP; lb-b MASTER) are exactly nopreempt's", () => {
    const lab = featureLab();
    expect(() => judgeLinkTransitions(lab, 'lb-a', 'lb-b', new Map([['lb-a', ['FAULT', 'BACKUP']], ['lb-b', ['MASTER']]]))).not.toThrow();
    expect(() => judgeLinkTransitions(lab, 'lb-a', 'lb-b', new Map([['lb-a', ['FAULT', 'BACKUP', 'MASTER']], ['lb-b', ['MASTER', 'BACKUP']]])))
      .toThrow('lb-a went FAULT -> BACKUP -> MASTER, expected FAULT -> BACKUP');
  });
});

describe('rs-reboot', () => {
  // rs-reboot-arp.txt: `tcpdump -e -nn -tt -r client.pcap arp` during web-1's reboot in the run.
  const arp = recorded('rs-reboot-arp.txt');
  const vips = ['10.77.0.10', '10.77.0.9'];
  test('the client asked for the VIPs throughout; web-1 claimed none of them', () => {
    const { asked, answered } = judgeRebootArp(arp, 0, vips, '52:54:00:e6:a7:d4');
    expect(asked).toBeGreaterThan(180);
    expect(answered).toEqual([]);
  });
  test("the director's replies are what a claim looks like", () => {
    expect(judgeRebootArp(arp, 0, vips, '52:54:00:ec:a9:82').answered.length).toBeGreaterThan(100);
  });
});
