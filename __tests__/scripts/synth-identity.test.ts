import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isoFiles } from '../../scripts/synth-identity';
import { renderSeedIso } from '../../cloud-init/seed-iso';

const root = path.resolve(__dirname, '../..');
const SCRIPT_FILES = ['scripts/synth-identity.sh', 'scripts/synth-identity.ts'];

/*
 * scripts/synth-identity.sh, cheaply: 10 fixed labs and 2 generated ones. Each run takes a clean
 * checkout of HEAD as its "working tree" (with this working tree's copy of the script), so that
 * uncommitted work here cannot make it differ: once as it is (every lab identical to HEAD), once
 * with one character of a renderer's output changed (the script must name the lab and the file).
 */
describe('scripts/synth-identity.sh', () => {
  const trees: string[] = [];
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };

  /** A clean checkout of HEAD with this working tree's script and node_modules. */
  function checkoutOfHead(): string {
    const tree = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-synth-identity-test-')), 'tree');
    trees.push(tree);
    git('worktree', 'add', '--detach', '--quiet', tree, 'HEAD');
    fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules')), path.join(tree, 'node_modules'));
    for (const file of SCRIPT_FILES) fs.copyFileSync(path.join(root, file), path.join(tree, file));
    return tree;
  }

  function run(tree: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('bash', [path.join(tree, 'scripts/synth-identity.sh'), 'HEAD', '--count', '2'], { cwd: tree, env: process.env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  afterAll(() => {
    for (const tree of trees) {
      spawnSync('git', ['worktree', 'remove', '--force', tree], { cwd: root });
      fs.rmSync(path.dirname(tree), { recursive: true, force: true });
    }
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
  });

  test('passes when nothing changed and fails naming the lab and the seed file when one character of a renderer changed', async () => {
    // GIVEN a clean checkout of HEAD, and another whose meta-data renderer writes `local-hostnamE`
    const same = checkoutOfHead();
    const changed = checkoutOfHead();
    const renderer = path.join(changed, 'cloud-init/meta-data.ts');
    const source = fs.readFileSync(renderer, 'utf8');
    expect(source).toContain("'local-hostname'"); // the renderer changed: pick another character to change
    fs.writeFileSync(renderer, source.replace("'local-hostname'", "'local-hostnamE'"));

    // WHEN the script compares each against HEAD (both at once: about 2 × 15 s of CPU)
    const [pass, fail] = await Promise.all([run(same), run(changed)]);

    // THEN the unchanged checkout is identical to HEAD, lab by lab, with exit 0 (its absolute
    // path differs from the base's, and is normalized)
    expect(pass.stderr).not.toMatch(/error|threw/i);
    expect(pass.stdout).toMatch(/^reference: identical$/m);
    expect(pass.stdout).toMatch(/^generated-0002: identical$/m);
    expect(pass.stdout).toMatch(/^synth-identity: 12 of 12 labs identical, 0 differ$/m);
    expect(pass.status).toBe(0);

    // AND the changed one differs in every lab, each named with the first differing file (the
    // meta-data inside a VM's seed ISO) and the changed line, with exit 1
    expect(fail.stdout).toMatch(/^reference: DIFFERS \(the reference topology \(no LAB_CONFIG\)\): first in seed lvs-lab--director-1-cidata\.iso: meta-data$/m);
    expect(fail.stdout).toMatch(/^ {6}- local-hostname: director-1$/m);
    expect(fail.stdout).toMatch(/^ {6}\+ local-hostnamE: director-1$/m);
    expect(fail.stdout).toMatch(/^e2e--lab: DIFFERS \(e2e\/lab\.yaml\): first in seed \S+: meta-data$/m);
    expect(fail.stdout).toMatch(/^generated-0001: DIFFERS .*: first in seed \S+: meta-data$/m);
    // the ISO's bytes and the stack (which names the seed by its content hash) differ as well
    expect(fail.stdout).toMatch(/more differ: .*\(ISO bytes\)/);
    expect(fail.stdout).toMatch(/^synth-identity: 0 of 12 labs identical, 12 differ$/m);
    expect(fail.status).toBe(1);
  }, 180_000);

  test('reads the files out of a seed ISO as the guest sees them (Joliet names)', () => {
    const files = isoFiles(renderSeedIso([
      { name: 'user-data', content: '#cloud-config\n' },
      { name: 'meta-data', content: 'instance-id: x\n' },
      { name: 'network-config', content: 'x'.repeat(5000) },
    ]));
    expect([...files.keys()].sort()).toEqual(['meta-data', 'network-config', 'user-data']);
    expect(files.get('user-data')!.toString()).toBe('#cloud-config\n');
    expect(files.get('network-config')!.length).toBe(5000);
  });
});
