/**
 * Reads a lab config file (YAML or JSON) and resolves it, validated once, so a bad file fails
 * before anything is synthesized, with every problem listed. The app, the doctor and the CLI
 * pass the resolved lab on (LvsDrCluster's `resolvedLab`): nothing parses the file again.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { parse as parseYaml, YAMLError } from 'yaml';
import { LabConfigError, labProblem } from './problems';
import { parseLab, type ResolvedLab } from './resolve';
import type { LabConfig } from './schema';

/** Environment variable naming the lab config file. */
export const LAB_CONFIG_ENV = 'LAB_CONFIG';

/** Rule ids of the problems with the file itself (before its content is checked). */
export const FILE_RULES = { file: 'file', syntax: 'syntax' } as const;

/** A lab config file, loaded. */
export interface LoadedLab {
  /** The config as written (a relative `image.source` made absolute); `{}` without a file. */
  readonly config: LabConfig;
  /** The lab resolved from it: every field and rule checked, every default applied. */
  readonly lab: ResolvedLab;
}

/**
 * Loads a lab config and resolves it (validated once).
 *
 * @param path - a `.yaml`, `.yml` or `.json` file; omitted means `{}` (the reference topology)
 * @throws LabConfigError naming the file: unreadable, unparsable (with the line), or invalid
 */
export function loadLab(path?: string): LoadedLab {
  const config = path === undefined ? {} : readLabConfigFile(path);
  const result = parseLab(config);
  if (!result.ok) throw new LabConfigError(result.problems, path);
  return { config: result.config, lab: result.lab };
}

/** Loads the file named by LAB_CONFIG; unset or empty means `{}` (the reference topology). */
export function labFromEnv(env: NodeJS.ProcessEnv = process.env): LoadedLab {
  const path = env[LAB_CONFIG_ENV]?.trim();
  return loadLab(path ? path : undefined);
}

/**
 * Loads and validates a lab config: {@link loadLab}'s config, for callers that want the config
 * as written (resolve it with `resolveLabConfig`, or take `loadLab(path).lab` to validate once).
 *
 * @param path - a `.yaml`, `.yml` or `.json` file; omitted means `{}` (the reference topology)
 * @throws LabConfigError naming the file: unreadable, unparsable (with the line), or invalid
 */
export function loadLabConfig(path?: string): LabConfig {
  return loadLab(path).config;
}

/** {@link labFromEnv}'s config: the file named by LAB_CONFIG; unset or empty means `{}`. */
export function labConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LabConfig {
  return labFromEnv(env).config;
}

/** The config in the file, parsed, not yet validated. */
function readLabConfigFile(path: string): unknown {
  const raw = parseLabConfigFile(path);
  // An empty file (or a lone `---`) means "all defaults".
  return resolveImagePath(raw === null || raw === undefined ? {} : raw, path);
}

function parseLabConfigFile(path: string): unknown {
  const extension = nodePath.extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    throw fileError(FILE_RULES.file, path, path, path, 'a .yaml, .yml or .json file');
  }
  const text = readConfigText(path);
  return extension === '.json' ? parseJson(path, text) : parseYamlText(path, text);
}

/** The largest lab config file: a lab with hundreds of VMs fits in a tenth of it. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const REGULAR_FILE = `a regular file of at most ${MAX_CONFIG_BYTES / 1024 / 1024} MiB (not a directory, device, FIFO or symbolic link: name the file itself)`;

/** What a file that is not a regular file is, for problems. */
function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * The text of a config file, read only when it is a regular file (never followed through a
 * symbolic link: a problem echoes a line of the file, which must be one the user named) of at
 * most MAX_CONFIG_BYTES. The file is opened without following a link and without blocking (a
 * FIFO with no writer would block forever), and checked again once open.
 */
function readConfigText(path: string): string {
  const refuse = (why: string) => fileError(FILE_RULES.file, path, path, path, REGULAR_FILE, why);
  const check = (stat: fs.Stats) => {
    if (!stat.isFile()) throw refuse(`it is ${kindOf(stat)}`);
    if (stat.size > MAX_CONFIG_BYTES) throw refuse(`it holds ${stat.size} bytes`);
  };
  let fd: number;
  try {
    check(fs.lstatSync(path));
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    if (error instanceof LabConfigError) throw error;
    throw fileError(FILE_RULES.file, path, path, path, 'a readable file', (error as Error).message);
  }
  try {
    check(fs.fstatSync(fd));
    // Read at most one byte past the cap: the file may have grown since fstat.
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buffer.length; length += n) n = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CONFIG_BYTES) throw refuse(`it holds more than ${MAX_CONFIG_BYTES} bytes`);
    return buffer.toString('utf8', 0, length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Aliases a lab config may use: far more than any lab needs, far fewer than a "billion laughs" document. */
const MAX_YAML_ALIASES = 100;

function parseYamlText(path: string, text: string): unknown {
  try {
    // yaml 2.x parses YAML 1.2 (core schema: `yes` stays a string) and rejects duplicate keys.
    return parseYaml(text, { prettyErrors: true, maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    if (error instanceof YAMLError) {
      const line = error.linePos?.[0];
      const where = line ? `${path}:${line.line}:${line.col}` : path;
      // prettyErrors appends " at line L, column C:" and a code excerpt; the location is already in `where`.
      const summary = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw fileError(FILE_RULES.syntax, path, where, line ? lineOf(text, line.line) : text, 'valid YAML', summary);
    }
    // The yaml library stops an alias bomb ("Excessive alias count indicates a resource
    // exhaustion attack") with a plain ReferenceError: still a problem with the file.
    if (error instanceof Error && /alias/i.test(error.message)) {
      throw fileError(FILE_RULES.syntax, path, path, `${text.length} characters`, `YAML with at most ${MAX_YAML_ALIASES} alias expansions`, error.message);
    }
    throw error;
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // Node reports a character offset ("... at position 42"); turn it into line:column.
    const position = /position (\d+)/.exec(message);
    if (!position) throw fileError(FILE_RULES.syntax, path, path, text, 'valid JSON', message);
    const before = text.slice(0, Number(position[1])).split('\n');
    const where = `${path}:${before.length}:${before[before.length - 1].length + 1}`;
    throw fileError(FILE_RULES.syntax, path, where, lineOf(text, before.length), 'valid JSON', message);
  }
}

/** The problem's value is the offending line, so the message shows what was written. */
function fileError(rule: string, path: string, where: string, value: string, allowed: string, why?: string): LabConfigError {
  return new LabConfigError([labProblem(rule, where, value, allowed, why)], path);
}

function lineOf(text: string, line: number): string {
  return text.split(/\r?\n/)[line - 1] ?? '';
}

/** A relative `image.source` in a file means relative to that file (the provider would read it
 *  relative to terraform's working directory, deep inside cdktf.out). */
function resolveImagePath(config: unknown, file: string): unknown {
  if (typeof config !== 'object' || config === null) return config;
  const image = (config as { image?: unknown }).image;
  if (typeof image !== 'object' || image === null) return config;
  const source = (image as { source?: unknown }).source;
  if (typeof source !== 'string' || source === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || nodePath.isAbsolute(source)) return config;
  return { ...config, image: { ...image, source: nodePath.resolve(nodePath.dirname(file), source) } };
}
