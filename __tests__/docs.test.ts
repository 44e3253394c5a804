/**
 * The user documentation: README.md, docs/*.md, e2e/README.md and bench/*.md.
 * - every relative link leads to a file of the repository, and a #anchor to a heading of it;
 * - the README stays short enough to read in five minutes;
 * - no document names the machine it was written on (an absolute path of the build machine or of
 *   this checkout) or a particular run or commit (pasted output belongs to no run);
 * - the README's example configs are valid labs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateLabConfig } from '../lab';

const root = path.resolve(__dirname, '..');
const inDir = (dir: string) => fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.md')).map((f) => `${dir}/${f}`);
const docs = ['README.md', ...inDir('docs'), 'e2e/README.md', ...inDir('bench')];
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The text outside fenced code blocks (``` or ~~~), line numbers kept. */
function prose(text: string): string {
  let fence: string | undefined;
  return text
    .split('\n')
    .map((line) => {
      const open = /^\s*(```|~~~)/.exec(line);
      if (open && (fence === undefined || open[1] === fence)) {
        fence = fence === undefined ? open[1] : undefined;
        return '';
      }
      return fence === undefined ? line : '';
    })
    .join('\n');
}

/** GitHub's anchor of a heading: lowercase, markup and punctuation dropped, spaces to '-', repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1]
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links: their text
      .replace(/<[^>]+>/g, '') // inline HTML
      .replace(/[`*~]/g, '') // code spans, emphasis (underscores stay, as GitHub keeps them)
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(text) ?? 0;
    seen.set(text, n + 1);
    out.add(n === 0 ? text : `${text}-${n}`);
  }
  return out;
}

/** Every inline link and image target `[text](target)` outside code, with its line. */
function links(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  prose(markdown)
    .split('\n')
    .forEach((line, i) => {
      const withoutCode = line.replace(/`[^`]*`/g, '');
      for (const m of withoutCode.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1], line: i + 1 });
    });
  return out;
}

describe('the GitHub heading anchors this test computes', () => {
  test.each([
    ['## The two commands', 'the-two-commands'],
    ['## Before a deploy: `lvs-lab doctor`', 'before-a-deploy-lvs-lab-doctor'],
    ['## Why there is no `libvirt_cloudinit_disk` in the stack', 'why-there-is-no-libvirt_cloudinit_disk-in-the-stack'],
    ['## Why provider 0.8.3, exactly', 'why-provider-083-exactly'],
    ['## Dual-stack VIPs (IPv6 beside IPv4)', 'dual-stack-vips-ipv6-beside-ipv4'],
    ["## The pool directory is the lab's own", 'the-pool-directory-is-the-labs-own'],
    ['### `--json` shapes', '--json-shapes'],
  ])('%s -> #%s', (heading, anchor) => {
    expect([...anchors(heading)]).toEqual([anchor]);
  });

  test('a repeated heading gets -1, -2, ...; a heading in a code block is none', () => {
    expect([...anchors('## A\n\n## A\n\n```sh\n# not a heading\n```\n## A\n')]).toEqual(['a', 'a-1', 'a-2']);
  });
});

describe.each(docs)('%s', (file) => {
  const text = read(file);

  test('every relative link leads to a file of the repository, and every #anchor to one of its headings', () => {
    const broken: string[] = [];
    for (const { target, line } of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
      const [rawPath, anchor] = target.split('#', 2) as [string, string | undefined];
      const linkPath = decodeURIComponent(rawPath);
      if (linkPath.startsWith('/')) {
        broken.push(`line ${line}: ${target} (absolute: write it relative to ${file})`);
        continue;
      }
      const resolved = linkPath === '' ? path.join(root, file) : path.resolve(root, path.dirname(file), linkPath);
      if (!resolved.startsWith(root + path.sep) || !fs.existsSync(resolved)) {
        broken.push(`line ${line}: ${target} (no file ${path.relative(root, resolved)})`);
        continue;
      }
      if (anchor !== undefined) {
        if (!resolved.endsWith('.md')) broken.push(`line ${line}: ${target} (an anchor into a file that is not Markdown)`);
        else if (!anchors(fs.readFileSync(resolved, 'utf8')).has(anchor)) broken.push(`line ${line}: ${target} (no heading #${anchor} in ${path.relative(root, resolved)})`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('names no path of the build machine and no run or commit', () => {
    const forbidden: [string, RegExp][] = [
      ['a path of the build machine', /\/work\/|\/tmp\/lvs-dr-lab-ci|\/root\//],
      ['the checkout’s own absolute path', new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))],
      ['a run id', /\bci\d+\b/],
      ['a commit hash', /\b[0-9a-f]{40}\b/],
    ];
    const found = text
      .split('\n')
      .flatMap((line, i) => forbidden.filter(([, re]) => re.test(line)).map(([what]) => `line ${i + 1}: ${what}: ${line.trim()}`));
    expect(found).toEqual([]);
  });
});

describe('README.md', () => {
  const readme = read('README.md');

  test('is at most 250 lines (the rest is in docs/)', () => {
    expect(readme.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(250);
  });

  test('keeps the two commands for a fresh machine: build the lab, run the tests', () => {
    expect(readme).toContain('bash scripts/install-deps.sh && npm ci && npm run deploy\n');
    expect(readme).toContain('bash scripts/install-deps.sh && npm ci && bash scripts/provider.sh build && npm test\n');
  });

  test('links every document of docs/', () => {
    const targets = new Set(links(readme).map(({ target }) => target.split('#')[0]));
    expect(inDir('docs').filter((doc) => !targets.has(doc))).toEqual([]);
  });

  test('its example configs are valid labs', () => {
    const blocks = readme.split('```yaml\n').slice(1).map((b) => b.slice(0, b.indexOf('```')));
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(validateLabConfig(parseYaml(block))).toEqual([]);
  });
});

describe('the package', () => {
  test('ships the README and the docs it links to', () => {
    const files: string[] = JSON.parse(read('package.json')).files;
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/*.md']));
  });
});
