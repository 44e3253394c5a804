import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

/*
 * scripts/cdktf.sh (npm run deploy|destroy|diff) with a stand-in `npx` that prints the cdktf
 * command line it would run: which output directory each lab gets.
 */
describe('scripts/cdktf.sh', () => {
  let dir: string;
  const labDirs: string[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-cdktf-sh-'));
    fs.writeFileSync(path.join(dir, 'npx'), '#!/bin/sh\necho "$@"\nexit "${NPX_STATUS:-0}"\n', { mode: 0o755 });
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const labDir of labDirs.splice(0)) fs.rmSync(labDir, { recursive: true, force: true });
  });

  function cdktfSh(labName: string, args: string[], npxStatus = 0) {
    const config = path.join(dir, `${labName}.yaml`);
    fs.writeFileSync(config, `name: ${labName}\n`);
    const labDir = path.join(root, 'cdktf.out', 'labs', labName);
    if (!fs.existsSync(labDir)) labDirs.push(labDir);
    const r = spawnSync('bash', [path.join(root, 'scripts', 'cdktf.sh'), ...args], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, LAB_CONFIG: config, NPX_STATUS: String(npxStatus) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(npxStatus);
    return { argv: r.stdout.trim(), labDir };
  }

  test('gives each lab its own output directory, named after the lab', () => {
    // GIVEN two labs with different names WHEN each is deployed through the script
    const a = cdktfSh('cdktf-sh-lab-a', ['deploy', '--auto-approve']);
    const b = cdktfSh('cdktf-sh-lab-b', ['deploy', '--auto-approve']);

    // THEN cdktf synthesizes each into its own directory (created for it)
    expect(a.argv).toBe(`cdktf deploy --skip-provider-lock --output ${a.labDir} --auto-approve`);
    expect(b.argv).toBe(`cdktf deploy --skip-provider-lock --output ${b.labDir} --auto-approve`);
    expect(fs.statSync(a.labDir).isDirectory()).toBe(true);
  });

  test("leaves a caller's --output alone (the e2e harness passes its own)", () => {
    const { argv } = cdktfSh('cdktf-sh-lab-a', ['destroy', '--auto-approve', '--output', '/srv/run/cdktf.out']);
    expect(argv).toBe('cdktf destroy --skip-provider-lock --auto-approve --output /srv/run/cdktf.out');
  });

  test('a successful destroy removes the lab\'s synth directory (its seeds hold the VRRP password); a failed one keeps it', () => {
    // GIVEN a lab that was synthesized
    const { labDir } = cdktfSh('cdktf-sh-lab-a', ['synth']);
    fs.mkdirSync(path.join(labDir, 'seeds'), { recursive: true });

    // WHEN its destroy fails THEN everything stays for the next attempt
    cdktfSh('cdktf-sh-lab-a', ['destroy', '--auto-approve'], 1);
    expect(fs.existsSync(path.join(labDir, 'seeds'))).toBe(true);

    // WHEN it succeeds THEN nothing of the lab is left in cdktf.out
    cdktfSh('cdktf-sh-lab-a', ['destroy', '--auto-approve']);
    expect(fs.existsSync(labDir)).toBe(false);
  });
});
