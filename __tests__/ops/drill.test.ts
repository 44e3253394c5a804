import { resolveLabConfig } from '../../lab';
import { DrillError, formatDrillJson, formatFailover, formatRsDown, runFailoverDrill, runRsDownDrill, holdsVips, vipHolders } from '../../ops/drill';
import { directorAddresses } from '../helpers/ops-output';
import { FakeLab, settle } from '../helpers/ops-lab';

/* The drills against the simulated lab, in fake time: a takeover 3.2 s after the stop, a
 * preemption 4 s after the start, a real server out of the table 6.5 s after its service stops. */
beforeEach(() => jest.useFakeTimers({ now: 1_764_220_800_000 }));
afterEach(() => jest.useRealTimers());

const lab = resolveLabConfig({});
const [d1, d2] = lab.directors;
const options = { timeLimitMs: 180_000 };

describe('drill failover', () => {
  test('the BACKUP takes over, the gap is measured, keepalived starts again and the MASTER preempts', async () => {
    const fake = new FakeLab(lab);
    const report = await settle(runFailoverDrill(fake.host(), lab, options));
    expect(report).toMatchObject({ ok: true, stopped: d1.name, newMaster: d2.name, problems: [] });
    expect(report.takeoverMs).toBeGreaterThanOrEqual(3200);
    expect(report.takeoverMs).toBeLessThan(4000);
    // probes fail from the stop until the takeover: 3.2 s plus up to one probe interval each side
    expect(report.vips[0].gapMs).toBeGreaterThanOrEqual(3200);
    expect(report.vips[0].gapMs).toBeLessThanOrEqual(3500);
    expect(report.restore).toEqual({ started: true, holder: d1.name, settledMs: expect.any(Number), expectedHolder: d1.name, asConfigured: true });
    expect(report.restore.settledMs).toBeGreaterThanOrEqual(4000);
    expect(fake.log.filter((l) => l.includes('systemctl'))).toEqual([
      `${d1.name}: sudo -n systemctl stop keepalived`,
      `${d1.name}: sudo -n systemctl start keepalived`,
    ]);
    const text = formatFailover(report);
    expect(text).toMatch(new RegExp(`│ new MASTER +│ ${d2.name} +│`));
    expect(text).toMatch(/│ http:\/\/192\.168\.20\.140:80\/ │ +\d+ │ +\d+ │ +3\.\d s │/);
    expect(text.trimEnd().split('\n').pop()).toBe('lvs-lab drill failover: passed.');
    expect(JSON.parse(formatDrillJson(report))).toMatchObject({ version: 1, drill: 'failover', ok: true });
  });

  test('with nopreempt the new MASTER keeps the VIPs after the restore', async () => {
    const sticky = resolveLabConfig({ vrrp: { nopreempt: true } });
    const fake = new FakeLab(sticky);
    const report = await settle(runFailoverDrill(fake.host(), sticky, options));
    expect(report.ok).toBe(true);
    expect(report.restore).toMatchObject({ holder: d2.name, expectedHolder: d2.name, asConfigured: true, settledMs: null });
  });

  test('fails when the old MASTER does not take the VIP back (preemption expected)', async () => {
    const fake = new FakeLab(lab, { takeoverMs: 3000, preemptMs: 600_000, removalMs: 6000, readdMs: 3000 });
    const report = await settle(runFailoverDrill(fake.host(), lab, options));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([`after keepalived started again on ${d1.name} the VIPs are on ${d2.name}, expected ${d1.name} (the highest priority takes them back)`]);
    expect(report.restore.asConfigured).toBe(false);
  });

  test('fails when nobody takes over; keepalived is started again all the same', async () => {
    const fake = new FakeLab(lab, { takeoverMs: 600_000, preemptMs: 1000, removalMs: 6000, readdMs: 3000 });
    const report = await settle(runFailoverDrill(fake.host(), lab, options));
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toBe(`no director took the VIPs over within 18 s of stopping keepalived on ${d1.name}`);
    expect(report.restore.started).toBe(true);
    expect(fake.keepalived.get(d1.name)).toBe('active');
  });

  test('refuses to start without exactly one MASTER, breaking nothing', async () => {
    const fake = new FakeLab(lab);
    fake.holders = [];
    await expect(settle(runFailoverDrill(fake.host(), lab, options))).rejects.toThrow(new DrillError('the drill needs exactly one MASTER, found none holding the VIPs\n  fix: run `npm run lvs-lab -- status` and fix what it reports first'));
    expect(fake.log.filter((l) => l.includes('systemctl'))).toEqual([]);
  });

  test('sudo wanting a password stops the drill before anything changed, with sudo\'s message', async () => {
    const fake = new FakeLab(lab);
    fake.sudoPassword.add(d1.name);
    const report = settle(runFailoverDrill(fake.host(), lab, options));
    await expect(report).rejects.toThrow(`\`sudo -n systemctl stop keepalived\` on ${d1.name} failed: sudo: a password is required`);
    expect(fake.keepalived.get(d1.name)).toBe('active');
  });

  test('holdsVips: every VIP asked for on lab0 (the e2e asks for one)', () => {
    const addresses = directorAddresses(d1.address, ['192.168.20.140', 'fd77::80']);
    expect(holdsVips(addresses, ['192.168.20.140'])).toBe(true);
    expect(holdsVips(addresses, ['192.168.20.140', 'fd77::80'])).toBe(true);
    expect(holdsVips(directorAddresses(d1.address), ['192.168.20.140'])).toBe(false);
  });

  test('vipHolders: the directors with every VIP on lab0', async () => {
    const fake = new FakeLab(lab);
    expect((await vipHolders(fake.host(), lab)).map((d) => d.name)).toEqual([d1.name]);
  });
});

describe('drill rs-down', () => {
  test('removal within the health check bound, then back', async () => {
    const fake = new FakeLab(lab);
    const report = await settle(runRsDownDrill(fake.host(), lab, 'rs-2', options));
    expect(report).toMatchObject({ ok: true, realServer: 'rs-2', master: d1.name, services: ['TCP 192.168.20.140:80'], problems: [] });
    expect(report.removalMs).toBeGreaterThanOrEqual(6500);
    expect(report.removalMs).toBeLessThanOrEqual(7000);
    expect(report.readdMs).toBeGreaterThanOrEqual(3500);
    expect(report.readdMs).toBeLessThanOrEqual(4000);
    expect(report.failedProbes).toBeGreaterThan(0);
    expect(fake.web.get('rs-2')).toBe('active');
    expect(formatRsDown(report)).toMatch(/│ left the table after +│ 6\.\d s \(health check bound \d+\.\d s\) │/);
  });

  test('fails when the removal takes longer than the health check implies', async () => {
    // delay_loop 3 s, connect_timeout 2 s, retry 1, delay_before_retry 1 s: out within 3 + 2 × 2 + 1 + 2 = 10 s
    const tight = resolveLabConfig({ services: [{ vip: '192.168.20.140', port: 80, delayLoopSec: 3, healthCheck: { connectTimeoutSec: 2, retry: 1, delayBeforeRetrySec: 1 } }] });
    const fake = new FakeLab(tight, { takeoverMs: 3000, preemptMs: 4000, removalMs: 20_000, readdMs: 3000 });
    const report = await settle(runRsDownDrill(fake.host(), tight, 'rs-1', options));
    expect(report.ok).toBe(false);
    expect(report.removalBoundMs).toBe(10_000);
    expect(report.problems[0]).toMatch(/^rs-1 left after 20\.\d s, later than the 10 s its health check implies$/);
    expect(fake.web.get('rs-1')).toBe('active');
  });

  test('an unknown name: the lab\'s real servers listed', async () => {
    await expect(settle(runRsDownDrill(new FakeLab(lab).host(), lab, 'rs-9', options))).rejects.toThrow('no real server rs-9 in lab lvs-lab; its real servers: rs-1, rs-2');
  });

  test('a server that is down already is not drilled', async () => {
    const fake = new FakeLab(lab);
    fake.outOfTable.add('rs-1');
    await expect(settle(runRsDownDrill(fake.host(), lab, 'rs-1', options))).rejects.toThrow(`rs-1 is not in ${d1.name}'s IPVS table before the drill: it is down already`);
  });

  test('no health check: nothing to time', async () => {
    const unchecked = resolveLabConfig({ services: [{ vip: '192.168.20.140', port: 80, healthCheck: { type: 'none' } }] });
    await expect(settle(runRsDownDrill(new FakeLab(unchecked).host(), unchecked, 'rs-1', options))).rejects.toThrow(/keepalived never removes it/);
  });
});
