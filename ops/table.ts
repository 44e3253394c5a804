/**
 * Tables and findings for a terminal, the same in every command: cli-table3's box drawing,
 * without colours (the output is read in logs and pasted into issues as often as on a terminal).
 */
import Table = require('cli-table3');

/** Something wrong (a problem: status exits 1) or worth knowing (a warning), with what to do. */
export interface Finding {
  /** Stable id: `ssh`, `sudo`, `vip-holder`, `ipvs`, `arp`, `rs-vip`, `rs-arp-sysctl`, `vrrp-state`, `keepalived`, `sync-daemon`, `mac`, `cloud-init`, `service`. */
  readonly id: string;
  /** The VM, VIP or service it is about. */
  readonly subject: string;
  /** What was tried and what was found. */
  readonly message: string;
  readonly fix: string;
}

/** A boxed table: a header row, then the rows; numbers right-aligned as `align` says. */
export function renderTable(head: readonly string[], rows: readonly (readonly (string | number)[])[], align?: readonly ('left' | 'right')[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] }, ...(align ? { colAligns: [...align] } : {}) });
  for (const row of rows) table.push(row.map((cell) => String(cell)));
  return table.toString();
}

/** `✗ subject  message` / `! subject  message`, each followed by its fix. */
export function renderFindings(problems: readonly Finding[], warnings: readonly Finding[]): string[] {
  const lines: string[] = [];
  for (const [mark, list] of [['✗', problems], ['!', warnings]] as const) {
    for (const f of list) {
      lines.push(`${mark} ${f.subject}: ${f.message}`, `  fix: ${f.fix}`);
    }
  }
  return lines;
}

/** `N problems (M warnings)` for the closing line. */
export function countFindings(problems: number, warnings: number): string {
  const w = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : '';
  return `${problems} problem${problems === 1 ? '' : 's'}${w}`;
}
