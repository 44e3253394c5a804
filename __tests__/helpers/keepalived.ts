import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NetnsSandbox, RunResult } from './netns';
import { requireTool } from './tools';

/** A notify script to install at the path keepalived.conf names. */
export interface NotifyHook {
  readonly path: string;
  readonly content: string;
}

/*
 * How keepalived is exercised without touching the host:
 * - `keepalived --config-test` refuses a config whose interface does not exist ("WARNING -
 *   interface lab0 ... doesn't exist", exit 5), so it runs inside a NetnsSandbox that has a
 *   veth end named like the configured interface.
 * - The notify script must sit at the configured absolute path (e.g. /usr/local/sbin/...),
 *   owned by root and writable by root only, or script security disables it. The script runs
 *   through `unshare --mount --propagation private` inside the namespace, mounts a fresh
 *   tmpfs (root:root 0755) over the script's directory and `install`s the script there with
 *   mode 0755: the path and its permissions are exactly those of the VM, yet the host's
 *   /usr/local/sbin is never written (the mount dies with the process).
 * - keepalived 2.2.7's --config-test prints nothing at all for a clean config (exit 0) and one
 *   line per problem on stderr otherwise; warnings such as unknown keywords or a rounded
 *   advert_int give exit 5, a missing `enable_script_security` exit 6. It does NOT report a
 *   missing or insecure notify script when script security is on (it silently disables it),
 *   which is why runKeepalivedVrrp starts the real VRRP daemon to prove the hook runs.
 */
const INSTALL_NOTIFY = [
  'install_notify() {',
  '    local src="$1" dest="$2"',
  '    [[ -n "$dest" ]] || return 0',
  '    mount -t tmpfs -o mode=0755,size=1m lvslab-notify "$(dirname "$dest")" || { echo "@@ cannot mount over $(dirname "$dest")" >&2; exit 97; }',
  '    install -o root -g root -m 0755 "$src" "$dest" || exit 97',
  '}',
].join('\n');

function scratch(conf: string, notify?: NotifyHook): { dir: string; conf: string; notify: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-kt-'));
  const confFile = path.join(dir, 'keepalived.conf');
  fs.writeFileSync(confFile, conf);
  const notifyFile = path.join(dir, 'notify');
  fs.writeFileSync(notifyFile, notify?.content ?? '');
  return { dir, conf: confFile, notify: notifyFile };
}

/** `keepalived --config-test -f <conf>` inside the sandbox, with the notify script installed. */
export function keepalivedConfigTest(ns: NetnsSandbox, conf: string, notify?: NotifyHook): RunResult {
  requireTool('keepalived', 'keepalived');
  const files = scratch(conf, notify);
  try {
    return ns.runPrivateMounts(
      [INSTALL_NOTIFY, 'set -u', 'install_notify "$2" "$3"', 'exec keepalived --config-test -f "$1"'].join('\n'),
      [files.conf, files.notify, notify?.path ?? ''],
    );
  } finally {
    fs.rmSync(files.dir, { recursive: true, force: true });
  }
}

export interface VrrpRun {
  /** Content of the state file once `want` was seen (or the last content before giving up). */
  readonly state: string;
  /** With `then`: the state file once `then.want` was seen after `then.command` (or the last content). */
  readonly thenState?: string;
  /** The notify log file. */
  readonly notifyLog: string;
  /** keepalived's own console log. */
  readonly keepalivedLog: string;
  readonly output: string;
}

/**
 * Starts the real keepalived VRRP daemon (`--vrrp`: this kernel has no IPVS, so the config
 * must have no virtual_server and no lvs_sync_daemon) in the sandbox until the notify script
 * has written `want` to `stateFile`, then stops it. /run and /var/log are fresh tmpfs mounts
 * in the private mount namespace, so pid files, state and log files never reach the host.
 */
export function runKeepalivedVrrp(
  ns: NetnsSandbox,
  conf: string,
  notify: NotifyHook,
  opts: {
    readonly stateFile: string;
    readonly logFile: string;
    readonly want: string;
    readonly timeoutSec: number;
    /** Once `want` is seen: run `command` (bash, inside the sandbox) and wait for `want` again. */
    readonly then?: { readonly command: string; readonly want: string };
  },
): VrrpRun {
  requireTool('keepalived', 'keepalived');
  for (const file of [opts.stateFile, opts.logFile]) {
    if (!file.startsWith('/run/') && !file.startsWith('/var/log/')) {
      throw new Error(`runKeepalivedVrrp: ${file} must be under /run or /var/log (the tmpfs mounts)`);
    }
  }
  const files = scratch(conf, notify);
  const script = [
    INSTALL_NOTIFY,
    'set -u',
    'conf="$1" state_file="$4" log_file="$5" want="$6" tries=$(( $7 * 10 ))',
    'install_notify "$2" "$3"',
    'mount -t tmpfs -o mode=0755 lvslab-run /run && mount -t tmpfs -o mode=0755 lvslab-log /var/log || exit 97',
    'mkdir -p /run/lvslab-test',
    'keepalived --dont-fork --log-console --log-detail --vrrp --no-syslog \\',
    '    --pid=/run/lvslab-test/keepalived.pid --vrrp_pid=/run/lvslab-test/vrrp.pid \\',
    '    -f "$conf" >/run/lvslab-test/keepalived.log 2>&1 &',
    'pid=$!',
    'state=""',
    'for (( i = 0; i < tries; i++ )); do',
    '    state="$(cat "$state_file" 2>/dev/null || true)"',
    '    [[ "$state" == "$want" ]] && break',
    '    sleep 0.1',
    'done',
    'then_state=""',
    'if [[ -n "$8" && "$state" == "$want" ]]; then',
    '    bash -c "$8"',
    '    for (( i = 0; i < tries; i++ )); do',
    '        then_state="$(cat "$state_file" 2>/dev/null || true)"',
    '        [[ "$then_state" == "$9" ]] && break',
    '        sleep 0.1',
    '    done',
    'fi',
    'kill -TERM "$pid"',
    'wait "$pid"',
    'printf "@@STATE\\n%s\\n@@THEN_STATE\\n%s\\n@@NOTIFY_LOG\\n" "$state" "$then_state"',
    'cat "$log_file" 2>/dev/null',
    'echo "@@KEEPALIVED_LOG"',
    'cat /run/lvslab-test/keepalived.log',
  ].join('\n');
  try {
    const result = ns.runPrivateMounts(
      script,
      [files.conf, files.notify, notify.path, opts.stateFile, opts.logFile, opts.want, String(opts.timeoutSec), opts.then?.command ?? '', opts.then?.want ?? ''],
      { timeoutMs: (2 * opts.timeoutSec + 20) * 1000 },
    );
    const section = (name: string, next?: string) => {
      const start = result.stdout.indexOf(`@@${name}\n`);
      if (start < 0) return '';
      const from = start + name.length + 3;
      const end = next === undefined ? result.stdout.length : result.stdout.indexOf(`@@${next}\n`, from);
      return result.stdout.slice(from, end < 0 ? undefined : end);
    };
    return {
      state: section('STATE', 'THEN_STATE').trim(),
      ...(opts.then ? { thenState: section('THEN_STATE', 'NOTIFY_LOG').trim() } : {}),
      notifyLog: section('NOTIFY_LOG', 'KEEPALIVED_LOG'),
      keepalivedLog: section('KEEPALIVED_LOG'),
      output: result.output,
    };
  } finally {
    fs.rmSync(files.dir, { recursive: true, force: true });
  }
}
