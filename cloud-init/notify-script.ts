import { NOTIFY_STATE_FILE } from './paths';
import { shellQuote } from './shell';

/** Options of {@link renderNotifyScript}. */
export interface NotifyScriptOptions {
  /** Append-only history an operator can read, e.g. `/var/log/keepalived-state.log`. */
  readonly logFile: string;
  /**
   * File holding only the current state (`MASTER`, `BACKUP`, `FAULT`, `STOP`) of the most
   * recent instance transition; `<stateFile>.<instance>` holds each instance's own state.
   * @default '/run/keepalived/state'
   */
  readonly stateFile?: string;
}

/**
 * Renders the keepalived `notify` hook (bash). keepalived runs it on every VRRP state change
 * as `<script> TYPE NAME STATE PRIORITY`; it records `timestamp type name state priority`
 * to the log file and syslog, and keeps the current state in the state file.
 */
export function renderNotifyScript(opts: NotifyScriptOptions): string {
  const stateFile = opts.stateFile ?? NOTIFY_STATE_FILE;
  return [
    '#!/bin/bash',
    '# Managed by lvs-dr-lab: keepalived notify hook.',
    '#',
    '# keepalived runs it on every VRRP state change as',
    '#   <this script> TYPE NAME STATE PRIORITY',
    '# (TYPE is INSTANCE or GROUP; STATE is MASTER, BACKUP, FAULT or STOP).',
    '# It appends "timestamp type name state priority" to LOG_FILE and syslog, and',
    '# keeps the current state in STATE_FILE so `cat` answers "is this director MASTER?".',
    '# keepalived ignores the exit status; the hook must stay quick and never block.',
    'set -u',
    'umask 022',
    '',
    `readonly LOG_FILE=${shellQuote(opts.logFile)}`,
    `readonly STATE_FILE=${shellQuote(stateFile)}`,
    '',
    'type="${1:-UNKNOWN}"',
    'name="${2:-UNKNOWN}"',
    'state="${3:-UNKNOWN}"',
    'priority="${4:-}"',
    '',
    '# Replace the file in one rename so a concurrent reader never sees it half-written.',
    'write_state() {',
    '    local target="$1" tmp',
    '    tmp="$(mktemp "${target}.XXXXXX")" || return 1',
    '    printf \'%s\\n\' "$state" >"$tmp" && chmod 0644 "$tmp" && mv -f "$tmp" "$target"',
    '}',
    '',
    'line="$(date --iso-8601=seconds) ${type} ${name} ${state}${priority:+ ${priority}}"',
    '',
    'mkdir -p "$(dirname "$LOG_FILE")" "$(dirname "$STATE_FILE")"',
    'printf \'%s\\n\' "$line" >>"$LOG_FILE"',
    'logger -t keepalived-notify -- "$line" 2>/dev/null || true',
    '',
    '# Groups report the same transition as their instances; the state files follow instances.',
    'if [[ "$type" == INSTANCE ]]; then',
    '    write_state "${STATE_FILE}.${name//[^A-Za-z0-9_.-]/_}"',
    '    write_state "$STATE_FILE"',
    'fi',
    'exit 0',
    '',
  ].join('\n');
}
