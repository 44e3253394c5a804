import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabConfigError, resolveLabConfig } from '../../lab';
import { labConfigFromEnv, labFromEnv, loadLab, loadLabConfig } from '../../lab';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The LabConfigError `load` throws. */
function loadError(load: () => unknown): LabConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof LabConfigError) return error;
    throw error;
  }
  throw new Error('expected a LabConfigError');
}

const YAML_LAB = `# two directors, a custom VRID
name: yaml-lab
vrrp:
  virtualRouterId: 51
  nopreempt: true
directors:
  - { name: lb-1, address: 192.168.20.11, priority: 150 }
  - name: lb-2
    address: 192.168.20.12
    priority: 100
`;

describe('loadLab', () => {
  test('returns the config as written and the lab resolved from it', () => {
    const path = file('loaded.yaml', YAML_LAB);
    const loaded = loadLab(path);
    expect(loaded.config).toEqual(loadLabConfig(path));
    expect(loaded.lab).toEqual(resolveLabConfig(loaded.config));
    expect(loaded.lab.directors.map((d) => d.domainName)).toEqual(['yaml-lab--lb-1', 'yaml-lab--lb-2']);
  });

  test('no path (LAB_CONFIG unset) means the reference topology, resolved', () => {
    expect(loadLab()).toEqual({ config: {}, lab: resolveLabConfig({}) });
    expect(labFromEnv({})).toEqual(loadLab());
  });

  test('fails on an invalid file, naming the file and the field', () => {
    const error = loadError(() => loadLab(file('bad-loaded.yaml', 'vrrp:\n  virtualRouterId: 999\n')));
    expect(error.message).toContain('bad-loaded.yaml');
    expect(error.problems.map((p) => `${p.rule} ${p.path}`)).toEqual(['range vrrp.virtualRouterId']);
  });
});

describe('loadLabConfig', () => {
  test('no path means the defaults', () => {
    expect(loadLabConfig()).toEqual({});
  });

  test('reads a YAML file', () => {
    const config = loadLabConfig(file('lab.yaml', YAML_LAB));
    expect(config).toEqual({
      name: 'yaml-lab',
      vrrp: { virtualRouterId: 51, nopreempt: true },
      directors: [
        { name: 'lb-1', address: '192.168.20.11', priority: 150 },
        { name: 'lb-2', address: '192.168.20.12', priority: 100 },
      ],
    });
    expect(resolveLabConfig(config).directors.map((d) => d.domainName)).toEqual(['yaml-lab--lb-1', 'yaml-lab--lb-2']);
  });

  test('reads a .yml file', () => {
    expect(loadLabConfig(file('lab.yml', 'name: short\n'))).toEqual({ name: 'short' });
  });

  test('reads a JSON file', () => {
    expect(loadLabConfig(file('lab.json', '{ "vrrp": { "advertIntSec": 2 } }'))).toEqual({ vrrp: { advertIntSec: 2 } });
  });

  test('an empty YAML file means the defaults', () => {
    expect(loadLabConfig(file('empty.yaml', '# nothing yet\n'))).toEqual({});
  });

  test('fails on a YAML syntax error, naming the file and line', () => {
    const path = file('broken.yaml', 'name: lab\nvrrp:\n  virtualRouterId: [51\n  nopreempt: true\n');
    const error = loadError(() => loadLabConfig(path));
    expect(error.message).toContain(`Invalid lab config in ${path}`);
    expect(error.problems.map((p) => p.rule)).toEqual(['syntax']);
    expect(error.problems[0].path).toMatch(new RegExp(`^${path.replace(/[.]/g, '\\.')}:\\d+:\\d+$`));
    expect(error.problems[0].message).toMatch(/expected valid YAML; /);
  });

  test('fails on a YAML syntax error, showing the offending line', () => {
    const path = file('indent.yaml', 'name: lab\nnetwork:\n  mode: nat\n cidr: 10.0.0.0/24\n');
    expect(loadError(() => loadLabConfig(path)).problems[0].message).toBe(
      `${path}:4:1: got " cidr: 10.0.0.0/24", expected valid YAML; All mapping items must start at the same column`,
    );
  });

  test('fails on duplicate YAML keys', () => {
    const path = file('dup.yaml', 'name: a\nname: b\n');
    const error = loadError(() => loadLabConfig(path));
    expect(error.problems.map((p) => p.rule)).toEqual(['syntax']);
    expect(error.message).toMatch(/expected valid YAML; .*unique/i);
  });

  test('fails on a JSON syntax error, naming the file and line', () => {
    const path = file('broken.json', '{\n  "name": "lab",\n  "vrrp": { "virtualRouterId": 51, }\n}\n');
    const error = loadError(() => loadLabConfig(path));
    expect(error.problems.map((p) => `${p.rule} ${p.path}`)).toEqual([`syntax ${path}:3:36`]);
    expect(error.problems[0].message).toContain('got "  \\"vrrp\\": { \\"virtualRouterId\\": 51, }", expected valid JSON');
  });

  test('fails with every validation problem of the file, naming it', () => {
    const path = file('invalid.yaml', 'nmae: lab\nvrrp:\n  virtualRouterId: 300\n');
    const error = loadError(() => loadLabConfig(path));
    expect(error.problems.map((p) => `${p.rule} ${p.path}`)).toEqual(['unknown-key nmae', 'range vrrp.virtualRouterId']);
    expect(error.message.split('\n')).toEqual([
      `Invalid lab config in ${path} (2 problems):`,
      expect.stringMatching(/^ {2}- nmae: got "lab", expected one of the keys name, .*; unknown key, did you mean name\?$/),
      '  - vrrp.virtualRouterId: got 300, expected an integer 1-255',
    ]);
  });

  test('fails when the top level is not a mapping', () => {
    const path = file('list.yaml', '- name: lab\n');
    expect(loadError(() => loadLabConfig(path)).problems.map((p) => `${p.rule} ${p.path}`)).toEqual(['type (root)']);
    expect(loadError(() => loadLabConfig(path)).problems[0].message).toMatch(/^\(root\): got \[\{"name":"lab"\}\], expected a mapping/);
  });

  test('fails on an unsupported extension', () => {
    const path = file('lab.toml', 'name = "lab"\n');
    expect(loadError(() => loadLabConfig(path)).problems.map((p) => `${p.rule} ${p.path}`)).toEqual([`file ${path}`]);
    expect(loadError(() => loadLabConfig(path)).problems[0].allowed).toBe('a .yaml, .yml or .json file');
  });

  test('fails on a missing file', () => {
    const error = loadError(() => loadLabConfig(join(dir, 'missing.yaml')));
    expect(error.problems.map((p) => p.rule)).toEqual(['file']);
    expect(error.problems[0].message).toMatch(/missing\.yaml: got ".*missing\.yaml", expected a readable file; ENOENT/);
  });
});

describe('labConfigFromEnv', () => {
  test('reads the file named by LAB_CONFIG', () => {
    const path = file('env.yaml', 'name: from-env\n');
    expect(labConfigFromEnv({ LAB_CONFIG: path })).toEqual({ name: 'from-env' });
  });

  test('unset or empty LAB_CONFIG means the defaults', () => {
    expect(labConfigFromEnv({})).toEqual({});
    expect(labConfigFromEnv({ LAB_CONFIG: ' ' })).toEqual({});
  });
});

describe('loadLabConfig: image paths', () => {
  test('a relative image.source in a file is resolved against the file', () => {
    // GIVEN a config next to its image
    const dir = mkdtempSync(join(tmpdir(), 'lvs-lab-img-'));
    try {
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, 'image: { source: images/debian.qcow2, preinstalled: true }\n');
      // WHEN loaded THEN the path no longer depends on terraform's working directory
      expect(loadLabConfig(file).image?.source).toBe(join(dir, 'images', 'debian.qcow2'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a UDP service without a health check gets none', () => {
    const lab = resolveLabConfig({ services: [{ vip: '192.168.20.140', port: 53, protocol: 'UDP' }] });
    expect(lab.services[0].healthCheck).toEqual({ type: 'none' });
  });
});
