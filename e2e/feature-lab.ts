/**
 * The e2e's feature lab, drawn from a seed.
 *
 * The matrix proves each keepalived feature in one combination, and defects have lived in
 * others (a sorry server refused on port 80 with `sh` and persistence; a fast failover that took
 * a second with other adverts and priorities). So the bridged lab of the matrix is not one fixed
 * file: every run takes its base (`e2e/lab-multicast.yaml`, which holds every feature) and draws,
 * from a seed, the values the features come with: the firewall-mark service's ports (80/443
 * among them), its scheduler and persistence, the other services' schedulers, the advert
 * interval and priorities of the fast failover (within what the rules accept), the IPv6 VIP's
 * address, and two or three real servers with their weights. Every feature stays in every draw,
 * so every run still proves all of them; what changes is the combination.
 *
 * `e2e/run.sh` takes the seed from E2E_LAB_SEED, else from the commit under test (the same
 * commit replays the same lab), prints it, and writes the lab with the seed and its draws at the
 * top. Replay one: `E2E_LAB_SEED=<n> npm run test:e2e`.
 *
 *   node -r ts-node/register/transpile-only e2e/feature-lab.ts BASE.yaml SEED OUT.yaml
 */
import * as fs from 'node:fs';
import { parse, stringify } from 'yaml';
import { validateLabConfig } from '../lab';

type Loose = Record<string, unknown>;

/** One draw: what the seed chose, for the log, the lab file's header and bench/e2e.md. */
export interface FeatureLabDraw {
  readonly seed: number;
  readonly config: Loose;
  readonly choices: Readonly<Record<string, string>>;
}

/** mulberry32: small, fast and the same in every Node version. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The values each feature is drawn with. Ports: the web service's and the sorry site's ports
// on both sides of the privileged boundary (80/443 is what users deploy). Persistence is never 0:
// persistence across the marked ports is one of the features the lab proves.
const FWMARK_PORTS: readonly (readonly [number, number])[] = [[8080, 8443], [80, 443], [8000, 8443], [80, 8443]];
const FWMARK_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sh'] as const;
const PERSISTENCE_SEC = [60, 120, 300] as const;
const PLAIN_SCHEDULERS = ['rr', 'wrr', 'wlc', 'lc'] as const;
const ADVERT_INT_SEC = [0.1, 0.2] as const;
/** MASTER/BACKUP priorities: fast failover's band (the rules say which delivers it). */
const PRIORITIES: readonly (readonly [number, number])[] = [[250, 240], [254, 200], [230, 220]];
const REAL_SERVER_WEIGHTS: readonly (readonly number[])[] = [[3, 1], [1, 1], [2, 1, 1], [1, 2, 3]];
const IPV6_VIPS = ['fd77::10', 'fd77::80', 'fd77::1:10'] as const;

/** Draws the feature lab of `seed` from `base` (the parsed lab-multicast.yaml). */
export function drawFeatureLab(base: Loose, seed: number): FeatureLabDraw {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const config = structuredClone(base) as Loose;
  const vrrp = config.vrrp as Loose;
  const directors = config.directors as Loose[];
  const services = config.services as Loose[];
  const realServers = config.realServers as Loose[];
  const fwmark = services.find((s) => s.fwmark !== undefined);
  const ipv6 = services.find((s) => String(s.vip).includes(':'));
  const plain = services.find((s) => s !== fwmark && s !== ipv6);
  if (!fwmark || !ipv6 || !plain) throw new Error('feature lab base: needs a firewall-mark service, an IPv6 service and a plain one');

  const [httpPort, tlsPort] = pick(FWMARK_PORTS);
  const scheduler = pick(FWMARK_SCHEDULERS);
  const persistence = pick(PERSISTENCE_SEC);
  Object.assign(fwmark, { ports: [httpPort, tlsPort], tlsPorts: [tlsPort], scheduler, persistenceTimeoutSec: persistence });
  // The user's readiness check names {port}, which keepalived expands to the service's first port.
  // The plain service keeps a port of its own, clear of the marked ones.
  const plainPort = [8080, 8081].find((p) => p !== httpPort && p !== tlsPort)!;
  Object.assign(plain, { port: plainPort, scheduler: pick(PLAIN_SCHEDULERS) });
  Object.assign(ipv6, { vip: pick(IPV6_VIPS), scheduler: pick(PLAIN_SCHEDULERS) });

  const advert = pick(ADVERT_INT_SEC);
  const [high, low] = pick(PRIORITIES);
  vrrp.advertIntSec = advert;
  directors[0].priority = high;
  directors[1].priority = low;

  const weights = pick(REAL_SERVER_WEIGHTS);
  const template = realServers[0];
  const prefix = String(template.address).replace(/\.\d+$/, '');
  const firstOctet = Number(String(template.address).split('.').pop());
  const name = String(template.name).replace(/-\d+$/, '');
  config.realServers = weights.map((weight, i) => ({ name: `${name}-${i + 1}`, address: `${prefix}.${firstOctet + i}`, weight }));

  const choices = {
    fwmark: `ports ${httpPort}/${tlsPort} (TLS ${tlsPort}), ${scheduler}, persistence ${persistence} s`,
    plain: `port ${plainPort}, ${String(plain.scheduler)}`,
    ipv6: `${String(ipv6.vip)}, ${String(ipv6.scheduler)}`,
    vrrp: `advert ${advert} s, priorities ${high}/${low}`,
    realServers: `${weights.length}, weights ${weights.join(':')}`,
  };
  const problems = validateLabConfig(config);
  if (problems.length > 0) {
    throw new Error(`feature lab of seed ${seed} is refused by the rules (a bug in the draw): ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
  return { seed, config, choices };
}

/** The lab file: the seed and its draws on top, then the config. */
export function featureLabText(draw: FeatureLabDraw, baseFile: string): string {
  const header = [
    `# The e2e feature lab of seed ${draw.seed}, drawn from ${baseFile} by e2e/feature-lab.ts.`,
    `# Replay: E2E_LAB_SEED=${draw.seed} npm run test:e2e`,
    ...Object.entries(draw.choices).map(([k, v]) => `#   ${k}: ${v}`),
  ];
  return `${header.join('\n')}\n${stringify(draw.config, { lineWidth: 0 })}`;
}

/** A seed from a commit id: its first 8 hex digits. */
export function seedOfCommit(commit: string): number {
  if (!/^[0-9a-f]{8}/i.test(commit)) throw new Error(`not a commit id: '${commit}'`);
  return parseInt(commit.slice(0, 8), 16);
}

if (require.main === module) {
  const [baseFile, seedText, out] = process.argv.slice(2);
  if (!baseFile || !/^\d+$/.test(seedText ?? '') || !out) {
    process.stderr.write('usage: feature-lab.ts BASE.yaml SEED OUT.yaml (SEED a whole number)\n');
    process.exit(2);
  }
  const draw = drawFeatureLab(parse(fs.readFileSync(baseFile, 'utf8')) as Loose, Number(seedText));
  fs.writeFileSync(out, featureLabText(draw, baseFile));
  process.stdout.write(Object.entries(draw.choices).map(([k, v]) => `${k}: ${v}`).join('; ') + '\n');
}
