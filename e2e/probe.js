// Probes a URL from inside the client namespace: one GET started every `intervalMs`, whether or
// not the ones before it have answered, each with a `timeoutMs` deadline, for at most `maxSec`
// seconds or until `stopFile` exists. So an outage is timed to `intervalMs`: a prober that waited
// for each answer would send nothing while a request times out, and measure an outage in steps of
// `timeoutMs`. Writes one JSON line per probe when it ends: {t (its start), ok, body|error}, not
// necessarily in the order of t (readers sort). Plain node, no dependencies: it is started with
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
  const pending = new Set();
  let next = Date.now();
  while (Date.now() < deadline && !fs.existsSync(stopFile)) {
    const p = probe().then((r) => { stream.write(`${JSON.stringify(r)}\n`); pending.delete(p); });
    pending.add(p);
    next += Number(intervalMs);
    const wait = next - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else next = Date.now();
  }
  await Promise.all(pending);
  stream.end();
})();
