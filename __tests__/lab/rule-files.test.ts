import * as fs from 'node:fs';
import * as path from 'node:path';
import { IPV6_RULES, LAB_RULES, type LabRule } from '../../lab/rules';

/*
 * lab/rules/ holds one rule per file, named by the rule's id (cdk-nag style), beside the modules
 * the rules share. Every file a rule, every rule a file, each id once, and LAB_RULES in the order
 * problems are listed.
 */
const DIR = path.join(__dirname, '..', '..', 'lab', 'rules');
/** The modules of lab/rules/ that are no rule: the list, and what the rules share. */
const SHARED = ['index.ts', 'packages.ts', 'read.ts', 'read6.ts'];

const files = fs.readdirSync(DIR).filter((file) => file.endsWith('.ts')).sort();
const ruleFiles = files.filter((file) => !SHARED.includes(file));
const isRule = (value: unknown): value is LabRule =>
  typeof value === 'object' && value !== null && typeof (value as LabRule).id === 'string' && typeof (value as LabRule).check === 'function';
const rulesOf = (file: string): LabRule[] => Object.values(require(path.join(DIR, file)) as Record<string, unknown>).filter(isRule);

describe('lab/rules/: one rule per file', () => {
  test('the shared modules are there', () => {
    expect(files).toEqual(expect.arrayContaining(SHARED));
  });

  test('rule ids are unique', () => {
    const ids = LAB_RULES.map((rule) => rule.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  test('the ids in LAB_RULES are the names of the rule files: every file a rule, every rule a file', () => {
    expect(LAB_RULES.map((rule) => `${rule.id}.ts`).sort()).toEqual(ruleFiles);
  });

  test.each(ruleFiles)('%s exports one rule, the one of its name that LAB_RULES lists', (file) => {
    expect(rulesOf(file)).toEqual([LAB_RULES.find((rule) => `${rule.id}.ts` === file)]);
    expect(rulesOf(file)[0]).toBe(LAB_RULES.find((rule) => `${rule.id}.ts` === file));
  });

  test.each(SHARED.filter((file) => file !== 'index.ts'))('%s exports no rule', (file) => {
    expect(rulesOf(file)).toEqual([]);
  });

  test('IPV6_RULES are the last of LAB_RULES, each once', () => {
    expect(LAB_RULES.slice(-IPV6_RULES.length)).toEqual(IPV6_RULES);
    expect(LAB_RULES.filter((rule) => IPV6_RULES.includes(rule))).toHaveLength(IPV6_RULES.length);
  });

  test('LAB_RULES runs in the order problems are listed', () => {
    expect(LAB_RULES.map((rule) => rule.id)).toEqual([
      'libvirt-uri', 'storage-pool-path', 'cidr', 'bridge-required', 'address-in-subnet', 'nat-gateway', 'image-release', 'packages-need-mirror',
      'packages-route', 'packages-resolver', 'ssh-user-reserved', 'ssh-key', 'advert-interval', 'auth-pass-version', 'fast-failover',
      'track-script', 'vm-name-length', 'unique-names', 'unique-addresses', 'unique-priority', 'service-ports', 'fwmark', 'tls-ports',
      'health-check', 'reserved-port', 'dh-weight-zero', 'sorry-server', 'quorum', 'misc-check', 'keepalived-line', 'service-members',
      'service-weight', 'unique-services', 'real-server-port', 'mac-collision',
      'ipv6-cidr', 'ipv6-bridge-only', 'ipv6-needs-cidr', 'address6-in-prefix', 'unique-addresses6', 'ipv6-vip-version', 'unique-services6',
      'ipv6-service-options',
    ]);
  });
});
