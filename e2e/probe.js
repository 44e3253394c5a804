// Probes a URL from inside the client namespace: one GET every `intervalMs`, each with a
// `timeoutMs` deadline, for at most `maxSec` seconds or until `stopFile` exists. Writes one
// JSON line per probe: {t, ok, body|error}. Plain node, no dependencies: it is started with
// `ip netns exec <client ns> node e2e/probe.js ...`.
'use strict';
const http = require('node:http');
const fs = require('node:fs');

const [url, out, stopFile, intervalMs = '100', timeoutMs = '300', maxSec = '600'] = process.argv.slice(2);
const stream = fs.createWriteStream(out, { flags: 'a' });
const deadline = Date.now() + Number(maxSec) * 1000;

function probe() {
  return new Promise((resolve) => {
    const t = Date.now();
    const req = http.get(url, { agent: false, timeout: Number(timeoutMs) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ t, ok: res.statusCode === 200, status: res.statusCode, body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ t, ok: false, error: err.message }));
  });
}

(async () => {
  while (Date.now() < deadline && !fs.existsSync(stopFile)) {
    const started = Date.now();
    stream.write(`${JSON.stringify(await probe())}\n`);
    const wait = Number(intervalMs) - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  stream.end();
})();
