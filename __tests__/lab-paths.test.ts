import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LabStateError, SHARED_STATE_FILE, labOutdir, labStateFile, listLabStates, stateFileFor } from '../lab-paths';

/** A terraform state (format 4) holding a lab's pool and network, or nothing. */
function stateOf(lab: string | undefined): string {
  const resource = (type: string, name: string) => ({ mode: 'managed', type, name: 'x', instances: [{ attributes: { name } }] });
  return JSON.stringify({ version: 4, resources: lab ? [resource('libvirt_pool', `${lab}-pool`), resource('libvirt_network', `${lab}-net`)] : [] });
}

describe('where a lab lives', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-paths-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('its state file and synth directory are named after it, absolute', () => {
    expect(labStateFile('lab-a', root)).toBe(path.join(root, 'terraform.lab-a.tfstate'));
    expect(labOutdir('lab-a', root)).toBe(path.join(root, 'cdktf.out', 'labs', 'lab-a'));
    expect(stateFileFor('lab-a', {}, root)).toBe(path.join(root, 'terraform.lab-a.tfstate'));
    expect(stateFileFor('lab-b', {}, root)).toBe(path.join(root, 'terraform.lab-b.tfstate'));
  });

  test('LAB_STATE_FILE wins, relative to the repository root', () => {
    expect(stateFileFor('lab-a', { LAB_STATE_FILE: '/srv/state/a.tfstate' }, root)).toBe('/srv/state/a.tfstate');
    expect(stateFileFor('lab-a', { LAB_STATE_FILE: 'states/a.tfstate' }, root)).toBe(path.join(root, 'states', 'a.tfstate'));
  });

  test('fails when the state every lab shared before still holds a lab, naming it and the file to rename it to', () => {
    // GIVEN the shared state of an older version holding lab "old-lab"
    fs.writeFileSync(path.join(root, SHARED_STATE_FILE), stateOf('old-lab'));

    // WHEN any lab is deployed or destroyed without LAB_STATE_FILE THEN it is refused
    for (const lab of ['old-lab', 'lab-a', 'lvs-dr-lab']) {
      expect(() => stateFileFor(lab, {}, root)).toThrow(LabStateError);
      expect(() => stateFileFor(lab, {}, root)).toThrow(/lab "old-lab" \(2 resources\).*rename it to terraform\.old-lab\.tfstate/);
    }
    // an explicit LAB_STATE_FILE is the user's choice (e.g. to destroy that lab where it is)
    expect(stateFileFor('old-lab', { LAB_STATE_FILE: SHARED_STATE_FILE }, root)).toBe(path.join(root, SHARED_STATE_FILE));
  });

  test('the shared state file is no obstacle once empty, or when it is the own state of a lab named lvs-dr-lab', () => {
    fs.writeFileSync(path.join(root, SHARED_STATE_FILE), stateOf(undefined));
    expect(stateFileFor('lab-a', {}, root)).toBe(path.join(root, 'terraform.lab-a.tfstate'));
    fs.writeFileSync(path.join(root, SHARED_STATE_FILE), stateOf('lvs-dr-lab'));
    expect(stateFileFor('lvs-dr-lab', {}, root)).toBe(path.join(root, SHARED_STATE_FILE));
  });

  test('lists every lab with a state file here and whether it still holds resources', () => {
    fs.writeFileSync(path.join(root, 'terraform.lab-a.tfstate'), stateOf('lab-a'));
    fs.writeFileSync(path.join(root, 'terraform.lab-a.tfstate.backup'), stateOf('lab-a'));
    fs.writeFileSync(path.join(root, 'terraform.lab-b.tfstate'), stateOf(undefined));
    fs.writeFileSync(path.join(root, 'README.md'), '');
    expect(listLabStates(root)).toEqual([
      { name: 'lab-a', stateFile: path.join(root, 'terraform.lab-a.tfstate'), resources: 2 },
      { name: 'lab-b', stateFile: path.join(root, 'terraform.lab-b.tfstate'), resources: 0 },
    ]);
  });

  test('lists a broken state file with its reason beside the other labs, instead of failing (issue "Every config ... safe", 9)', () => {
    fs.writeFileSync(path.join(root, 'terraform.lab-a.tfstate'), stateOf('lab-a'));
    fs.writeFileSync(path.join(root, 'terraform.lab-b.tfstate'), '{ not json');
    fs.mkdirSync(path.join(root, 'terraform.lab-c.tfstate'));
    fs.writeFileSync(path.join(root, 'terraform.lab-d.tfstate'), '[1]');
    expect(listLabStates(root)).toEqual([
      { name: 'lab-a', stateFile: path.join(root, 'terraform.lab-a.tfstate'), resources: 2 },
      { name: 'lab-b', stateFile: path.join(root, 'terraform.lab-b.tfstate'), resources: 0, problem: 'not JSON' },
      { name: 'lab-c', stateFile: path.join(root, 'terraform.lab-c.tfstate'), resources: 0, problem: 'not a regular file' },
      { name: 'lab-d', stateFile: path.join(root, 'terraform.lab-d.tfstate'), resources: 0, problem: 'not a JSON object' },
    ]);
  });
});

describe('npm run labs', () => {
  test('lists every lab, and each broken state file with its reason, without a stack trace', () => {
    // GIVEN a state file in the checkout that is a directory, and one that is not JSON
    const names = [`zz-dir-${process.pid}`, `zz-text-${process.pid}`];
    fs.mkdirSync(labStateFile(names[0]));
    fs.writeFileSync(labStateFile(names[1]), 'garbage');
    try {
      // WHEN the labs are listed
      const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/labs.ts', 'list'], {
        cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 120_000,
      });

      // THEN both are listed with their reason, and nothing failed
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`${names[0]}\tunknown: not a regular file\t${labStateFile(names[0])}\n`);
      expect(r.stdout).toContain(`${names[1]}\tunknown: not JSON\t${labStateFile(names[1])}\n`);
    } finally {
      for (const name of names) fs.rmSync(labStateFile(name), { recursive: true, force: true });
    }
  });
});
