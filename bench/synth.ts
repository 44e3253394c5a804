/**
 * Synth benchmark: time and peak memory to synthesize labs of 2, 50 and 200 real servers.
 *
 *   npm run bench:synth            prints a table and rewrites bench/synth.md
 *
 * Each size runs in its own child process so peak RSS belongs to that size alone; each is
 * repeated and the median reported. Compare the ratios within one run: this machine is noisy.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SIZES = [2, 50, 200];
const REPEATS = 3;

interface Sample {
  readonly realServers: number;
  readonly synthMs: number;
  readonly peakRssMiB: number;
  readonly resources: number;
}

/** Child mode: synthesize one lab and print one JSON sample. */
function child(realServers: number): void {
  // Loaded here so the parent's imports do not count against the child's memory.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { App } = require('../constructs/engine') as typeof import('../constructs/engine');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LvsDrLabStack } = require('../constructs') as typeof import('../constructs');
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-bench-'));
  // 192.168.20.0/24: .1 gateway, .140 VIP, .141/.142 directors; real servers fill the rest.
  const free = Array.from({ length: 253 }, (_, i) => i + 2).filter((h) => ![140, 141, 142].includes(h));
  const lab = {
    realServers: free.slice(0, realServers).map((host, i) => ({ name: `rs-${i + 1}`, address: `192.168.20.${host}` })),
  };
  const start = process.hrtime.bigint();
  const app = new App({ outdir });
  new LvsDrLabStack(app, 'bench', { lab });
  app.synth();
  const synthMs = Number(process.hrtime.bigint() - start) / 1e6;
  const json = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bench', 'cdk.tf.json'), 'utf8'));
  const resources = Object.values(json.resource as Record<string, object>).reduce((n, byName) => n + Object.keys(byName).length, 0);
  fs.rmSync(outdir, { recursive: true, force: true });
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ realServers, synthMs, peakRssMiB, resources } satisfies Sample));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function parent(): void {
  const rows: Sample[] = [];
  for (const size of SIZES) {
    const samples: Sample[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, '--child', String(size)], {
        encoding: 'utf8',
        env: { ...process.env, CHECKPOINT_DISABLE: '1' },
      });
      samples.push(JSON.parse(out) as Sample);
    }
    rows.push({
      realServers: size,
      synthMs: median(samples.map((s) => s.synthMs)),
      peakRssMiB: median(samples.map((s) => s.peakRssMiB)),
      resources: samples[0].resources,
    });
  }
  const base = rows[0];
  const table = [
    '| real servers | resources | synth (ms, median of 3) | × 2-server time | peak RSS (MiB) | × 2-server RSS |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.realServers} | ${r.resources} | ${r.synthMs.toFixed(0)} | ${(r.synthMs / base.synthMs).toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ${(r.peakRssMiB / base.peakRssMiB).toFixed(2)} |`,
    ),
  ].join('\n');
  console.log(table);
  const doc = [
    '# Synth benchmark',
    '',
    'Time for `new App()` + `LvsDrLabStack` + `app.synth()` (config resolution, validation, rendering every',
    "VM's cloud-init, writing the stack), and the child process's peak RSS (node + cdktf included), for the",
    'reference lab with 2, 50 and 200 real servers. Written by `npm run bench:synth`; compare ratios within a run.',
    '',
    `Last run: ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}.`,
    '',
    table,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'synth.md'), doc);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) child(Number(process.argv[childIndex + 1]));
else parent();
