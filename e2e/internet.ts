/**
 * The stand-in for the internet, inside the sandbox's internet namespace (e2e/sandbox.sh):
 * a DNS server that answers for exactly the host names the lab's config points at, and an
 * HTTP(S) server (e2e/internet/server.js) that serves, under those names and paths, the cloud
 * image the provider downloads and the Debian repository the VMs install from. Nothing here is
 * reachable from, or routed to, the host's interfaces.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One URL prefix the stand-in serves, and what it serves there. */
export interface Site {
  /** e.g. https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2 */
  readonly url: string;
  /** A file (served at exactly `url`) or a directory (served below `url`). */
  readonly target: string;
}

export interface Internet {
  /** Every host name the DNS stand-in answers for. */
  readonly hosts: readonly string[];
  /** The CA the HTTPS stand-in's certificate chains to (for SSL_CERT_FILE). */
  readonly caFile: string;
  readonly accessLog: string;
  readonly dnsLog: string;
  /** Requests served so far. */
  requests(): AccessLine[];
}

export interface AccessLine {
  readonly t: number;
  readonly client: string;
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly bytes: number;
}

/**
 * Starts the stand-in servers in `wanNs` on `wanIp` (ports 53, 80 and 443). They live until the
 * sandbox's namespaces are torn down.
 */
export function startInternet(o: { wanNs: string; wanIp: string; dir: string; sites: readonly Site[] }): Internet {
  const www = path.join(o.dir, 'www');
  fs.mkdirSync(www, { recursive: true });
  const hosts = new Set<string>();
  for (const site of o.sites) {
    const url = new URL(site.url);
    hosts.add(url.hostname);
    const at = path.join(www, url.hostname, decodeURIComponent(url.pathname).replace(/\/+$/, ''));
    if (!at.startsWith(path.join(www, url.hostname))) throw new Error(`stand-in: unsafe path in ${site.url}`);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.rmSync(at, { force: true, recursive: true });
    // Hard links, not symlinks: the server refuses anything that resolves outside its root.
    const cp = spawnSync('cp', ['-al', path.resolve(site.target), at], { encoding: 'utf8' });
    if (cp.status !== 0) {
      const copy = spawnSync('cp', ['-a', path.resolve(site.target), at], { encoding: 'utf8' });
      if (copy.status !== 0) throw new Error(`stand-in: cannot place ${site.target} at ${at}: ${copy.stderr}`);
    }
  }

  const certDir = path.join(o.dir, 'tls');
  const cert = spawnSync('bash', [path.join(__dirname, 'internet', 'make-cert.sh'), certDir, 'stand-in.lvs-lab.test', ...hosts], { encoding: 'utf8', timeout: 60_000 });
  if (cert.status !== 0) throw new Error(`stand-in: make-cert.sh failed: ${cert.stderr}`);

  const dnsLog = path.join(o.dir, 'dns.log');
  const accessLog = path.join(o.dir, 'access.jsonl');
  // Exactly these names resolve (to the stand-in); every other name is NXDOMAIN at once.
  const dnsmasq = spawnSync(
    'ip',
    [
      'netns', 'exec', o.wanNs, 'dnsmasq', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--bind-interfaces',
      `--listen-address=${o.wanIp}`, '--log-queries', `--log-facility=${dnsLog}`, `--pid-file=${path.join(o.dir, 'dnsmasq.pid')}`,
      ...[...hosts].map((h) => `--address=/${h}/${o.wanIp}`), '--address=/#/',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (dnsmasq.status !== 0) throw new Error(`stand-in: dnsmasq failed: ${dnsmasq.stderr}`);

  const server = spawn(
    'ip',
    [
      'netns', 'exec', o.wanNs, process.execPath, path.join(__dirname, 'internet', 'server.js'), '--root', www, '--log', accessLog,
      '--http', `${o.wanIp}:80`, '--https', `${o.wanIp}:443`, '--cert', path.join(certDir, 'server.pem'), '--key', path.join(certDir, 'server.key'),
    ],
    { stdio: ['ignore', 'ignore', fs.openSync(path.join(o.dir, 'server.log'), 'a')], detached: true },
  );
  server.unref();
  // Ready when both ports answer (from inside the namespace).
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = spawnSync('ip', ['netns', 'exec', o.wanNs, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${o.wanIp}/`], { encoding: 'utf8', timeout: 5000 });
    if (/^\d{3}$/.test(probe.stdout) && probe.stdout !== '000') break;
    if (Date.now() > deadline) throw new Error(`stand-in: server.js did not answer on ${o.wanIp}:80 (see ${path.join(o.dir, 'server.log')})`);
    spawnSync('sleep', ['0.2']);
  }

  const described: InternetFiles = { hosts: [...hosts], caFile: path.join(certDir, 'ca.pem'), accessLog, dnsLog };
  fs.writeFileSync(path.join(o.dir, 'internet.json'), JSON.stringify(described, null, 2));
  return internetOf(described);
}

/** What a running stand-in is, as startInternet describes it in `<dir>/internet.json`. */
interface InternetFiles {
  readonly hosts: readonly string[];
  readonly caFile: string;
  readonly accessLog: string;
  readonly dnsLog: string;
}

/**
 * The stand-in another lab's run started in the same sandbox (its `dir`), for a second lab
 * deployed beside the first: one stand-in per sandbox, serving every lab's sites.
 */
export function attachInternet(dir: string): Internet {
  const file = path.join(dir, 'internet.json');
  if (!fs.existsSync(file)) throw new Error(`stand-in: no running stand-in described in ${file}`);
  return internetOf(JSON.parse(fs.readFileSync(file, 'utf8')) as InternetFiles);
}

function internetOf(f: InternetFiles): Internet {
  return {
    ...f,
    requests: () =>
      fs.existsSync(f.accessLog)
        ? fs.readFileSync(f.accessLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AccessLine)
        : [],
  };
}
