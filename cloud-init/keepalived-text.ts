/**
 * keepalived.conf as text: its block layout (keepalived's sample: four spaces a level) and the
 * lines that carry user-given text, shared by the renderers (keepalived-conf.ts,
 * keepalived-virtual-server.ts) and measured by the rule keepalived-line.
 */

/** keepalived's sample config indents each block level by four spaces. */
export const INDENT = '    ';

/** The directives that carry user-given text, as the renderer writes them (unindented). */
export const directive = {
  trackScript: (command: readonly string[]) => quotedCommand('script', command),
  quorumHook: (key: 'up' | 'down', command: readonly string[]) => quotedCommand(`quorum_${key}`, command),
  miscPath: (command: readonly string[]) => quotedCommand('misc_path', command),
  notificationFrom: (from: string) => `notification_email_from ${from}`,
};

/**
 * The rendered lines that carry user-given text, indentation included (each at its block
 * depth): the rule keepalived-line measures these against KEEPALIVED_MAX_LINE.
 */
export const keepalivedLine = {
  /** `script "..."` in `vrrp_script`. */
  trackScript: (command: readonly string[]) => INDENT + directive.trackScript(command),
  /** `quorum_up "..."` / `quorum_down "..."` in `virtual_server`. */
  quorumHook: (key: 'up' | 'down', command: readonly string[]) => INDENT + directive.quorumHook(key, command),
  /** `misc_path "..."` in `virtual_server` > `real_server` > `MISC_CHECK`, placeholders expanded. */
  miscPath: (command: readonly string[]) => INDENT.repeat(3) + directive.miscPath(command),
  /** `notification_email_from ...` in `global_defs`. */
  notificationFrom: (from: string) => INDENT + directive.notificationFrom(from),
  /** An address in `global_defs` > `notification_email`. */
  notificationEmail: (email: string) => INDENT.repeat(2) + email,
} as const;

/** A command as keepalived takes it: one quoted string, words joined by spaces. */
function quotedCommand(keyword: string, command: readonly string[]): string {
  return `${keyword} "${command.join(' ')}"`;
}

/** `header { body }` with the body indented one level; nested blocks indent recursively. */
export function block(header: string, body: readonly string[]): string[] {
  return [`${header} {`, ...body.map((line) => (line === '' ? line : INDENT + line)), '}'];
}
