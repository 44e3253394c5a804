/**
 * What a VM's first boot came to, read from cloud-init itself: `cloud-init status --long --format
 * json` says whether it is still running, done or in error, and names the failed module; the
 * reason a package install failed is only in /var/log/cloud-init-output.log (cloud-init runs apt
 * without capturing its output, so the status says `Stdout: -` `Stderr: -`). Both are judged here,
 * as pure functions of what the VM printed, so the tests run them on recorded outputs of Debian's
 * cloud-init (22.4 on Debian 12; 23.4 and later add `extended_status`, and `degraded done` when a
 * module only warned).
 */

/** Asks cloud-init for its result; no root needed (it reads /run/cloud-init/status.json). */
export const CLOUD_INIT_STATUS_COMMAND = 'cloud-init status --long --format json';
/** Where cloud-init's modules print; root only on Debian (0640 root:adm). */
export const CLOUD_INIT_OUTPUT_LOG = '/var/log/cloud-init-output.log';
/** The log's lines that can say why a module failed: apt's errors and warnings and cloud-init's own warnings (bounded). */
export const CLOUD_INIT_ERRORS_COMMAND =
  `sudo -n grep -E '^(E|W|Err):|^  |WARNING|ERROR|Traceback|Error' ${CLOUD_INIT_OUTPUT_LOG} | tail -n 300`;

/** Where a VM's first boot stands. */
export type CloudInitState =
  /** cloud-init has not started or is still running its stages (packages being installed). */
  | 'running'
  /** every stage ended without error. */
  | 'done'
  /** a stage or module failed: the VM is not configured as the lab wants. */
  | 'error'
  /** cloud-init is disabled on the image: it will never configure this VM. */
  | 'disabled';

/** `cloud-init status --long --format json`, the fields this project reads. */
export interface CloudInitStatus {
  readonly state: CloudInitState;
  /** cloud-init's own word (`done`, `error`, `running`, `not run`, `disabled`, `degraded done`). */
  readonly status: string;
  /** Each failed module as cloud-init records it: `('package-update-upgrade-install', ProcessExecutionError(...))`. */
  readonly errors: readonly string[];
  /** The modules those errors name, in order (`package-update-upgrade-install`, `runcmd`). */
  readonly failedModules: readonly string[];
  /** When cloud-init last wrote its status (its own text), if it says. */
  readonly lastUpdate?: string;
}

/** Reads `cloud-init status --long --format json`; undefined when it printed no such JSON (cloud-init missing, an older one). */
export function parseCloudInitStatus(stdout: string): CloudInitStatus | undefined {
  const start = stdout.indexOf('{');
  if (start < 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(stdout.slice(start));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  if (typeof o.status !== 'string') return undefined;
  // 23.4+: extended_status says `degraded done` when a module warned; the plain status stays the verdict
  const status = typeof o.extended_status === 'string' ? o.extended_status : o.status;
  const errors = Array.isArray(o.errors) ? o.errors.filter((e): e is string => typeof e === 'string') : [];
  const state: CloudInitState =
    o.status === 'error' ? 'error'
      : o.status === 'done' ? 'done'
        : o.status === 'disabled' ? 'disabled'
          : 'running'; // 'running', 'not run' (before the first stage) and anything newer
  return {
    state,
    status,
    errors,
    failedModules: errors.map((e) => /^\('([^']+)'/.exec(e)?.[1]).filter((m): m is string => m !== undefined),
    ...(typeof o.last_update === 'string' && o.last_update ? { lastUpdate: o.last_update } : {}),
  };
}

/** Why a first boot failed, and what to change. */
export interface CloudInitFailure {
  /** The line that says it (apt's, or cloud-init's record of the failed module). */
  readonly line: string;
  /** What kind of failure, for scripts. */
  readonly cause: CloudInitFailureCause;
  readonly fix: string;
}

export type CloudInitFailureCause = 'dns' | 'mirror-unreachable' | 'signature' | 'mirror-suite' | 'package-missing' | 'package-install' | 'runcmd' | 'other';

/** A cause, how to recognise it in the log's lines, and its fix; the first that matches any line wins (causes before their effects). */
interface CauseRule {
  readonly cause: CloudInitFailureCause;
  readonly pattern: RegExp;
  readonly fix: (match: RegExpExecArray) => string;
}

const CAUSES: readonly CauseRule[] = [
  {
    // apt 2.6: `Could not resolve 'host'`; older and glibc: `Temporary failure resolving 'host'`
    cause: 'dns',
    pattern: /(?:Could not resolve|Temporary failure resolving) '([^']+)'/,
    fix: (m) => `the VM cannot resolve ${m[1]}: check network.dns (the resolvers the VMs get; a nat lab's default is libvirt's dnsmasq, which forwards to this machine's resolvers) ` +
      'and that the name exists; or point packages.mirror at an address it can resolve',
  },
  {
    cause: 'mirror-unreachable',
    pattern: /(?:Could not connect to|Unable to connect to|Could not connect|Connection refused|Connection timed out|No route to host|Network is unreachable)\b.*/,
    fix: () => 'the VM reaches no package mirror: check packages.mirror (and packages.proxy) and the route out of the lab (network.mode nat, or network.gateway on a bridge)',
  },
  {
    cause: 'signature',
    pattern: /NO_PUBKEY|is not signed|signatures couldn't be verified|signatures were invalid/,
    fix: () => "the mirror's signatures are not trusted: set packages.signingKey to the mirror's public key (armored), or use a mirror signed by Debian's archive key",
  },
  {
    cause: 'mirror-suite',
    pattern: /does not have a Release file/,
    fix: () => 'the mirror lacks a suite the VMs ask for (bookworm, bookworm-updates, bookworm-security): check packages.mirror and packages.securityMirror serve all three',
  },
  {
    cause: 'package-missing',
    pattern: /Unable to locate package (\S+)|Package '?([^' ]+)'? has no installation candidate/,
    fix: (m) => `package ${m[1] ?? m[2]} could not be installed: the package sources have no such package. Check that packages.mirror serves it ` +
      '(a mirror must carry every package the lab installs, with what they depend on), or use an image with the packages preinstalled (image.preinstalled: true)',
  },
  {
    cause: 'package-install',
    pattern: /^E: .*|Failed to install (?:the following )?packages: .*/,
    fix: () => 'apt could not install the packages: check packages.mirror is a complete Debian mirror of the image\'s release, or use an image with the packages preinstalled (image.preinstalled: true)',
  },
  {
    cause: 'runcmd',
    pattern: /\('(?:runcmd|scripts[-_]user)'.*|Runparts: .*failures.*/,
    fix: () => `a first-boot command of the lab failed: its output is in ${CLOUD_INIT_OUTPUT_LOG} on the VM (the keepalived config-test prints FAILED there)`,
  },
];

/**
 * Why cloud-init failed: the first cause of {@link CAUSES} that the output log's lines (or the
 * status' errors) show, with the line that shows it; else the first error as cloud-init records it.
 */
export function classifyCloudInitFailure(status: CloudInitStatus, outputLog: string): CloudInitFailure {
  const lines = [...outputLog.split('\n').map((l) => l.replace(/\s+$/, '')).filter((l) => l.trim()), ...status.errors.map(oneLine)];
  for (const rule of CAUSES) {
    const matching = lines.filter((line) => rule.pattern.test(line));
    // apt's own `W:`/`E:` summary line names the URL; its `Err:` detail lines are indented fragments
    const line = matching.find((l) => /^[WE]: /.test(l)) ?? matching[0];
    if (line !== undefined) return { line: line.trim(), cause: rule.cause, fix: rule.fix(rule.pattern.exec(line)!) };
  }
  const first = status.errors[0] ? oneLine(status.errors[0]) : `cloud-init status: ${status.status}`;
  return { line: first, cause: 'other', fix: `read ${CLOUD_INIT_OUTPUT_LOG} and /var/log/cloud-init.log on the VM` };
}

/** cloud-init's record of an error, on one line: the module and the exception's first line (`('runcmd', RuntimeError(...))`). */
function oneLine(error: string): string {
  return error.replace(/\\n.*$/s, '').replace(/\n.*$/s, '');
}
