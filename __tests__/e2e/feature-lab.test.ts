import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { drawFeatureLab, featureLabText, seedOfCommit } from '../../e2e/feature-lab';
import { loadLabConfig, resolveLabConfig, type LabConfig } from '../../lab';

const root = path.resolve(__dirname, '../..');
const BASE_FILE = path.join(root, 'e2e/lab-multicast.yaml');
const base = parse(fs.readFileSync(BASE_FILE, 'utf8')) as Record<string, unknown>;
const SEEDS = Array.from({ length: 200 }, (_, i) => (i * 2654435761) >>> 0);

describe('the e2e feature lab drawn from a seed (e2e/feature-lab.ts)', () => {
  test('every one of 200 seeds gives a lab the rules accept (drawFeatureLab throws otherwise) with every feature of the base', () => {
    for (const seed of SEEDS) {
      const lab = resolveLabConfig(drawFeatureLab(base, seed).config as LabConfig);
      const fwmark = lab.services.find((s) => s.fwmark !== undefined)!;
      expect(lab.vrrp.fastFailover && lab.vrrp.transport === 'multicast' && lab.vrrp.trackScript !== undefined).toBe(true);
      expect(fwmark.sorryServer && fwmark.inhibitOnFailure && fwmark.quorum !== undefined && fwmark.miscCheck !== undefined).toBe(true);
      expect(fwmark.persistenceTimeoutSec).toBeGreaterThan(0);
      expect(fwmark.tlsPorts).toHaveLength(1);
      expect(fwmark.healthCheck.type).toBe('https');
      expect(fwmark.miscCheck!.command.join(' ')).toMatch(new RegExp(`:(\\{port\\}|${fwmark.ports[0]})/ready$`));
      expect(lab.services.some((s) => s.vip.includes(':'))).toBe(true);
      expect(lab.services).toHaveLength(3);
      expect(lab.network.mode).toBe('bridge');
    }
  });

  test('the draws cover every value of every dimension, port 80 and three real servers included', () => {
    const seen = new Map<string, Set<string>>();
    for (const seed of SEEDS) {
      const lab = resolveLabConfig(drawFeatureLab(base, seed).config as LabConfig);
      const fwmark = lab.services.find((s) => s.fwmark !== undefined)!;
      const add = (k: string, v: unknown) => seen.set(k, (seen.get(k) ?? new Set()).add(String(v)));
      add('ports', fwmark.ports.join('/'));
      add('scheduler', fwmark.scheduler);
      add('persistence', fwmark.persistenceTimeoutSec);
      add('advert', lab.vrrp.advertIntSec);
      add('realServers', lab.realServers.length);
    }
    expect([...seen.get('ports')!].sort()).toEqual(['80/443', '80/8443', '8000/8443', '8080/8443']);
    expect([...seen.get('scheduler')!].sort()).toEqual(['lc', 'rr', 'sh', 'wlc', 'wrr']);
    expect([...seen.get('persistence')!].sort()).toEqual(['120', '300', '60']);
    expect([...seen.get('advert')!].sort()).toEqual(['0.1', '0.2']);
    expect([...seen.get('realServers')!].sort()).toEqual(['2', '3']);
  });

  test('a seed replays: the same seed, the same lab; another seed, another lab', () => {
    expect(drawFeatureLab(base, 42)).toEqual(drawFeatureLab(base, 42));
    const labs = new Set(SEEDS.slice(0, 20).map((s) => JSON.stringify(drawFeatureLab(base, s).config)));
    expect(labs.size).toBeGreaterThan(15);
  });

  test('a commit id gives its seed (the first 8 hex digits); anything else is refused', () => {
    expect(seedOfCommit('67f6064a0b1c')).toBe(0x67f6064a);
    expect(() => seedOfCommit('main')).toThrow("not a commit id: 'main'");
  });

  test('the CLI writes a lab file that names its seed and loads as a valid lab', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-feature-lab-'));
    try {
      const out = path.join(dir, 'lab.yaml');
      const printed = execFileSync('node', ['-r', 'ts-node/register/transpile-only', 'e2e/feature-lab.ts', BASE_FILE, '1234', out], { cwd: root, encoding: 'utf8' });
      const text = fs.readFileSync(out, 'utf8');
      expect(text.split('\n')[1]).toBe('# Replay: E2E_LAB_SEED=1234 npm run test:e2e');
      expect(printed).toContain(drawFeatureLab(base, 1234).choices.fwmark);
      expect(loadLabConfig(out)).toEqual(drawFeatureLab(base, 1234).config);
      expect(text).toBe(featureLabText(drawFeatureLab(base, 1234), BASE_FILE));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
