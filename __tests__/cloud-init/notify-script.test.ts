import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderNotifyScript } from '../../cloud-init';
import { shellcheck } from '../helpers/shellcheck';

describe('renderNotifyScript', () => {
  test('passes shellcheck', () => {
    const result = shellcheck(renderNotifyScript({ logFile: '/var/log/keepalived-state.log' }));
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  test('defaults the state file to /run/keepalived/state', () => {
    const script = renderNotifyScript({ logFile: '/var/log/keepalived-state.log' });
    expect(script).toContain("readonly LOG_FILE='/var/log/keepalived-state.log'\nreadonly STATE_FILE='/run/keepalived/state'\n");
  });
});

describe('notify script behaviour (temporary files, fake logger)', () => {
  let dir: string;
  let script: string;
  let logFile: string;
  let stateFile: string;
  let syslogFile: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvslab-notify-'));
    // Directories that do not exist yet: the hook must create them.
    logFile = path.join(dir, 'log', 'keepalived-state.log');
    stateFile = path.join(dir, 'run', 'keepalived', 'state');
    script = path.join(dir, 'lvs-lab-notify');
    fs.writeFileSync(script, renderNotifyScript({ logFile, stateFile }), { mode: 0o755 });
    // A stand-in `logger` records what would go to syslog.
    syslogFile = path.join(dir, 'syslog');
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'logger'), `#!/bin/sh\nprintf '%s|' "$@" >> '${syslogFile}'\necho >> '${syslogFile}'\n`, { mode: 0o755 });
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // As keepalived calls it: <script> TYPE NAME STATE PRIORITY
  const notify = (...args: string[]) =>
    spawnSync(script, args, { encoding: 'utf8', env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` } });

  test('an instance transition is logged, sent to syslog and becomes the current state', () => {
    // WHEN keepalived reports VI_LAB entering MASTER
    const result = notify('INSTANCE', 'VI_LAB', 'MASTER', '180');

    // THEN
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d INSTANCE VI_LAB MASTER 180\n$/);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe('MASTER\n');
    expect(fs.readFileSync(`${stateFile}.VI_LAB`, 'utf8')).toBe('MASTER\n');
    expect(fs.readFileSync(syslogFile, 'utf8')).toMatch(/^-t\|keepalived-notify\|--\|\S+ INSTANCE VI_LAB MASTER 180\|\n$/);
    expect(fs.statSync(stateFile).mode & 0o777).toBe(0o644);
  });

  test('a later transition is appended and replaces the state', () => {
    notify('INSTANCE', 'VI_LAB', 'BACKUP', '180');
    const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n');
    expect(lines.map((line) => line.split(' ').slice(1).join(' '))).toEqual(['INSTANCE VI_LAB MASTER 180', 'INSTANCE VI_LAB BACKUP 180']);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe('BACKUP\n');
    // no temporary files are left next to the state file
    expect(fs.readdirSync(path.dirname(stateFile)).sort()).toEqual(['state', 'state.VI_LAB']);
  });

  test('a group transition is logged but leaves the state files alone', () => {
    notify('GROUP', 'LVS_LAB', 'FAULT');
    expect(fs.readFileSync(logFile, 'utf8')).toMatch(/ GROUP LVS_LAB FAULT\n$/);
    expect(fs.readFileSync(stateFile, 'utf8')).toBe('BACKUP\n');
  });

  test('an instance name cannot escape the state directory', () => {
    notify('INSTANCE', '../../evil name', 'MASTER', '100');
    expect(fs.existsSync(`${stateFile}..._.._evil_name`)).toBe(true);
    expect(fs.readdirSync(path.dirname(stateFile))).toHaveLength(3);
  });
});
