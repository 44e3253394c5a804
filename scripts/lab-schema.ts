/**
 * Writes (or checks) what is generated from the lab schema (lab/schema.ts):
 * - schema/lab.schema.json, the JSON Schema editors use through the examples' modelines;
 * - docs/config.md's config reference: the marked region holding examples/full.yaml and a table of
 *   every field with what is allowed, its default and its description.
 *
 *   node -r ts-node/register/transpile-only scripts/lab-schema.ts write|check
 *
 * `check` exits 1 naming each file that differs from what `write` would produce (CI, npm test).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generatedFiles } from '../lab/docs';

const root = path.resolve(__dirname, '..');
const mode = process.argv[2];
if (mode !== 'write' && mode !== 'check') {
  process.stderr.write('usage: lab-schema.ts write|check\n');
  process.exit(2);
}
const stale: string[] = [];
for (const [file, content] of Object.entries(generatedFiles(root))) {
  const target = path.join(root, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
  if (current === content) continue;
  if (mode === 'write') {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
    process.stdout.write(`wrote ${file}\n`);
  } else stale.push(file);
}
if (stale.length > 0) {
  process.stderr.write(`generated from lab/schema.ts but out of date: ${stale.join(', ')}\nrun: npm run schema\n`);
  process.exit(1);
}
