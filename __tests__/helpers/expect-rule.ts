import { validateLabConfig } from '../../lab';

/**
 * THEN validating `config` yields the problem of the rule `rule` at `path`, and nothing else
 * (unless `others` allows that many more). Ids and paths are asserted, not the wording.
 *
 *   expectRule({ services: [{ vip: '192.168.20.140', port: 22 }] }, 'reserved-port', 'services[0].port');
 */
export function expectRule(config: unknown, rule: string, path: string, others = 0): void {
  const problems = validateLabConfig(config).map((p) => `${p.rule} ${p.path}`);
  if (others === 0) expect(problems).toEqual([`${rule} ${path}`]);
  else {
    expect(problems).toContain(`${rule} ${path}`);
    expect(problems).toHaveLength(1 + others);
  }
}
