/**
 * The lab as the e2e deploys it: the user's config with only this machine's overrides, what the
 * internet stand-in serves for it, and `cdktf deploy | destroy` run inside the lab namespace as a
 * user runs them (scripts/cdktf.sh).
 *
 * The lab is deployed as its config says — network mode, image source and image mode — with
 * only what this machine cannot provide overridden: domain type qemu, the sandbox's libvirt URI
 * and pool, a per-run ssh key, and the signing key of the sandbox's package repository (Debian's
 * signatures cannot be had offline). The internet the config points at (image URL, package
 * mirror) is stood in for inside the sandbox (e2e/internet.ts).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type LabConfig, type ResolvedLab, labConfigFromEnv, resolveLabConfig } from '../lab';
import { CheckFailed, waitFor } from './context';
import type { Site } from './internet';
import { labDomains } from './lab-state';
import { now, run, type Run, type Sandbox } from './sandbox';
import { imageOf, type Settings } from './settings';

const root = path.resolve(__dirname, '..');
/** Debian's archive, what an image without `packages.mirror` installs from. */
const DEBIAN_ARCHIVE = 'http://deb.debian.org/debian';

/**
 * The user's lab with only this machine's overrides applied: domain type, libvirt URI and
 * pool, the ssh key (a config that lists keys gets the run's key instead; one that lists none
 * keeps none, and the deploy authorizes the user's default key, which is the run's key in the
 * HOME the run gives cdktf: {@link defaultKeyHome}), and — when the VMs install packages — the
 * sandbox repository's signing key (trusted for the config's mirror, or for Debian's archive URL
 * the image would use anyway).
 */
export function e2eLabConfig(settings: Settings, base: LabConfig, sshPublicKey: string, repoKey: string): LabConfig {
  const installs = !(base.image?.preinstalled ?? false);
  const listsKeys = (base.ssh?.authorizedKeys ?? []).length > 0;
  return {
    ...base,
    libvirtUri: settings.uri,
    domainType: 'qemu',
    storagePoolPath: path.join(settings.poolDir, base.name ?? 'lvs-lab'),
    ssh: { ...base.ssh, user: base.ssh?.user ?? 'lab', ...(listsKeys ? { authorizedKeys: [sshPublicKey] } : {}) },
    ...(installs ? { packages: { ...base.packages, mirror: base.packages?.mirror ?? DEBIAN_ARCHIVE, signingKey: repoKey } } : {}),
  };
}

/**
 * What the stand-in serves for this lab: the image at its URL (the image without the lab's
 * packages, or with them when the config says `preinstalled`), the repository at the mirror
 * URLs. Returns the sites and the image file the VMs boot.
 */
export function standInSites(settings: Settings, lab: ResolvedLab): { sites: Site[]; image: string } {
  const sites: Site[] = [];
  let image = lab.image.source;
  if (/^https?:\/\//.test(lab.image.source)) {
    image = imageOf(settings, lab.image.release, lab.image.preinstalled);
    sites.push({ url: lab.image.source, target: image });
  } else if (!fs.existsSync(lab.image.source)) {
    throw new CheckFailed(`image.source ${lab.image.source} does not exist on this machine`);
  }
  if (!lab.image.preinstalled && lab.network.mode !== 'nat' && lab.network.gateway === undefined) {
    throw new CheckFailed(
      `network.mode ${lab.network.mode} without network.gateway: the VMs have no way to a package mirror, but image.preinstalled is false ` +
        '(set network.gateway, use nat, or a preinstalled image)',
    );
  }
  if (lab.packages?.proxy !== undefined) {
    throw new CheckFailed(`packages.proxy ${lab.packages.proxy}: the sandbox has no proxy stand-in; use packages.mirror`);
  }
  for (const [url, dir] of [[lab.packages?.mirror, 'debian'], [lab.packages?.securityMirror, 'debian-security']] as const) {
    if (url === undefined) continue;
    if (!url.startsWith('http://')) throw new CheckFailed(`${url}: the VMs trust no stand-in TLS certificate; an e2e mirror must be http://`);
    sites.push({ url, target: path.join(settings.repo, dir) });
  }
  return { sites, image };
}

/**
 * The sites every lab of this sandbox needs (E2E_STANDIN_CONFIGS: the other labs' configs), so
 * that the first lab's stand-in serves the second as well.
 */
export function siblingSites(settings: Settings, sshPublicKey: string, repoKey: string): Site[] {
  return settings.standinConfigs.flatMap((file) =>
    standInSites(settings, resolveLabConfig(e2eLabConfig(settings, labConfigFromEnv({ LAB_CONFIG: file }), sshPublicKey, repoKey))).sites);
}

/**
 * The HOME cdktf and the doctor run with: `.ssh/id_ed25519` there is the run's key, the key a
 * user's deploy authorizes when the config lists none (app-lab.ts).
 */
export const defaultKeyHome = (settings: Settings) => path.join(settings.runDir, 'home');

export function makeDefaultKeyHome(settings: Settings): void {
  const dir = path.join(defaultKeyHome(settings), '.ssh');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.copyFileSync(settings.sshKey, path.join(dir, 'id_ed25519'));
  fs.chmodSync(path.join(dir, 'id_ed25519'), 0o600);
  fs.copyFileSync(`${settings.sshKey}.pub`, path.join(dir, 'id_ed25519.pub'));
}

/** The command line and environment of cdktf inside the lab namespace. */
function cdktfCommand(settings: Settings, command: 'deploy' | 'destroy', labFile: string, caFile?: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const cli = [path.join(root, 'scripts', 'cdktf.sh'), command, '--auto-approve', '--output', path.join(settings.runDir, 'cdktf.out')];
  return {
    args: ['netns', 'exec', settings.ns, 'bash', ...cli],
    env: {
      ...settings.env,
      // The provider (Go) trusts the stand-in's CA for https image URLs.
      ...(caFile ? { SSL_CERT_FILE: caFile } : {}),
      TERRAFORM_BINARY_NAME: settings.engine,
      HOME: defaultKeyHome(settings),
      ...settings.homeKept,
      LAB_CONFIG: labFile,
      LAB_CONSOLE_LOG_DIR: settings.logDir,
      LAB_STATE_FILE: path.join(settings.runDir, 'terraform.tfstate'),
      // the deploy waits for the lab as a user's does (lvs-lab wait), bounded as the run's readiness
      LAB_WAIT_TIMEOUT_SEC: String(settings.readyTimeoutSec),
      CHECKPOINT_DISABLE: '1',
      CI: '1',
      FORCE_COLOR: '0',
    },
  };
}

/** cdktf inside the lab namespace, where the provider reaches libvirt and the internet stand-in. */
export function cdktf(settings: Settings, command: 'deploy' | 'destroy', labFile: string, timeoutSec: number, caFile?: string): Run & { seconds: number } {
  const start = now();
  const c = cdktfCommand(settings, command, labFile, caFile);
  const r = run('ip', c.args, { timeoutSec, env: c.env });
  fs.appendFileSync(path.join(settings.logDir, `cdktf-${command}.log`), `${r.stdout}\n${r.stderr}\n`);
  return { ...r, seconds: now() - start };
}

/**
 * A `cdktf deploy` interrupted as an operator does it: Ctrl-C (SIGINT to its whole process
 * group, as a terminal sends it) once the lab's first VM exists. Returns what the VMs were then
 * and how the deploy ended.
 */
export async function interruptedDeploy(sb: Sandbox, lab: ResolvedLab, labFile: string, caFile?: string): Promise<{ exit: number | null; signal: string | null; domains: string[]; afterSec: number }> {
  const { args, env: cdktfEnv } = cdktfCommand(sb.settings, 'deploy', labFile, caFile);
  const logFile = path.join(sb.settings.logDir, 'cdktf-deploy-interrupted.log');
  const out = fs.openSync(logFile, 'a');
  const start = now();
  const proc = spawn('ip', args, { env: cdktfEnv, stdio: ['ignore', out, out], detached: true });
  const ended = new Promise<{ exit: number | null; signal: string | null }>((resolve) => proc.on('exit', (exit, signal) => resolve({ exit, signal })));
  let finished: { exit: number | null; signal: string | null } | undefined;
  void ended.then((e) => (finished = e));
  const domains = await waitFor(`the interrupted deploy's first VM (see ${logFile})`, 600, () => {
    if (finished) throw new CheckFailed(`the deploy ended (exit ${finished.exit}) before any VM existed; see ${logFile}`);
    const d = labDomains(sb, lab);
    return d.length > 0 ? d : undefined;
  }, 250);
  const afterSec = now() - start;
  process.kill(-proc.pid!, 'SIGINT');
  const timeout = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, 180_000);
  const end = await ended;
  clearTimeout(timeout);
  fs.closeSync(out);
  return { ...end, domains, afterSec };
}
