/**
 * What one e2e run is told by e2e/run.sh, read once from the environment at the entry point
 * (e2e/runner.ts) into a typed object; nothing else in e2e/ reads `process.env`.
 */
import * as path from 'node:path';

/**
 * The fault drills an operator causes, beyond the MASTER crash every lab gets. e2e/run.sh spreads
 * them over the matrix (E2E_DRILLS per lab); a lab run on its own gets all of them. What each
 * does is said in its module, e2e/drills/<name>.ts.
 */
export const ALL_DRILLS = ['backup-crash', 'rs-reboot', 'libvirtd-restart', 'interrupted-deploy', 'link-down', 'broken-mirror'] as const;
export type Drill = (typeof ALL_DRILLS)[number];

/** Two labs in one sandbox: this one's place in the handoff (e2e/side-by-side.ts). */
export interface Handoff {
  readonly dir: string;
  readonly role: 'first' | 'second';
}

export interface Settings {
  /** The lab namespace (libvirtd, bridges, the VMs' taps). */
  readonly ns: string;
  /** The internet stand-in's namespace and address. */
  readonly wanNs: string;
  readonly wanIp: string;
  /** This lab's client host: '' for the sandbox's own, or the suffix of one added for a second lab (E2E_CLIENT). */
  readonly clientSuffix: string;
  readonly clientNs: string;
  readonly uri: string;
  readonly runId: string;
  /** This lab's files (state, synth, logs, captures): its own directory when the sandbox holds two labs. */
  readonly runDir: string;
  readonly logDir: string;
  readonly poolDir: string;
  /**
   * The stand-in images e2e/run.sh built for the Debian releases of its labs, by release:
   * without the lab's packages (E2E_IMAGE_CLOUD_<release>) and with them (E2E_IMAGE_LAB_<release>).
   */
  readonly images: ReadonlyMap<number, { readonly cloud?: string; readonly lab?: string }>;
  /** The sandbox's Debian repository (E2E_REPO). */
  readonly repo: string;
  /** The per-run ssh key (E2E_SSH_KEY; its `.pub` beside it). */
  readonly sshKey: string;
  /** terraform or tofu (TERRAFORM_BINARY_NAME). */
  readonly engine: string;
  /** The CLI that deploys and destroys the lab (scripts/cdktf.sh: cdktf, or cdktn with its library). */
  readonly cli: string;
  readonly readyTimeoutSec: number;
  readonly drills: ReadonlySet<Drill>;
  /** E2E_BASELINE: '1' the run measures (no interruption drill), '0' no baseline/reference boots. */
  readonly baseline: string | undefined;
  /** LAB_CONFIG, or '(built-in default)'. */
  readonly configSource: string;
  readonly handoff: Handoff | undefined;
  /** The other labs' configs, whose sites this lab's stand-in serves too (E2E_STANDIN_CONFIGS). */
  readonly standinConfigs: readonly string[];
  /** The stand-in of the lab beside this one, to attach to (E2E_SHARED_INTERNET). */
  readonly sharedInternet: string | undefined;
  /** The fast-failover steady-state window (E2E_FAST_QUIET_SEC). */
  readonly fastQuietSec: number;
  /** What a changed HOME must not move: the provider build cached by scripts/provider.sh, npm's cache. */
  readonly homeKept: { readonly LVS_LAB_CACHE: string; readonly npm_config_cache: string };
  /** The environment as read, passed on to the programs the run starts (cdktf, lvs-lab). */
  readonly env: NodeJS.ProcessEnv;
}

/** A problem with the environment: the run cannot start (exit 2). */
export class SettingsError extends Error {}

/** E2E_DRILLS: `all` (default), `none`, or a comma list. */
export function parseDrills(value: string | undefined): Set<Drill> {
  const asked = (value ?? 'all').split(',').map((d) => d.trim()).filter(Boolean);
  if (asked.length === 1 && asked[0] === 'all') return new Set(ALL_DRILLS);
  if (asked.length === 1 && asked[0] === 'none') return new Set();
  const unknown = asked.filter((d) => !(ALL_DRILLS as readonly string[]).includes(d));
  if (unknown.length > 0) {
    throw new SettingsError(`E2E_DRILLS: unknown drill(s) ${unknown.join(', ')}; allowed: all, none, or a comma list of ${ALL_DRILLS.join(', ')}`);
  }
  return new Set(asked as Drill[]);
}

/** E2E_IMAGE_CLOUD_<release> and E2E_IMAGE_LAB_<release>, by release. */
function readImages(env: NodeJS.ProcessEnv): Map<number, { cloud?: string; lab?: string }> {
  const images = new Map<number, { cloud?: string; lab?: string }>();
  for (const [name, value] of Object.entries(env)) {
    const m = /^E2E_IMAGE_(CLOUD|LAB)_(\d+)$/.exec(name);
    if (!m || !value) continue;
    const release = Number(m[2]);
    images.set(release, { ...images.get(release), [m[1] === 'LAB' ? 'lab' : 'cloud']: value });
  }
  return images;
}

/** The stand-in image of a Debian release, without the lab's packages or with them. */
export function imageOf(settings: Settings, release: number, preinstalled: boolean): string {
  const variant = preinstalled ? 'LAB' : 'CLOUD';
  const image = settings.images.get(release)?.[preinstalled ? 'lab' : 'cloud'];
  if (!image) throw new SettingsError(`E2E_IMAGE_${variant}_${release} is not set: e2e/run.sh builds the images of the releases its labs name`);
  return image;
}

/** Reads the run's settings; throws naming the first variable e2e/run.sh should have set. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new SettingsError(`${name} is not set: start the e2e run with \`npm run test:e2e\``);
    return value;
  };
  const ns = need('LVSLAB_NS');
  const wanNs = need('LVSLAB_WAN_NS');
  const wanIp = need('LVSLAB_WAN_IP');
  const clientSuffix = env.E2E_CLIENT ?? '';
  const clientNs = clientSuffix ? `${ns}-${clientSuffix}` : need('LVSLAB_CLIENT_NS');
  const uri = need('LVSLAB_URI');
  const runDir = env.E2E_LAB_DIR || need('LVSLAB_RUN_DIR');
  const home = env.HOME || '/root';
  const handoffDir = env.E2E_HANDOFF_DIR || undefined;
  return {
    ns, wanNs, wanIp, clientSuffix, clientNs, uri, runDir,
    runId: need('LVSLAB_RUNID'),
    logDir: path.join(runDir, 'logs'),
    poolDir: need('LVSLAB_POOL_DIR'),
    images: readImages(env),
    repo: need('E2E_REPO'),
    engine: env.TERRAFORM_BINARY_NAME || 'terraform',
    cli: env.LAB_CLI || 'cdktf',
    sshKey: need('E2E_SSH_KEY'),
    readyTimeoutSec: Number(env.E2E_READY_TIMEOUT_SEC ?? 1200),
    drills: parseDrills(env.E2E_DRILLS),
    baseline: env.E2E_BASELINE,
    configSource: env.LAB_CONFIG ?? '(built-in default)',
    handoff: handoffDir ? { dir: handoffDir, role: env.E2E_HANDOFF_ROLE as 'first' | 'second' } : undefined,
    standinConfigs: (env.E2E_STANDIN_CONFIGS ?? '').split(':').filter(Boolean),
    sharedInternet: env.E2E_SHARED_INTERNET || undefined,
    fastQuietSec: Number(env.E2E_FAST_QUIET_SEC ?? 120),
    homeKept: {
      LVS_LAB_CACHE: env.LVS_LAB_CACHE || path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'lvs-dr-lab'),
      npm_config_cache: env.npm_config_cache || path.join(home, '.npm'),
    },
    env: { ...env },
  };
}
