import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEBIAN_RELEASE_FACTS, type DebianRelease } from '../../cloud-init/debian-release';
import { releaseRoot, releaseScratch, runInRelease } from './debian-release';
import { requireTool } from './tools';

function withTempFile<T>(name: string, content: string, use: (file: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-ci-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return use(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `cloud-init schema --config-file FILE` (cloud-init 22.4.2 on Debian 12: no --schema-type
 * yet, user-data only). Exit 0 and `Valid cloud-config: FILE` on stdout when valid; exit 1 and
 * "Cloud config schema errors: ..." on stderr otherwise. Note this version does not reject
 * unknown top-level keys, so tests also assert the keys they expect.
 */
export function cloudInitSchema(userData: string): { status: number | null; stdout: string; stderr: string; file: string } {
  requireTool('cloud-init', 'cloud-init');
  return withTempFile('user-data', userData, (file) => {
    const result = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', file };
  });
}

/** What cloud-init's own v2 parser and Debian's ENI renderer make of a network-config. */
export interface CloudInitNetworkView {
  /** The config as PyYAML (cloud-init's YAML loader, YAML 1.1) reads it. */
  readonly loaded: unknown;
  /** cloud-init's network_state interfaces. */
  readonly interfaces: Record<string, unknown>[];
  /** /etc/network/interfaces.d/50-cloud-init as the ENI renderer writes it. */
  readonly eni: string;
  /** The udev rule that renames the NIC matched by MAC. */
  readonly udevRules: string;
}

const NETWORK_VIEW_PY = `
import json, sys
from cloudinit import safeyaml
from cloudinit.net import eni, network_state
cfg = safeyaml.load(open(sys.argv[1]).read())
ns = network_state.parse_net_config_data(cfg, skip_broken=False)
renderer = eni.Renderer({})
print(json.dumps({
    "loaded": cfg,
    "interfaces": list(ns.iter_interfaces()),
    "eni": renderer._render_interfaces(ns),
    "udevRules": renderer._render_persistent_net(ns),
}, default=str))
`;

/**
 * Feeds a network-config through cloud-init's Python code (cloud-init 22.4.2 cannot validate
 * network-config with `cloud-init schema`): YAML loading, the v2 parser, and the ENI renderer
 * Debian 12 images use (ifupdown, no netplan).
 */
export function cloudInitNetworkView(networkConfig: string): CloudInitNetworkView {
  requireTool('cloud-init', 'cloud-init');
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python)) {
    throw new Error(`${python} not found: install it with \`apt-get install python3\` (cloud-init's interpreter)`);
  }
  return withTempFile('network-config', networkConfig, (file) => {
    const result = spawnSync(python, ['-c', NETWORK_VIEW_PY, file], { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`cloud-init could not parse the network-config:\n${result.stderr}`);
    }
    return JSON.parse(result.stdout) as CloudInitNetworkView;
  });
}

/** What Debian 13's cloud-init (25.1) and netplan (1.1) make of a network-config. */
export interface NetplanNetworkView {
  /** The config as cloud-init's YAML loader reads it. */
  readonly loaded: unknown;
  /** cloud-init's network_state interfaces. */
  readonly interfaces: Record<string, unknown>[];
  /** /etc/netplan/50-cloud-init.yaml as cloud-init's netplan renderer writes it. */
  readonly netplan: string;
  /** What `netplan generate` writes for systemd-networkd and udev, by file name (e.g. `10-netplan-lab0.network`). */
  readonly networkd: Record<string, string>;
  /** What `netplan generate` printed (its warnings, e.g. a deprecated key). */
  readonly generateOutput: string;
}

const NETPLAN_VIEW_PY = `
import json, os, sys, yaml
from cloudinit.net import netplan, network_state
cfg = yaml.safe_load(open(sys.argv[1]).read())  # what 25.1's util.load_yaml calls
ns = network_state.parse_net_config_data(cfg, skip_broken=False)
# The file cloud-init writes, under the target: its netplan API write would go to this root's /etc/netplan.
netplan.netplan_api_write_yaml_file = lambda content: False
netplan.Renderer({"netplan_path": "etc/netplan/50-cloud-init.yaml", "postcmds": False}).render_network_state(ns, target=sys.argv[2])
print(json.dumps({"loaded": cfg, "interfaces": list(ns.iter_interfaces())}, default=str))
`;

/**
 * Feeds a network-config through Debian 13's cloud-init (chrooted into its root: see
 * debian-release.ts), as trixie's genericcloud image does at boot: YAML loading, the v2 parser
 * and the netplan renderer, then `netplan generate` for systemd-networkd.
 */
export function cloudInitNetplanView(networkConfig: string): NetplanNetworkView {
  const scratch = releaseScratch(13, 'netplan');
  try {
    fs.writeFileSync(path.join(scratch.dir, 'network-config'), networkConfig);
    fs.mkdirSync(path.join(scratch.dir, 'target'));
    const target = scratch.file('target').inside;
    const parsed = runInRelease(13, ['/usr/bin/python3', '-c', NETPLAN_VIEW_PY, scratch.file('network-config').inside, target]);
    if (parsed.status !== 0) throw new Error(`cloud-init 25.1 could not render the network-config:\n${parsed.stderr}`);
    const generated = runInRelease(13, ['netplan', 'generate', '--root-dir', target]);
    if (generated.status !== 0) throw new Error(`netplan generate refused cloud-init's netplan config (${generated.status}):\n${generated.stderr}`);
    const networkdDir = path.join(scratch.dir, 'target', 'run', 'systemd', 'network');
    const networkd = Object.fromEntries((fs.existsSync(networkdDir) ? fs.readdirSync(networkdDir) : []).map((f) => [f, fs.readFileSync(path.join(networkdDir, f), 'utf8')]));
    return {
      ...(JSON.parse(parsed.stdout) as { loaded: unknown; interfaces: Record<string, unknown>[] }),
      netplan: fs.readFileSync(path.join(scratch.dir, 'target', 'etc', 'netplan', '50-cloud-init.yaml'), 'utf8'),
      networkd,
      generateOutput: `${generated.stdout}${generated.stderr}`,
    };
  } finally {
    scratch.remove();
  }
}

/** What apt would use after a first boot: the files of /etc/apt and the index files apt-get update would fetch. */
export interface AptAfterFirstBoot {
  /** Every file under /etc/apt but its keyrings, by path. */
  readonly files: Record<string, string>;
  /** The InRelease URIs `apt-get update --print-uris` names, sorted. */
  readonly releaseUris: readonly string[];
}

/*
 * The user-data's apt configuration applied as a Debian genericcloud image's first boot applies
 * it: the image's 01_debian_cloud.cfg (`apt: generate_mirrorlists: true`) merged under the
 * user-data by cloud-init's own merge, the write_files under /etc/apt written (init stage), then
 * cloud-init's apt_configure module (config stage), on an /etc/apt laid out as the image's.
 */
const APT_FIRST_BOOT_PY = `
import inspect, json, logging, os, subprocess, sys, yaml
from cloudinit import cloud, distros, helpers, safeyaml, util
from cloudinit.config import cc_apt_configure
from cloudinit.sources.DataSourceNone import DataSourceNone
load_yaml = getattr(safeyaml, "load", yaml.safe_load)
user_data = load_yaml(open(sys.argv[1]).read())
cfg = util.mergemanydict([user_data, {"apt": {"generate_mirrorlists": True}}])
for f in cfg.get("write_files", []):
    if f["path"].startswith("/etc/apt/"):
        util.write_file(f["path"], f.get("content", ""), mode=int(f.get("permissions", "0644"), 8))
paths = helpers.Paths({"cloud_dir": sys.argv[2]})
distro = distros.fetch("debian")("debian", {}, paths)
the_cloud = cloud.Cloud(DataSourceNone({}, distro, paths), paths, {}, distro, None)
if "log" in inspect.signature(cc_apt_configure.handle).parameters:
    cc_apt_configure.handle("apt_configure", cfg, the_cloud, logging.getLogger(), [])
else:
    cc_apt_configure.handle("apt_configure", cfg, the_cloud, [])
files = {}
for top, _, names in os.walk("/etc/apt"):
    for name in names:
        p = os.path.join(top, name)
        if "/trusted.gpg.d/" not in p:
            files[p] = open(p).read()
uris = subprocess.run(["apt-get", "update", "--print-uris"], capture_output=True, text=True, check=True).stdout
print(json.dumps({"files": files, "releaseUris": sorted(l.split("'")[1] for l in uris.splitlines() if l.startswith("'") and "/InRelease'" in l)}))
`;

/**
 * Applies the apt part of a user-data as `release`'s genericcloud image would at first boot (see
 * APT_FIRST_BOOT_PY), with the release's cloud-init and apt, in a private mount namespace whose
 * /etc/apt (and apt's lists and cache) are fresh tmpfs mounts: the image's deb822
 * debian.sources through mirror+file:// lists of deb.debian.org, and with `legacySourcesList` a
 * one-line /etc/apt/sources.list as well (an image made by debootstrap).
 */
export function aptAfterFirstBoot(release: DebianRelease, userData: string, opts: { legacySourcesList?: boolean } = {}): AptAfterFirstBoot {
  const root = releaseRoot(release);
  if (root === '/') requireTool('cloud-init', 'cloud-init');
  const { codename } = DEBIAN_RELEASE_FACTS[release];
  const scratch = releaseScratch(release, 'apt');
  try {
    fs.writeFileSync(path.join(scratch.dir, 'user-data'), userData);
    fs.writeFileSync(path.join(scratch.dir, 'first-boot.py'), APT_FIRST_BOOT_PY);
    const debianSources = [
      'Types: deb deb-src', 'URIs: mirror+file:///etc/apt/mirrors/debian.list', `Suites: ${codename} ${codename}-updates ${codename}-backports`,
      'Components: main', 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg', '',
      'Types: deb deb-src', 'URIs: mirror+file:///etc/apt/mirrors/debian-security.list', `Suites: ${codename}-security`,
      'Components: main', 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg', '',
    ].join('\n');
    fs.writeFileSync(path.join(scratch.dir, 'debian.sources'), debianSources);
    const legacy = opts.legacySourcesList ? `deb http://deb.debian.org/debian ${codename} main\n` : '';
    const script = [
      'set -eu',
      'root="$1" scratch="$2" inside="$3" legacy="$4"',
      'in_root=()',
      'if [[ $root != / ]]; then',
      '    mount -t proc proc "$root/proc"; mount --bind /dev "$root/dev"',
      '    in_root=(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)',
      'fi',
      'r=${root%/}',
      'cp -a "$r/etc/apt/trusted.gpg.d" "$scratch/trusted.gpg.d"',
      'for d in /etc/apt /var/lib/apt/lists /var/cache/apt; do mount -t tmpfs lvslab-apt "$r$d"; done',
      'mkdir -p "$r/etc/apt/sources.list.d" "$r/etc/apt/mirrors" "$r/etc/apt/apt.conf.d" "$r/etc/apt/preferences.d" "$r/var/lib/apt/lists/partial"',
      'cp -a "$scratch/trusted.gpg.d" "$r/etc/apt/trusted.gpg.d"',
      'cp "$scratch/debian.sources" "$r/etc/apt/sources.list.d/debian.sources"',
      'echo https://deb.debian.org/debian >"$r/etc/apt/mirrors/debian.list"',
      'echo https://deb.debian.org/debian-security >"$r/etc/apt/mirrors/debian-security.list"',
      '[[ -z $legacy ]] || printf "%s" "$legacy" >"$r/etc/apt/sources.list"',
      'mkdir -p "$scratch/cloud"',
      'exec "${in_root[@]}" /usr/bin/python3 "$inside/first-boot.py" "$inside/user-data" "$inside/cloud"',
    ].join('\n');
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'bash', '-c', script, 'bash', root, scratch.dir, scratch.inside, legacy],
      { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`Debian ${release}'s cloud-init apt module failed (${result.status}):\n${result.stderr}`);
    return JSON.parse(result.stdout.trim().split('\n').pop() as string) as AptAfterFirstBoot;
  } finally {
    scratch.remove();
  }
}

const RUNCMD_VIEW_PY = `
import json, sys
from cloudinit import safeyaml, util
cfg = safeyaml.load(open(sys.argv[1]).read())
print(json.dumps({"config": cfg, "runcmd": util.shellify(cfg.get("runcmd", []))}))
`;

/** A `#cloud-config` as cloud-init 22.4 sees it: PyYAML's parse and the runcmd script it writes. */
export interface CloudConfigView {
  readonly config: Record<string, unknown>;
  /** The /bin/sh script cc_runcmd writes (`util.shellify`), run by scripts-user. */
  readonly runcmd: string;
}

export function cloudConfigView(userData: string): CloudConfigView {
  requireTool('cloud-init', 'cloud-init');
  return withTempFile('user-data', userData, (file) => {
    const result = spawnSync('/usr/bin/python3', ['-c', RUNCMD_VIEW_PY, file], { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`cloud-init could not load the user-data:\n${result.stderr}`);
    }
    return JSON.parse(result.stdout) as CloudConfigView;
  });
}

/** Outcome of running a runcmd script against stub commands. */
export interface StubbedRun {
  readonly status: number | null;
  readonly stderr: string;
  /** What the script wrote to /dev/console. */
  readonly console: string;
  /** One line per stub invocation: `name arg...`. */
  readonly calls: string[];
}

/**
 * Runs a runcmd script with every command in `stubs` replaced by a recorder that exits with
 * the given status. It runs in a private mount namespace (`unshare --mount`) with a scratch
 * file bind-mounted over /dev/console, so the "visible failure" banner is captured instead
 * of reaching the host's console. Only use it for scripts whose commands are all stubbed.
 */
export function runStubbed(script: string, stubs: Record<string, number>): StubbedRun {
  requireTool('unshare', 'util-linux');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-runcmd-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const calls = path.join(dir, 'calls');
    fs.writeFileSync(calls, '');
    for (const [name, status] of Object.entries(stubs)) {
      // A call made with SYSTEMCTL_SKIP_SYSV set (user-data's enableUnits) is recorded with it.
      const line = `\${SYSTEMCTL_SKIP_SYSV:+SYSTEMCTL_SKIP_SYSV=\$SYSTEMCTL_SKIP_SYSV }${name} $*`;
      fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${line}" >> '${calls}'\nexit ${status}\n`, { mode: 0o755 });
    }
    const scriptFile = path.join(dir, 'runcmd');
    fs.writeFileSync(scriptFile, script, { mode: 0o755 });
    const consoleFile = path.join(dir, 'console');
    fs.writeFileSync(consoleFile, '');
    const result = spawnSync(
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /dev/console && PATH="$2:$PATH" exec /bin/sh "$3"', 'sh', consoleFile, bin, scriptFile],
      { encoding: 'utf8' },
    );
    return {
      status: result.status,
      stderr: result.stderr ?? '',
      console: fs.readFileSync(consoleFile, 'utf8'),
      calls: fs.readFileSync(calls, 'utf8').split('\n').filter(Boolean),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
