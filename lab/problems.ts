/** A problem with a lab config, and the error that carries every problem found. */

/** One thing wrong with a lab config. */
export interface LabProblem {
  /** The rule that found it: stable, for tests and tooling (e.g. `range`, `address-in-subnet`). */
  readonly rule: string;
  /** Field path, e.g. `directors[1].priority`. */
  readonly path: string;
  /** The value received (`undefined` when a required field is missing). */
  readonly value: unknown;
  /** What would have been accepted, e.g. `an integer 1-254`. */
  readonly allowed: string;
  /** `<path>: got <value>, expected <allowed>[; why]`. */
  readonly message: string;
}

/** Builds a problem with the standard message. */
export function labProblem(rule: string, path: string, value: unknown, allowed: string, why?: string): LabProblem {
  const message = `${path}: got ${describeValue(value)}, expected ${allowed}${why ? `; ${why}` : ''}`;
  return { rule, path, value, allowed, message };
}

/** A value as it appears in a message: strings quoted, long lists and mappings summarized. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') {
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    // "300" vs 300: say so when a string could be mistaken for another YAML type.
    return /^(-?\d+(\.\d+)?|true|false|yes|no|on|off|null)$/i.test(value) ? `${shown} (a string)` : shown;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const json = Array.isArray(value) || typeof value === 'object' ? JSON.stringify(value) : undefined;
  if (json !== undefined && json.length <= 60) return json;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}

/** A lab config that failed validation; `problems` holds every problem found, not just the first. */
export class LabConfigError extends Error {
  public readonly problems: readonly LabProblem[];

  /** @param source - where the config came from (a file name), for the message */
  constructor(problems: readonly LabProblem[], source?: string) {
    const where = source ? ` in ${source}` : '';
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super([`Invalid lab config${where} (${count}):`, ...problems.map((p) => `  - ${p.message}`)].join('\n'));
    this.name = 'LabConfigError';
    this.problems = problems;
  }
}
