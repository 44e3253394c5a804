import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { httpGet, localOpsHost, parseSession, runProgram, sessionScript, sshArgs, sshFailure } from '../../ops/host';

describe('one ssh session, several commands', () => {
  test('the session script run by a real sh gives each command its own status and output', async () => {
    const commands = ['echo MASTER', 'echo "sudo: a password is required" >&2; exit 1', 'printf "a\\nb\\n"', 'true'];
    const r = await runProgram('sh', ['-c', sessionScript(commands)], 5000);
    expect(r.status).toBe(0);
    expect(parseSession(r.stdout, commands.length)).toEqual([
      { status: 0, output: 'MASTER' },
      { status: 1, output: 'sudo: a password is required' },
      { status: 0, output: 'a\nb' },
      { status: 0, output: '' },
    ]);
  });

  test('a session cut short (a marker missing) is no answer', () => {
    expect(parseSession('MASTER\n@@lvs-lab-step 0 0\nactive\n', 2)).toBeUndefined();
  });

  test('a command reading stdin does not eat the next command', async () => {
    const r = await runProgram('sh', ['-c', sessionScript(['cat', 'echo after'])], 5000);
    expect(parseSession(r.stdout, 2)).toEqual([{ status: 0, output: '' }, { status: 0, output: 'after' }]);
  });
});

describe('sshArgs', () => {
  test('batch mode, no host-key prompt or record, bounded connect, the key when given', () => {
    expect(sshArgs({ user: 'lab', keyFile: '/home/me/.ssh/id_ed25519' }, '192.168.20.141')).toEqual([
      '-i', '/home/me/.ssh/id_ed25519',
      '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      '-o', 'ConnectTimeout=5', '-o', 'ServerAliveInterval=5', '-o', 'ServerAliveCountMax=2', 'lab@192.168.20.141',
    ]);
    expect(sshArgs({ user: 'lab' }, '192.168.20.141')).not.toContain('-i');
  });

  test('a shared connection: the real ssh reads the options as one master per VM in the given directory, kept 120 s', async () => {
    const args = sshArgs({ user: 'lab' }, '192.0.2.1', '/run/lvs-lab-ssh-x');
    const r = await runProgram('ssh', ['-G', ...args], 5000);
    expect(r.status).toBe(0);
    const effective = r.stdout.split('\n').filter((l) => l.startsWith('control'));
    expect(effective[0]).toBe('controlmaster auto');
    expect(effective[1]).toMatch(/^controlpath \/run\/lvs-lab-ssh-x\/[0-9a-f]{40}$/);
    expect(effective[2]).toBe('controlpersist 120');
  });
});

describe('localOpsHost with shared connections', () => {
  test('every session names one private control directory; close() ends each VM\'s master and removes the directory', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-fake-ssh-'));
    const calls = path.join(bin, 'calls');
    try {
      // an ssh that records its arguments and answers like a VM running the session script
      fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\necho "$*" >> ${calls}\nfor last; do :; done\ncase "$*" in *" -O exit "*) exit 0;; esac\nexec sh -c "$last"\n`, { mode: 0o755 });
      const host = localOpsHost({ user: 'lab' }, { ...process.env, PATH: `${bin}:${process.env.PATH}` }, { shareConnections: true });
      const a = await host.remote('192.0.2.1', ['echo one'], 5000);
      const b = await host.remote('192.0.2.1', ['echo two'], 5000);
      await host.remote('192.0.2.2', ['true'], 5000);
      expect([a, b]).toEqual([{ reached: true, steps: [{ status: 0, output: 'one' }] }, { reached: true, steps: [{ status: 0, output: 'two' }] }]);
      const lines = fs.readFileSync(calls, 'utf8').trim().split('\n');
      const dirs = new Set(lines.map((l) => /ControlPath=(\S+)\/%C/.exec(l)?.[1]));
      expect(dirs.size).toBe(1);
      const dir = [...dirs][0]!;
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
      await host.close?.();
      const exits = fs.readFileSync(calls, 'utf8').trim().split('\n').slice(lines.length);
      expect(exits.map((l) => l.replace(/^.* -O exit /, '')).sort()).toEqual(['lab@192.0.2.1', 'lab@192.0.2.2']);
      expect(exits.every((l) => l.includes(`ControlPath=${dir}/%C`))).toBe(true);
      expect(fs.existsSync(dir)).toBe(false);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test('without sharing, no control option and nothing to close', async () => {
    expect(sshArgs({ user: 'lab' }, '192.0.2.1').join(' ')).not.toMatch(/Control/);
    await expect(localOpsHost({ user: 'lab' }).close?.()).resolves.toBeUndefined();
  });
});

describe('sshFailure', () => {
  test.each([
    [{ status: 255, stdout: '', stderr: 'ssh: connect to host 192.168.20.141 port 22: Connection refused\n' }, 'ssh: connect to host 192.168.20.141 port 22: Connection refused'],
    [{ status: 255, stdout: '', stderr: 'Warning: Identity file /nonexistent not accessible: No such file or directory.\nlab@192.168.20.141: Permission denied (publickey).\n' }, 'lab@192.168.20.141: Permission denied (publickey).'],
    [{ status: null, stdout: '', stderr: '', error: 'ETIMEDOUT' }, 'no answer within 20 s'],
    [{ status: null, stdout: '', stderr: '', error: 'ENOENT' }, 'ssh is not installed on this machine'],
  ])('%j -> %s', (result, why) => {
    expect(sshFailure(result, 20_000)).toBe(why);
  });
});

describe('runProgram', () => {
  test('killed at its time limit', async () => {
    const r = await runProgram('sleep', ['5'], 200);
    expect(r).toMatchObject({ status: null, error: 'ETIMEDOUT' });
  });
  test('a program that is not installed', async () => {
    expect(await runProgram('no-such-program-lvs', [], 1000)).toMatchObject({ status: null, error: 'ENOENT' });
  });
});

describe('httpGet', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000).unref();
      if (req.url === '/missing') return void res.writeHead(404).end('not found\n');
      res.end('served-by rs-2 192.168.20.144\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  test('a 200 with its body, trimmed', async () => {
    expect(await httpGet(`${base}/`, 1000)).toEqual({ ok: true, status: 200, body: 'served-by rs-2 192.168.20.144' });
  });
  test('another status is a failure with its status', async () => {
    expect(await httpGet(`${base}/missing`, 1000)).toMatchObject({ ok: false, status: 404 });
  });
  test('no answer within the time limit', async () => {
    expect(await httpGet(`${base}/slow`, 200)).toEqual({ ok: false, error: 'no answer within 200 ms' });
  });
  test('nobody listening', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    expect(await httpGet(`http://127.0.0.1:${port}/`, 1000)).toEqual({ ok: false, error: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });
});
