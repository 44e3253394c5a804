/**
 * The real tools run over many inputs at once, for the property-based tests: one keepalived
 * sandbox, one Python process for cloud-init, one shellcheck per shell dialect. Each takes the
 * same decision as the single-input helpers (keepalived.ts, cloud-init.ts, shellcheck.ts) at a
 * fraction of the process start-ups.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebianRelease } from '../../cloud-init/debian-release';
import { releaseRoot, releaseScratch, runInRelease } from './debian-release';
import type { NotifyHook } from './keepalived';
import type { NetnsSandbox } from './netns';
import type { Loaded } from './round-trip';
import { requireTool } from './tools';

export interface ToolVerdict {
  /** 0 when the tool accepted the input. */
  readonly status: number;
  readonly output: string;
}

function scratchDir(kind: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lvslab-${kind}-`));
}

/**
 * `keepalived --config-test -f <conf>` for every config, inside `ns` (which has the lab interface), with the notify hook installed once,
 * by `release`'s keepalived (Debian 12: this machine's own; 13: chrooted into its root, see debian-release.ts).
 */
export function keepalivedConfigTestAll(ns: NetnsSandbox, confs: readonly string[], notify: NotifyHook, release: DebianRelease = 12): ToolVerdict[] {
  const root = releaseRoot(release);
  if (root === '/') requireTool('keepalived', 'keepalived');
  const scratch = releaseScratch(release, 'kt-batch');
  const dir = scratch.dir;
  try {
    confs.forEach((conf, i) => fs.writeFileSync(path.join(dir, `${i}.conf`), conf));
    fs.writeFileSync(path.join(dir, 'notify'), notify.content);
    const script = [
      'set -u',
      'root="$1" dir="$2" inside="$3" dest="$4" count="$5"',
      'in_root=()',
      'if [[ $root != / ]]; then',
      '    mount -t proc proc "$root/proc" && mount --bind /dev "$root/dev" || exit 97',
      '    in_root=(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)',
      'fi',
      'mount -t tmpfs -o mode=0755,size=1m lvslab-notify "${root%/}$(dirname "$dest")" || exit 97',
      'install -o root -g root -m 0755 "$dir/notify" "${root%/}$dest" || exit 97',
      'for (( i = 0; i < count; i++ )); do',
      '    "${in_root[@]}" keepalived --config-test -f "$inside/$i.conf" >"$dir/$i.out" 2>&1',
      '    echo $? >"$dir/$i.rc"',
      'done',
    ].join('\n');
    const run = ns.runPrivateMounts(script, [root, dir, scratch.inside, notify.path, String(confs.length)], { timeoutMs: 60_000 + confs.length * 2_000 });
    if (run.status !== 0) throw new Error(`keepalived batch failed (${run.status}): ${run.output}`);
    return confs.map((_, i) => ({
      status: Number(fs.readFileSync(path.join(dir, `${i}.rc`), 'utf8')),
      output: fs.readFileSync(path.join(dir, `${i}.out`), 'utf8'),
    }));
  } finally {
    scratch.remove();
  }
}

/** cloud-init's verdict on a user-data and what it makes of it. */
export interface CloudInitVerdict extends ToolVerdict {
  /** The /bin/sh script cc_runcmd writes from `runcmd` (util.shellify). */
  readonly runcmd: string;
  /** write_files entries that are scripts (content starting with `#!`), as PyYAML reads them. */
  readonly scripts: readonly { readonly path: string; readonly content: string }[];
  /** The user-data as cloud-init's YAML loader (safeyaml) reads it, or its error: see round-trip.ts. */
  readonly loaded: Loaded;
}

/*
 * What `cloud-init schema --config-file FILE` runs (handle_schema_args: validate_cloudconfig_file
 * against get_schema(); cloud-init 22.4.2 on Debian 12, 25.1 on 13), once per file in a single
 * interpreter. cloud-init 25.1 prints the deprecated keys it accepts: they count as refusals.
 */
const CLOUD_INIT_BATCH_PY = `
import contextlib, io, json, sys, yaml
from cloudinit import safeyaml, util
# What util.load_yaml calls: safeyaml.load in 22.4, yaml.safe_load in 25.1.
load_yaml = getattr(safeyaml, "load", yaml.safe_load)
from cloudinit.config.schema import SchemaValidationError, get_schema, validate_cloudconfig_file
schema = get_schema()
out = []
for f in sys.argv[2:]:
    error = None
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            validate_cloudconfig_file(f, schema, annotate=False)
        if "deprecat" in printed.getvalue():
            error = printed.getvalue()
    except (SchemaValidationError, RuntimeError) as e:
        error = str(e) + printed.getvalue()
    try:
        loaded = {"value": load_yaml(open(f, encoding="utf-8").read())}
    except Exception as e:
        loaded = {"error": "%s: %s" % (type(e).__name__, e)}
    cfg = loaded.get("value") if isinstance(loaded.get("value"), dict) else {}
    scripts = [{"path": w.get("path"), "content": w.get("content", "")} for w in cfg.get("write_files", []) if str(w.get("content", "")).startswith("#!")]
    out.append({"error": error, "runcmd": util.shellify(cfg.get("runcmd", [])), "scripts": scripts, "loaded": loaded})
with open(sys.argv[1], "w") as result:
    json.dump(out, result)
`;

/** cloud-init's schema verdict on every user-data, by `release`'s cloud-init (Debian 12: this machine's own; 13: chrooted into its root). */
export function cloudInitSchemaAll(userData: readonly string[], release: DebianRelease = 12): CloudInitVerdict[] {
  if (releaseRoot(release) === '/') requireTool('cloud-init', 'cloud-init');
  const scratch = releaseScratch(release, 'ci-batch');
  const dir = scratch.dir;
  try {
    const files = userData.map((text, i) => {
      fs.writeFileSync(path.join(dir, `${i}.user-data`), text);
      return scratch.file(`${i}.user-data`).inside;
    });
    const outFile = path.join(dir, 'verdicts.json');
    const result = runInRelease(release, ['/usr/bin/python3', '-c', CLOUD_INIT_BATCH_PY, scratch.file('verdicts.json').inside, ...files]);
    if (result.status !== 0) throw new Error(`cloud-init batch failed (${result.status}): ${result.stderr}`);
    const verdicts = JSON.parse(fs.readFileSync(outFile, 'utf8')) as { error: string | null; runcmd: string; scripts: { path: string; content: string }[]; loaded: Loaded }[];
    return verdicts.map((v) => ({ status: v.error === null ? 0 : 1, output: v.error ?? '', runcmd: v.runcmd, scripts: v.scripts, loaded: v.loaded }));
  } finally {
    scratch.remove();
  }
}

/** shellcheck (all checks, style level included) over every script; `shell` overrides the shebang. */
export function shellcheckAll(scripts: readonly { readonly content: string; readonly shell?: 'sh' | 'bash' }[]): ToolVerdict[] {
  requireTool('shellcheck', 'shellcheck');
  const dir = scratchDir('sc-batch');
  try {
    const files = scripts.map((script, i) => {
      const file = path.join(dir, `${i}.sh`);
      fs.writeFileSync(file, script.content);
      return file;
    });
    const findings = new Map<string, string[]>();
    for (const shell of ['sh', 'bash', undefined] as const) {
      const batch = files.filter((_, i) => scripts[i].shell === shell);
      if (batch.length === 0) continue;
      const result = spawnSync('shellcheck', ['--severity', 'style', '--format', 'gcc', ...(shell ? ['--shell', shell] : []), ...batch], {
        encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
      });
      if (result.status !== 0 && result.status !== 1) throw new Error(`shellcheck failed (${result.status}): ${result.stderr}`);
      for (const line of (result.stdout ?? '').split('\n').filter(Boolean)) {
        const file = line.slice(0, line.indexOf(':'));
        findings.set(file, [...(findings.get(file) ?? []), line]);
      }
    }
    return files.map((file) => {
      const lines = findings.get(file) ?? [];
      return { status: lines.length === 0 ? 0 : 1, output: lines.join('\n') };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
