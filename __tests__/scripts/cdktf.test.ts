import { spawn, spawnSync } from 'node:child_process';
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
    if (!fs.existsSync(`${labDir}.lock`)) labDirs.push(`${labDir}.lock`);
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
    const a = cdktfSh('cdktf-sh-lab-a', ['deploy', '--auto-approve', '--no-wait']);
    const b = cdktfSh('cdktf-sh-lab-b', ['deploy', '--no-wait', '--auto-approve']);

    // THEN cdktf synthesizes each into its own directory (created for it), without our --no-wait
    expect(a.argv).toBe(`cdktf deploy --skip-provider-lock --output ${a.labDir} --auto-approve`);
    expect(b.argv).toBe(`cdktf deploy --skip-provider-lock --output ${b.labDir} --auto-approve`);
    expect(fs.statSync(a.labDir).isDirectory()).toBe(true);
  });

  test('a deploy ends with `lvs-lab wait` once cdktf is done: its verdict is the deploy\'s exit status; --no-wait returns at cdktf\'s end', () => {
    // GIVEN a stand-in ssh that finds no VM listening (as while the VMs boot), and a wait of 1 s
    fs.writeFileSync(path.join(dir, 'ssh'), '#!/bin/sh\nfor a; do case $a in lab@*) h=${a#lab@} ;; esac; done\necho "ssh: connect to host $h port 22: Connection refused" >&2\nexit 255\n', { mode: 0o755 });
    const config = path.join(dir, 'cdktf-sh-lab-w.yaml');
    fs.writeFileSync(config, 'name: cdktf-sh-lab-w\n');
    labDirs.push(path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lab-w'), path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lab-w.lock'));
    const deploy = (...extra: string[]) => spawnSync('bash', [path.join(root, 'scripts', 'cdktf.sh'), 'deploy', '--auto-approve', ...extra], {
      // a HOME without keys (the wait's ssh command line names none), the provider cache and npm's kept
      env: {
        ...process.env, PATH: `${dir}:${process.env.PATH}`, LAB_CONFIG: config, LAB_WAIT_TIMEOUT_SEC: '1', HOME: dir,
        LVS_LAB_CACHE: process.env.LVS_LAB_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'lvs-dr-lab'),
        npm_config_cache: process.env.npm_config_cache || path.join(os.homedir(), '.npm'),
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
    // WHEN the lab is deployed THEN cdktf ran, then the wait, which names every VM it could not reach, and the deploy fails
    const r = deploy();
    expect(r.stdout).toContain(`cdktf deploy --skip-provider-lock --output ${path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lab-w')} --auto-approve`);
    expect(r.stderr).toContain('lvs-lab wait: lab cdktf-sh-lab-w: waiting for cloud-init on 4 VMs');
    expect(r.stdout).toContain('✗ rs-2: `ssh lab@192.168.20.144` did not get through within 1 s: ssh: connect to host 192.168.20.144 port 22: Connection refused');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('lvs-lab wait: lab cdktf-sh-lab-w is not ready after 1 s: 4 problems.');
    expect(r.status).toBe(1);
    // WHEN it is deployed with --no-wait THEN it ends with cdktf, which never sees the option
    const n = deploy('--no-wait');
    expect(n.status).toBe(0);
    expect(n.stdout.trim()).toBe(`cdktf deploy --skip-provider-lock --output ${path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lab-w')} --auto-approve`);
    expect(n.stderr).not.toContain('lvs-lab wait');
  });

  test('--no-wait belongs to deploy alone', () => {
    const config = path.join(dir, 'cdktf-sh-lab-n.yaml');
    fs.writeFileSync(config, 'name: cdktf-sh-lab-n\n');
    const r = spawnSync('bash', [path.join(root, 'scripts', 'cdktf.sh'), 'diff', '--no-wait'], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, LAB_CONFIG: config }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('cdktf.sh: --no-wait is an option of deploy only\n');
  });

  test('cdktf and terraform run with umask 077: the state file they write is readable by the user alone', () => {
    // GIVEN a stand-in npx that creates a file as terraform creates its state file
    const state = path.join(dir, 'terraform.umask.tfstate');
    fs.writeFileSync(path.join(dir, 'npx'), `#!/bin/sh\n: > ${state}\n`, { mode: 0o755 });
    try {
      // WHEN a lab is deployed through the script
      cdktfSh('cdktf-sh-lab-a', ['deploy', '--auto-approve', '--no-wait']);
      // THEN the file has no group or other permission
      expect(fs.statSync(state).mode & 0o777).toBe(0o600);
    } finally {
      fs.writeFileSync(path.join(dir, 'npx'), '#!/bin/sh\necho "$@"\nexit "${NPX_STATUS:-0}"\n', { mode: 0o755 });
    }
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

  test('one command at a time per lab: a second deploy or synth of a lab being deployed fails at once, naming what holds it; another lab goes ahead', async () => {
    // GIVEN a stand-in cdktf that runs until told to end, and lab A's deploy running with it
    const release = path.join(dir, 'release');
    const started = path.join(dir, 'started');
    fs.writeFileSync(path.join(dir, 'npx'), [
      '#!/bin/bash',
      'case " $* " in *" deploy "*) touch "$STARTED"; for i in $(seq 600); do [[ -e "$RELEASE" ]] && break; sleep 0.1; done ;; esac',
      'echo "$@"',
    ].join('\n'), { mode: 0o755 });
    const env = (labName: string) => {
      const config = path.join(dir, `${labName}.yaml`);
      fs.writeFileSync(config, `name: ${labName}\n`);
      labDirs.push(path.join(root, 'cdktf.out', 'labs', labName), path.join(root, 'cdktf.out', 'labs', `${labName}.lock`));
      return { ...process.env, PATH: `${dir}:${process.env.PATH}`, LAB_CONFIG: config, RELEASE: release, STARTED: started };
    };
    const script = path.join(root, 'scripts', 'cdktf.sh');
    const first = spawn('bash', [script, 'deploy', '--auto-approve', '--no-wait'], { env: env('cdktf-sh-lock-a'), stdio: ['ignore', 'pipe', 'pipe'] });
    const firstExit = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(started) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(started)).toBe(true);
    try {
      // WHEN the same lab is deployed, or synthesized, again THEN it fails at once, naming the lab and the holder
      for (const command of ['deploy', 'synth']) {
        const t0 = Date.now();
        const second = spawnSync('bash', [script, command], { env: env('cdktf-sh-lock-a'), encoding: 'utf8', timeout: 60_000 });
        expect(second.status).toBe(75);
        expect(second.stdout).toBe('');
        expect(second.stderr).toMatch(new RegExp(
          `^cdktf\\.sh: lab cdktf-sh-lock-a is busy: pid ${first.pid}: scripts/cdktf\\.sh deploy \\(since [0-9-]+ [0-9:]+\\) holds ` +
            `${path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lock-a.lock').replace(/[.]/g, '\\.')}; wait for it to end, then run ${command} again\n$`));
        expect(Date.now() - t0).toBeLessThan(20_000); // ts-node's start, no waiting for the lock
      }
      // WHEN another lab is synthesized meanwhile THEN it goes ahead
      const other = spawnSync('bash', [script, 'synth'], { env: env('cdktf-sh-lock-b'), encoding: 'utf8', timeout: 60_000 });
      expect(other.status).toBe(0);
      expect(other.stdout.trim()).toBe(`cdktf synth --output ${path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lock-b')}`);
    } finally {
      fs.writeFileSync(release, '');
    }
    // THEN the first deploy ends as usual, and the lab is free again
    expect(await firstExit).toBe(0);
    const again = spawnSync('bash', [script, 'synth'], { env: env('cdktf-sh-lock-a'), encoding: 'utf8', timeout: 60_000 });
    expect(again.status).toBe(0);
  }, 180_000);

  test('Ctrl-C on a deploy gives terraform exactly one interrupt, so it stops gracefully and saves its state', async () => {
    // GIVEN stand-ins that behave as cdktf and terraform do on SIGINT: cdktf passes it on to
    // terraform, and terraform stops gracefully on the first one but exits at once on a second
    // (losing the state of what it was creating)
    const record = path.join(dir, 'terraform.record');
    fs.writeFileSync(path.join(dir, 'terraform'), [
      '#!/bin/bash',
      `ints=0; trap 'ints=$((ints+1)); echo INT >>${record}; [[ $ints -ge 2 ]] && { echo "exit at once" >>${record}; exit 1; }' INT`,
      `echo running >>${record}`,
      'for i in $(seq 100); do sleep 0.1; [[ $ints -ge 1 ]] && break; done',
      'sleep 1',
      `echo "state saved" >>${record}`,
      'exit 1',
    ].join('\n'), { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'npx'), [
      '#!/bin/bash',
      // As node's spawn does (a script's background job would start with SIGINT ignored).
      'env --default-signal=INT terraform & tf=$!',
      "trap 'kill -INT $tf' INT",
      'wait $tf; wait $tf; exit $?',
    ].join('\n'), { mode: 0o755 });
    const config = path.join(dir, 'cdktf-sh-lab-a.yaml');
    fs.writeFileSync(config, 'name: cdktf-sh-lab-a\n');
    labDirs.push(path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lab-a'), path.join(root, 'cdktf.out', 'labs', 'cdktf-sh-lab-a.lock'));
    // WHEN the deploy runs in its own process group and that group gets SIGINT, as a terminal's Ctrl-C
    const proc = spawn('bash', [path.join(root, 'scripts', 'cdktf.sh'), 'deploy', '--auto-approve'], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, LAB_CONFIG: config, TERRAFORM_BINARY_NAME: 'terraform' },
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!(fs.existsSync(record) && fs.readFileSync(record, 'utf8').includes('running')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(-proc.pid!, 'SIGINT');
    const code = await exited;

    // THEN terraform got one interrupt, finished and saved its state; the deploy failed (exit 1)
    expect(fs.readFileSync(record, 'utf8').trim().split('\n')).toEqual(['running', 'INT', 'state saved']);
    expect(code).toBe(1);
  }, 90_000);
});
