/**
 * Where the app keeps each lab on this machine. Both places are named after the lab, so labs
 * with different names deploy side by side and are destroyed independently:
 *
 * - its terraform state, `terraform.<name>.tfstate` in the repository root (`LAB_STATE_FILE`
 *   names another file);
 * - its synth directory, `cdktf.out/labs/<name>` (scripts/cdktf.sh hands it to cdktf): when it
 *   synthesizes, cdktf deletes the directories of other stacks from its output directory, and a
 *   stack directory is terraform's working directory for that lab (its backend settings, the
 *   seed ISOs being uploaded), so two labs never share one.
 *
 * Paths are absolute: terraform runs inside the stack directory, where a relative state path
 * would name a file in cdktf.out.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (this file's directory). */
export const REPO_ROOT = __dirname;

/** Environment variable naming a state file of the user's choice. */
export const LAB_STATE_FILE_ENV = 'LAB_STATE_FILE';

/**
 * The state every lab shared before each had its own: cdktf's default for the app's stack
 * (`terraform.<stack id>.tfstate`).
 */
export const SHARED_STATE_FILE = 'terraform.lvs-dr-lab.tfstate';

/** A state file the app will not use or pass over: it holds a lab the deploy would not manage. */
export class LabStateError extends Error {
  /** @param reason - what is wrong with the file, without its name (`a directory, not a file`) */
  constructor(message: string, public readonly reason: string = message) {
    super(message);
    this.name = 'LabStateError';
  }
}

/** `<root>/terraform.<name>.tfstate`: the lab's own state file. */
export function labStateFile(labName: string, root: string = REPO_ROOT): string {
  return path.join(root, `terraform.${labName}.tfstate`);
}

/** `<root>/cdktf.out/labs/<name>`: the lab's own synth directory. */
export function labOutdir(labName: string, root: string = REPO_ROOT): string {
  return path.join(root, 'cdktf.out', 'labs', labName);
}

/**
 * The state file a deploy of this lab uses: `LAB_STATE_FILE` when set (relative to the
 * repository root), else the lab's own.
 *
 * @throws LabStateError when, without LAB_STATE_FILE, the shared state of older versions still
 *   holds a lab: deploying would create a second copy beside it, and destroying would report
 *   success while it keeps running.
 */
export function stateFileFor(labName: string, env: NodeJS.ProcessEnv = process.env, root: string = REPO_ROOT): string {
  const explicit = env[LAB_STATE_FILE_ENV]?.trim();
  if (explicit) return path.resolve(root, explicit);
  const own = labStateFile(labName, root);
  const shared = path.join(root, SHARED_STATE_FILE);
  const held = readState(shared);
  if (held && held.resources > 0 && !(own === shared && held.lab === labName)) {
    const lab = held.lab ?? '<its name>';
    throw new LabStateError(
      `${shared} holds lab ${held.lab ? `"${held.lab}"` : 'of unknown name'} (${held.resources} resources), deployed when every lab shared ` +
        `that state file. Each lab now has its own: rename it to terraform.${lab}.tfstate, then deploy or destroy that lab as ` +
        `usual (LAB_CONFIG=<its config> npm run destroy).`,
    );
  }
  return own;
}

/** A lab with a state file in the repository root. */
export interface LabState {
  readonly name: string;
  readonly stateFile: string;
  /** Resources in the state: 0 once the lab is destroyed (terraform keeps the empty file). */
  readonly resources: number;
  /** Why the state file cannot be read (resources is then 0): it is a directory, not JSON, ... */
  readonly problem?: string;
}

/** Every `terraform.<name>.tfstate` in the root, by name (backups aside); a broken one is listed with its problem. */
export function listLabStates(root: string = REPO_ROOT): LabState[] {
  return fs
    .readdirSync(root)
    .flatMap((file): LabState[] => {
      const match = /^terraform\.(.+)\.tfstate$/.exec(file);
      if (!match) return [];
      const stateFile = path.join(root, file);
      try {
        const state = readState(stateFile);
        return state ? [{ name: match[1], stateFile, resources: state.resources }] : [];
      } catch (error) {
        if (!(error instanceof LabStateError)) throw error;
        return [{ name: match[1], stateFile, resources: 0, problem: error.reason }];
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The resources of a terraform state file and the lab they belong to (read from its pool,
 * `<lab>-pool`, or network, `<lab>-net`); undefined when there is no such file.
 */
function readState(file: string): { resources: number; lab?: string } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const broken = (reason: string) => new LabStateError(`${file} is not a terraform state file (${reason})`, reason);
  if (!fs.statSync(file).isFile()) throw broken('not a regular file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw broken(`unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let state: { resources?: { type?: string; instances?: { attributes?: { name?: unknown } }[] }[] } | null;
  try {
    state = JSON.parse(text);
  } catch {
    throw broken('not JSON');
  }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) throw broken('not a JSON object');
  const resources = Array.isArray(state.resources) ? state.resources : [];
  const nameOf = (type: string, suffix: string) => {
    const name = resources.find((r) => r.type === type)?.instances?.[0]?.attributes?.name;
    return typeof name === 'string' && name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
  };
  return { resources: resources.length, lab: nameOf('libvirt_pool', '-pool') ?? nameOf('libvirt_network', '-net') };
}
