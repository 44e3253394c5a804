import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireTool } from '../helpers/tools';

/*
 * e2e/internet/server.js, the e2e's stand-in for deb.debian.org and cloud.debian.org, on
 * loopback: virtual hosts over http and https (certificate from e2e/internet/make-cert.sh),
 * ranges, 404s, `..` refusal, the request log and a clean SIGTERM.
 */
const repo = path.resolve(__dirname, '../..');
const serverJs = path.join(repo, 'e2e/internet/server.js');
const makeCert = path.join(repo, 'e2e/internet/make-cert.sh');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lvs-lab-internet-'));
const root = path.join(tmp, 'root');
const logFile = path.join(tmp, 'requests.log');
const tlsDir = path.join(tmp, 'tls');

// GIVEN a tree with two virtual hosts, an alias host (a symlink inside the root), a file
// outside the root and a symlink leading to it
const packages = randomBytes(300_000);
const image = randomBytes(1_000_000);
const outsideText = 'must never be served\n';
fs.mkdirSync(path.join(root, 'deb.debian.org/debian/dists'), { recursive: true });
fs.mkdirSync(path.join(root, 'cloud.debian.org/images'), { recursive: true });
fs.writeFileSync(path.join(root, 'deb.debian.org/debian/Packages'), packages);
fs.writeFileSync(path.join(root, 'cloud.debian.org/images/debian-12.qcow2'), image);
fs.writeFileSync(path.join(tmp, 'outside.txt'), outsideText);
fs.symlinkSync('deb.debian.org', path.join(root, 'security.debian.org'));
fs.symlinkSync('../../outside.txt', path.join(root, 'deb.debian.org/leak.txt'));
const mtime = new Date('2026-01-02T03:04:05Z');
fs.utimesSync(path.join(root, 'deb.debian.org/debian/Packages'), mtime, mtime);

let server: ChildProcess;
let exited: Promise<number | null>;
let ports: { http: number; https: number };
let ca: Buffer;

beforeAll(async () => {
  requireTool('openssl', 'openssl');
  const cert = spawnSync('bash', [makeCert, tlsDir, 'cloud.debian.org', 'deb.debian.org'], { encoding: 'utf8' });
  if (cert.status !== 0) throw new Error(`make-cert.sh failed: ${cert.stderr}`);
  expect(cert.stdout.trim().split('\n').pop()).toBe(path.join(tlsDir, 'ca.pem'));
  ca = fs.readFileSync(path.join(tlsDir, 'ca.pem'));

  server = spawn(process.execPath, [serverJs, '--root', root, '--log', logFile, '--http', '127.0.0.1:0',
    '--https', '127.0.0.1:0', '--cert', path.join(tlsDir, 'server.pem'), '--key', path.join(tlsDir, 'server.key')],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((resolve) => server.once('exit', (code) => resolve(code)));
  let stderr = '';
  server.stderr!.on('data', (chunk) => { stderr += chunk; });
  const listening = await new Promise<{ http: string; https: string }>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]).listening);
    });
    server.once('exit', (code) => reject(new Error(`server.js exited ${code}: ${stderr}`)));
  });
  ports = { http: Number(listening.http.split(':')[1]), https: Number(listening.https.split(':')[1]) };
});

afterAll(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request to the stand-in, as a client resolving `host` to it would make it. */
function request(scheme: 'http' | 'https', host: string, urlPath: string,
  opts: { method?: string; headers?: Record<string, string>; ca?: Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = { host: '127.0.0.1', path: urlPath, method: opts.method ?? 'GET', headers: { Host: host, ...opts.headers }, agent: false } as const;
    const onReply = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    };
    const req = scheme === 'http'
      ? http.request({ ...common, port: ports.http }, onReply)
      : https.request({ ...common, port: ports.https, servername: host, ca: opts.ca ?? ca }, onReply);
    req.on('error', reject);
    req.end();
  });
}

describe('e2e/internet/server.js: the stand-in for the internet', () => {
  test('serves DIR/HOST/PATH by the Host header over http, with length and modification time', async () => {
    // WHEN
    const got = await request('http', 'deb.debian.org', '/debian/Packages');
    const head = await request('http', 'deb.debian.org', '/debian/Packages', { method: 'HEAD' });
    // THEN
    expect(got.status).toBe(200);
    expect(got.body.equals(packages)).toBe(true);
    expect(got.headers['content-length']).toBe(String(packages.length));
    expect(got.headers['last-modified']).toBe(mtime.toUTCString());
    expect(got.headers['accept-ranges']).toBe('bytes');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe(String(packages.length));
  });

  test('serves over https with a certificate the generated CA vouches for, and only with that CA', async () => {
    // WHEN
    const got = await request('https', 'cloud.debian.org', '/images/debian-12.qcow2');
    // THEN
    expect(got.status).toBe(200);
    expect(got.body.equals(image)).toBe(true);
    await expect(request('https', 'cloud.debian.org', '/images/debian-12.qcow2', { ca: fs.readFileSync(path.join(tlsDir, 'server.pem')) }))
      .rejects.toThrow();
  });

  test('answers a single Range with 206 and exactly those bytes', async () => {
    // WHEN
    const mid = await request('https', 'cloud.debian.org', '/images/debian-12.qcow2', { headers: { Range: 'bytes=1000-1999' } });
    const tail = await request('http', 'deb.debian.org', '/debian/Packages', { headers: { Range: 'bytes=-10' } });
    const resume = await request('http', 'deb.debian.org', '/debian/Packages', { headers: { Range: 'bytes=299990-' } });
    const past = await request('http', 'deb.debian.org', '/debian/Packages', { headers: { Range: 'bytes=300000-' } });
    const stale = await request('http', 'deb.debian.org', '/debian/Packages',
      { headers: { Range: 'bytes=0-9', 'If-Range': 'Thu, 01 Jan 2026 00:00:00 GMT' } });
    // THEN
    expect(mid.status).toBe(206);
    expect(mid.headers['content-range']).toBe(`bytes 1000-1999/${image.length}`);
    expect(mid.body.equals(image.subarray(1000, 2000))).toBe(true);
    expect(tail.status).toBe(206);
    expect(tail.body.equals(packages.subarray(packages.length - 10))).toBe(true);
    expect(resume.headers['content-range']).toBe(`bytes 299990-299999/${packages.length}`);
    expect(resume.body.equals(packages.subarray(299990))).toBe(true);
    expect(past.status).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${packages.length}`);
    expect(stale.status).toBe(200); // the file changed since: the whole of it
    expect(stale.body.length).toBe(packages.length);
  });

  test('answers If-Modified-Since with 304 when the file is unchanged', async () => {
    const got = await request('http', 'deb.debian.org', '/debian/Packages', { headers: { 'If-Modified-Since': mtime.toUTCString() } });
    expect(got.status).toBe(304);
    expect(got.body.length).toBe(0);
  });

  test('404s a missing file, an unknown host, a directory and a symlink leading out of the root; follows one inside', async () => {
    expect((await request('http', 'deb.debian.org', '/debian/nope')).status).toBe(404);
    expect((await request('http', 'example.org', '/debian/Packages')).status).toBe(404);
    expect((await request('http', 'deb.debian.org', '/debian/dists/')).status).toBe(404);
    const leak = await request('http', 'deb.debian.org', '/leak.txt');
    expect(leak.status).toBe(404);
    expect(leak.body.toString()).not.toContain(outsideText.trim());
    const alias = await request('http', 'security.debian.org', '/debian/Packages');
    expect(alias.status).toBe(200);
    expect(alias.body.equals(packages)).toBe(true);
  });

  test('refuses `..` in the path (plain or percent-encoded) and in the Host header', async () => {
    for (const p of ['/../outside.txt', '/debian/../../../outside.txt', '/debian/%2e%2e/%2E%2E/../outside.txt', '/..%2f..%2foutside.txt']) {
      const got = await request('http', 'deb.debian.org', p);
      expect([p, got.status]).toEqual([p, 400]);
      expect(got.body.toString()).not.toContain(outsideText.trim());
    }
    expect((await request('http', '..', '/outside.txt')).status).toBe(400);
    expect((await request('http', 'deb.debian.org/..', '/outside.txt')).status).toBe(400);
  });

  test('rejects methods other than GET and HEAD', async () => {
    const got = await request('http', 'deb.debian.org', '/debian/Packages', { method: 'PUT' });
    expect(got.status).toBe(405);
    expect(got.headers.allow).toBe('GET, HEAD');
  });

  test('logs one JSON line per request: t, client, host, method, path, status, bytes', async () => {
    // GIVEN the requests above and one more
    const before = Date.now();
    await request('http', 'deb.debian.org', '/debian/Packages', { headers: { Range: 'bytes=0-99' } });
    // WHEN the log has caught up (it is written when the response closes)
    let lines: Record<string, unknown>[] = [];
    for (let i = 0; i < 50; i++) {
      lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      if (lines.some((l) => l.method === 'GET' && l.status === 206 && l.bytes === 100 && (l.t as number) >= before)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // THEN
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['bytes', 'client', 'host', 'method', 'path', 'status', 't']);
      expect(line.client).toBe('127.0.0.1');
    }
    expect(lines).toContainEqual(expect.objectContaining({ host: 'deb.debian.org', method: 'GET', path: '/debian/Packages', status: 206, bytes: 100 }));
    expect(lines).toContainEqual(expect.objectContaining({ host: 'deb.debian.org', method: 'GET', path: '/debian/Packages', status: 200, bytes: packages.length }));
    expect(lines).toContainEqual(expect.objectContaining({ host: 'deb.debian.org', method: 'HEAD', path: '/debian/Packages', status: 200, bytes: 0 }));
    expect(lines).toContainEqual(expect.objectContaining({ host: 'cloud.debian.org', method: 'GET', path: '/images/debian-12.qcow2', status: 200, bytes: image.length }));
    expect(lines).toContainEqual(expect.objectContaining({ host: 'deb.debian.org', path: '/../outside.txt', status: 400 }));
    expect(lines).toContainEqual(expect.objectContaining({ host: 'example.org', status: 404 }));
    expect(lines.every((l) => typeof l.t === 'number' && (l.t as number) > 1.7e12)).toBe(true);
  });

  test('exits 0 on SIGTERM', async () => {
    server.kill('SIGTERM');
    await expect(exited).resolves.toBe(0);
  });
});
