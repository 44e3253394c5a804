// The e2e's stand-in for the internet: a static file server with virtual hosts, run inside the
// sandbox's namespaces so the lab's VMs (apt) and terraform-provider-libvirt (the image URL)
// reach "deb.debian.org" and "cloud.debian.org" without leaving the machine.
//
//   node e2e/internet/server.js --root DIR --log FILE [--http ADDR:PORT]
//                               [--https ADDR:PORT --cert CERT --key KEY]
//
// A request for http(s)://HOST/PATH serves DIR/HOST/PATH: GET and HEAD only, Content-Length,
// Last-Modified, ETag, If-Modified-Since / If-None-Match (304), single Range requests (206, and
// If-Range); multi-range requests get the whole file. Paths with a `..` segment are refused
// (400); symlinks are followed while they resolve inside DIR, anything else is a 404, as are
// directories. Files are streamed, never read whole. One JSON line per request goes to FILE:
// {t, client, host, method, path, status, bytes} (t: epoch ms at the request, bytes: body bytes
// sent). Once listening it prints {"listening":{"http":"ADDR:PORT","https":"ADDR:PORT"}} on
// stdout (port 0 picks a free port). SIGTERM or SIGINT: stop listening, drop connections, exit 0.
// Plain node, no dependencies.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');

const USAGE = 'usage: node server.js --root DIR --log FILE [--http ADDR:PORT] [--https ADDR:PORT --cert CERT --key KEY]';

function fail(message) {
  process.stderr.write(`server.js: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const known = new Set(['--root', '--log', '--http', '--https', '--cert', '--key']);
  const opts = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!known.has(argv[i]) || argv[i + 1] === undefined) fail(`bad argument ${argv[i]}`);
    opts[argv[i].slice(2)] = argv[i + 1];
  }
  if (!opts.root || !opts.log) fail('--root and --log are required');
  if (!opts.http && !opts.https) fail('give --http and/or --https');
  if (opts.https && (!opts.cert || !opts.key)) fail('--https needs --cert and --key');
  return opts;
}

/** "ADDR:PORT" or "[V6ADDR]:PORT" -> {host, port}. */
function parseListen(spec) {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(spec);
  if (!m) fail(`bad listen address ${spec} (ADDR:PORT)`);
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}

const TYPES = {
  '.asc': 'application/pgp-keys',
  '.deb': 'application/vnd.debian.binary-package',
  '.gpg': 'application/pgp-signature',
  '.gz': 'application/gzip',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.xz': 'application/x-xz',
};

/** The virtual host of a request: the Host header's name, lower case, without port or final dot. */
function virtualHost(req) {
  let host = (req.headers.host ?? '').trim().toLowerCase();
  host = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  host = host.replace(/\.$/, '');
  // A name or an address: no path separators, no empty or dot-only labels.
  return /^(\[[0-9a-f:.]+\]|[a-z0-9_-]+(\.[a-z0-9_-]+)*)$/.test(host) ? host : null;
}

/** Parses a Range header against a size: null (serve it all), 'unsatisfiable' or {start, end}. */
function parseRange(header, size) {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // several ranges or bad syntax: ignore it
  let start;
  let end;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return null; // invalid: ignore it
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const root = fs.realpathSync(opts.root);
  const logFd = fs.openSync(opts.log, 'a');
  const writeLog = (entry) => {
    try {
      fs.writeSync(logFd, `${JSON.stringify(entry)}\n`);
    } catch (err) {
      process.stderr.write(`server.js: log: ${err.message}\n`);
    }
  };

  function handle(req, res) {
    const entry = { t: Date.now(), client: req.socket.remoteAddress, host: null, method: req.method, path: req.url, status: 0, bytes: 0 };
    let logged = false;
    res.on('close', () => {
      if (logged) return;
      logged = true;
      entry.status = res.statusCode;
      writeLog(entry);
    });
    const finish = (status, headers = {}, body = '') => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
      if (req.method === 'HEAD') return res.end();
      entry.bytes = Buffer.byteLength(body);
      res.end(body);
    };

    // Absolute-form targets (a client that takes us for a proxy) name the host themselves.
    let target = req.url ?? '/';
    if (/^https?:\/\//i.test(target)) {
      try {
        const u = new URL(target);
        req.headers.host = u.host;
        target = `${u.pathname}${u.search}`;
      } catch {
        return finish(400, {}, 'bad request target\n');
      }
    }
    entry.path = target;
    const host = virtualHost(req);
    entry.host = host ?? req.headers.host ?? null;
    if (!host) return finish(400, {}, 'missing or bad Host header\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return finish(405, { Allow: 'GET, HEAD' }, 'method not allowed\n');

    let pathname;
    try {
      pathname = decodeURIComponent(target.split('?')[0].split('#')[0]);
    } catch {
      return finish(400, {}, 'bad percent-encoding\n');
    }
    if (!pathname.startsWith('/') || pathname.includes('\0') || pathname.split(/[/\\]/).includes('..')) {
      return finish(400, {}, 'bad path\n');
    }

    const wanted = path.join(root, host, pathname);
    fs.realpath(wanted, (err, real) => {
      // A symlink leading out of the root is as good as absent.
      if (err || (real !== root && !real.startsWith(root + path.sep))) return finish(404, {}, 'not found\n');
      fs.open(real, 'r', (err, fd) => {
        if (err) return finish(404, {}, 'not found\n');
        fs.fstat(fd, (err, st) => {
          if (err || !st.isFile()) {
            fs.close(fd, () => {});
            return finish(404, {}, 'not found\n');
          }
          serveFile(req, res, entry, fd, st, real);
        });
      });
    });
  }

  function serveFile(req, res, entry, fd, st, file) {
    const size = st.size;
    const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000).toUTCString();
    const etag = `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Last-Modified': lastModified,
      ETag: etag,
      'Accept-Ranges': 'bytes',
    };
    const closeFd = () => fs.close(fd, () => {});

    // Conditional GET: If-None-Match wins over If-Modified-Since.
    const inm = req.headers['if-none-match'];
    const ims = Date.parse(req.headers['if-modified-since'] ?? '');
    const notModified = inm !== undefined
      ? inm.split(',').map((s) => s.trim().replace(/^W\//, '')).some((tag) => tag === etag || tag === '*')
      : !Number.isNaN(ims) && Math.floor(st.mtimeMs / 1000) * 1000 <= ims;
    if (notModified) {
      closeFd();
      res.writeHead(304, { 'Last-Modified': lastModified, ETag: etag });
      return res.end();
    }

    let range = null;
    const ifRange = req.headers['if-range'];
    if (req.headers.range !== undefined && (ifRange === undefined || ifRange === etag || ifRange === lastModified)) {
      range = parseRange(req.headers.range, size);
    }
    if (range === 'unsatisfiable') {
      closeFd();
      const body = 'range not satisfiable\n';
      res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      if (req.method === 'HEAD') return res.end();
      entry.bytes = Buffer.byteLength(body);
      return res.end(body);
    }
    const start = range ? range.start : 0;
    const end = range ? range.end : size - 1;
    const length = size === 0 ? 0 : end - start + 1;
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    headers['Content-Length'] = length;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || length === 0) {
      closeFd();
      return res.end();
    }
    const stream = fs.createReadStream(null, { fd, start, end, autoClose: true, highWaterMark: 256 * 1024 });
    stream.on('data', (chunk) => { entry.bytes += chunk.length; });
    stream.on('error', (err) => {
      process.stderr.write(`server.js: reading ${file}: ${err.message}\n`);
      res.destroy(err);
    });
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  const servers = [];
  const listening = {};
  const start = (name, server, spec) => {
    const { host, port } = parseListen(spec);
    servers.push(server);
    server.on('clientError', (err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        const addr = server.address();
        listening[name] = addr.family === 'IPv6' ? `[${addr.address}]:${addr.port}` : `${addr.address}:${addr.port}`;
        resolve();
      });
    });
  };

  const pending = [];
  if (opts.http) pending.push(start('http', http.createServer(handle), opts.http));
  if (opts.https) {
    const tls = { cert: fs.readFileSync(opts.cert), key: fs.readFileSync(opts.key) };
    pending.push(start('https', https.createServer(tls, handle), opts.https));
  }

  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`server.js: ${signal}, stopping\n`);
    let open = servers.length;
    const done = () => {
      open -= 1;
      if (open > 0) return;
      fs.closeSync(logFd);
      process.exit(0);
    };
    for (const server of servers) {
      server.close(done);
      server.closeAllConnections();
    }
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  Promise.all(pending).then(
    () => process.stdout.write(`${JSON.stringify({ listening })}\n`),
    (err) => {
      process.stderr.write(`server.js: listen: ${err.message}\n`);
      process.exit(1);
    },
  );
}

main();
