import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { HttpOutcome, OpsHost } from '../../ops/host';
import { settle } from '../helpers/ops-lab';
import { failoverGap, parseProbeLines, probeSummary, startProber, type ProbeLine } from '../../ops/probe';

/** Probes every 100 ms from t=0; `down` lists the indexes that failed. */
const probes = (count: number, down: readonly number[]): ProbeLine[] =>
  Array.from({ length: count }, (_, i) => (down.includes(i) ? { t: i * 100, ok: false, error: 'timeout' } : { t: i * 100, ok: true, body: 'served-by rs-1' }));

describe('failoverGap', () => {
  test('from the last success before the first failure after the fault to the first success after it', () => {
    // fault at 450 ms; probes 5..9 fail: last ok at 400, first ok again at 1000
    expect(failoverGap(probes(15, [5, 6, 7, 8, 9]), 450)).toBe(600);
  });
  test('0 when no probe failed after the fault; failures before it do not count', () => {
    expect(failoverGap(probes(10, [1]), 450)).toBe(0);
  });
  test('undefined when the service never answered again', () => {
    expect(failoverGap(probes(10, [6, 7, 8, 9]), 450)).toBeUndefined();
  });
});

describe('probeSummary', () => {
  test('counts failures and the longest run of them', () => {
    expect(probeSummary(probes(20, [2, 10, 11, 12]))).toEqual({ failed: 4, longestMs: 300, text: '4 of 20 probes failed (longest outage 0.3 s)' });
  });
  test('all good', () => {
    expect(probeSummary(probes(5, []))).toEqual({ failed: 0, longestMs: 0, text: '0 of 5 probes failed' });
  });
  test('an outage still running at the last probe counts up to it', () => {
    expect(probeSummary(probes(5, [3, 4])).longestMs).toBe(100);
  });
});

describe('startProber', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_764_220_800_000 }));
  afterEach(() => jest.useRealTimers());

  /** A host whose GETs answer after 5 ms, failing between `from` and `to` (ms after the start). */
  function host(from: number, to: number): OpsHost {
    const start = Date.now();
    return {
      remote: async () => ({ reached: false, why: 'unused' }),
      local: async () => ({ status: 0, stdout: '', stderr: '' }),
      httpGet: (): Promise<HttpOutcome> => new Promise((resolve) => {
        const at = Date.now() - start;
        setTimeout(() => resolve(at >= from && at < to ? { ok: false, error: 'connect ECONNREFUSED 192.168.20.140:80' } : { ok: true, status: 200, body: 'served-by rs-1 192.168.20.143' }), 5);
      }),
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      describeRemote: (a) => a,
    };
  }

  test('one GET every interval until stopped; the failures are those of the outage', async () => {
    const prober = startProber(host(1000, 1500), 'http://192.168.20.140/', { intervalMs: 100, timeoutMs: 300, maxMs: 60_000 });
    await jest.advanceTimersByTimeAsync(3000);
    const lines = await settle(prober.stop());
    expect(lines.length).toBeGreaterThanOrEqual(29);
    expect(lines.length).toBeLessThanOrEqual(31);
    expect(lines[1].t - lines[0].t).toBe(100);
    expect(lines.filter((p) => !p.ok)).toHaveLength(5);
    expect(lines.find((p) => !p.ok)).toMatchObject({ ok: false, error: 'connect ECONNREFUSED 192.168.20.140:80' });
    expect(probeSummary(lines).longestMs).toBe(500);
  });

  test('stops by itself after maxMs', async () => {
    const prober = startProber(host(0, 0), 'http://192.168.20.140/', { intervalMs: 100, timeoutMs: 300, maxMs: 1000 });
    await jest.advanceTimersByTimeAsync(5000);
    expect(prober.probes).toHaveLength(10);
    expect(await settle(prober.stop())).toHaveLength(10);
  });
});

describe('e2e/probe.js writes lines the same functions read', () => {
  test('a real probe.js run against a local server that fails its third request', async () => {
    let n = 0;
    const server = http.createServer((_req, res) => {
      n++;
      res.writeHead(n === 3 ? 503 : 200).end(n === 3 ? 'busy' : 'served-by rs-1 192.168.20.143\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
    try {
      const out = path.join(dir, 'probe.jsonl');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const proc = spawn(process.execPath, [path.join(__dirname, '../../e2e/probe.js'), url, out, path.join(dir, 'stop'), '50', '300', '1']);
      await new Promise((resolve) => proc.on('close', resolve));
      const lines = parseProbeLines(fs.readFileSync(out, 'utf8'));
      expect(lines.length).toBeGreaterThanOrEqual(5);
      expect(lines[0]).toMatchObject({ ok: true, status: 200, body: 'served-by rs-1 192.168.20.143' });
      expect(lines[2]).toMatchObject({ ok: false, status: 503 });
      expect(probeSummary(lines).failed).toBe(1);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('it keeps sending while requests hang, so an outage is timed to the interval, not the timeout', async () => {
    // The server does not answer for 600 ms (an outage), then answers again.
    const start = Date.now();
    const hung: http.ServerResponse[] = [];
    const server = http.createServer((_req, res) => {
      if (Date.now() - start >= 200 && Date.now() - start < 800) hung.push(res);
      else res.writeHead(200).end('served-by rs-1\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-'));
    try {
      const out = path.join(dir, 'probe.jsonl');
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const proc = spawn(process.execPath, [path.join(__dirname, '../../e2e/probe.js'), url, out, path.join(dir, 'stop'), '50', '400', '1.5']);
      await new Promise((resolve) => proc.on('close', resolve));
      const lines = parseProbeLines(fs.readFileSync(out, 'utf8'));
      // one probe started every 50 ms for 1.5 s, hanging ones included
      expect(lines.length).toBeGreaterThanOrEqual(20);
      expect(lines.every((l, i) => i === 0 || l.t >= lines[i - 1].t)).toBe(true);
      const failed = lines.filter((l) => !l.ok);
      expect(failed.length).toBeGreaterThanOrEqual(8);
      // the outage is 600 ms long: measured to within the 50 ms interval (plus the machine's jitter),
      // where waiting for each 400 ms timeout would have measured it in 400 ms steps
      const gap = failoverGap(lines, start + 150)!;
      expect(gap).toBeGreaterThanOrEqual(550);
      expect(gap).toBeLessThan(800);
    } finally {
      for (const res of hung) res.destroy();
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
