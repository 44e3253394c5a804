import { resolveLabConfig } from '../../lab';
import { formatTraffic, formatTrafficJson, runTraffic, servedBy, type TrafficOptions } from '../../ops/traffic';
import { FakeLab, settle } from '../helpers/ops-lab';

/* `lvs-lab traffic` against the simulated lab: histograms beside the prediction, and its failures. */
beforeEach(() => jest.useFakeTimers({ now: 1_764_220_800_000 }));
afterEach(() => jest.useRealTimers());

const options: TrafficOptions = { requests: 100, concurrency: 1, tolerance: 0.1, timeLimitMs: 120_000, requestTimeoutMs: 3000 };
const lab = resolveLabConfig({});
const weighted = resolveLabConfig({
  services: [{ vip: '192.168.20.140', port: 8080, scheduler: 'wlc' }],
  realServers: [{ name: 'web-1', address: '192.168.20.143', weight: 3 }, { name: 'web-2', address: '192.168.20.144', weight: 1 }],
});

test('servedBy reads the demo service\'s answer', () => {
  expect(servedBy('served-by rs-1 192.168.20.143')).toBe('rs-1');
  expect(servedBy('<html>')).toBeUndefined();
});

test('wrr with equal weights: 50/50, within the tolerance; the prediction comes from the MASTER\'s table', async () => {
  const progress: number[] = [];
  const report = await settle(runTraffic(new FakeLab(lab).host(), lab, options, (done) => progress.push(done)));
  expect(report.ok).toBe(true);
  const s = report.services[0];
  expect(s).toMatchObject({ key: 'TCP 192.168.20.140:80', sent: 100, answered: 100, failed: 0, counts: { 'rs-1': 50, 'rs-2': 50 } });
  expect(s.predictedFrom).toBe("director-1's IPVS table (MASTER): rs-1 w100, rs-2 w100");
  expect(s.verdicts.map((v) => [v.name, v.share, v.predicted, v.ok])).toEqual([['rs-1', 0.5, 0.5, true], ['rs-2', 0.5, 0.5, true]]);
  expect(progress).toHaveLength(100);
  expect(progress[99]).toBe(100);
});

test('wlc 3:1 with sequential requests: 75/25 predicted from the table\'s counts', async () => {
  const report = await settle(runTraffic(new FakeLab(weighted).host(), weighted, options));
  expect(report.services[0].counts).toEqual({ 'web-1': 75, 'web-2': 25 });
  expect(report.services[0].prediction).toMatchObject({ kind: 'shares', shares: { 'web-1': 0.75, 'web-2': 0.25 } });
  expect(report.ok).toBe(true);
});

test('the human report: a histogram per service and the verdict', async () => {
  const text = formatTraffic(await settle(runTraffic(new FakeLab(weighted).host(), weighted, { ...options, concurrency: 4 })));
  expect(text).toContain('TCP 192.168.20.140:8080 wlc: 100 of 100 requests answered, 4 at a time');
  expect(text).toMatch(/│ web-1 +│ +75 │ +75\.0% │ +75\.0% │ █{23} +│ ok +│/);
  expect(text).toMatch(/│ web-2 +│ +25 │ +25\.0% │ +25\.0% │ █{8} +│ ok +│/);
  expect(text.trimEnd().split('\n').pop()).toBe('lvs-lab traffic: every share within ±10 points of its prediction, no request failed.');
});

test('fails when a share is off its prediction (the MASTER weighs differently from the config)', async () => {
  const fake = new FakeLab(weighted);
  // the table the MASTER holds is what the prediction follows: here it predicts 3:1, but 1:1 is served
  const host = fake.host();
  const answers = ['web-1', 'web-2'];
  let i = 0;
  const skewed = { ...host, httpGet: async (url: string, t: number) => (url.startsWith('http://192.168.20.140') ? { ok: true, status: 200, body: `served-by ${answers[i++ % 2]}` } : host.httpGet(url, t)) };
  const report = await settle(runTraffic(skewed, weighted, options));
  expect(report.ok).toBe(false);
  expect(report.services[0].problems).toEqual(['web-1 got 50.0% of 100, predicted 75.0% ± 10 points', 'web-2 got 50.0% of 100, predicted 25.0% ± 10 points']);
  expect(formatTraffic(report)).toContain('✗ web-1 got 50.0% of 100');
});

test('fails when requests fail: how many, and the errors', async () => {
  const fake = new FakeLab(lab);
  fake.web.set('rs-2', 'inactive'); // down but still in the table: its requests are refused
  const report = await settle(runTraffic(fake.host(), lab, options));
  expect(report.ok).toBe(false);
  expect(report.services[0].problems[0]).toBe('50 of 100 requests to http://192.168.20.140:80/ failed: connect ECONNREFUSED 192.168.20.140:80');
});

test('stops at the time limit', async () => {
  const fake = new FakeLab(lab);
  const host = fake.host();
  const slow = { ...host, httpGet: (url: string) => new Promise<{ ok: boolean; error: string }>((resolve) => setTimeout(() => resolve({ ok: false, error: `no answer within 3000 ms (${url})` }), 3000)) };
  const report = await settle(runTraffic(slow, lab, { ...options, timeLimitMs: 10_000 }));
  expect(report.services[0].sent).toBe(4);
  expect(report.services[0].problems[0]).toBe('stopped at the time limit (10 s): 4 of 100 requests sent to http://192.168.20.140:80/');
});

test('--json: the documented shape', async () => {
  const json = JSON.parse(formatTrafficJson(await settle(runTraffic(new FakeLab(lab).host(), lab, options))));
  expect(Object.keys(json)).toEqual(['version', 'ok', 'lab', 'requests', 'concurrency', 'tolerancePoints', 'services', 'skipped']);
  expect(Object.keys(json.services[0])).toEqual(['key', 'url', 'scheduler', 'sent', 'answered', 'failed', 'errors', 'counts', 'prediction', 'predictedFrom', 'verdicts', 'problems', 'ok']);
});
