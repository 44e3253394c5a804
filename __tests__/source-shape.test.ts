import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { ROOT } from './helpers/typescript';

/*
 * The shape of the source: files of at most 400 lines, functions of at most 80, and no
 * `export *` (each module names what it exports). Over every TypeScript source of the repository,
 * e2e/ included; not over tests (__tests__/), the generated bindings (.gen/), generated files
 * (a first line saying "Generated ... do not edit") or declarations (.d.ts).
 */
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;
const SKIPPED_DIRS = new Set(['node_modules', '.gen', '.git', '__tests__', 'dist', 'cdktf.out', '.provider', 'coverage']);

/**
 * Known exceptions, each with its reason. They shrink; none is added (none is left).
 */
const EXCEPTIONS: Record<string, { file?: true; functions?: readonly string[] }> = {};

function sources(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) sources(file, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path.relative(ROOT, file));
  }
  return out;
}

const isGenerated = (text: string) => /^\/\/ Generated .*do not edit/i.test(text.split('\n', 1)[0]);
const FILES = sources(ROOT).filter((file) => !isGenerated(fs.readFileSync(path.join(ROOT, file), 'utf8'))).sort();
const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

interface FunctionSize { readonly name: string; readonly line: number; readonly lines: number }

/** Every function of a source (declarations, methods, arrows, expressions) with its length in lines. */
function functionSizes(file: string): FunctionSize[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const sizes: FunctionSize[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name !== undefined ? node.name.getText(source) : '<anonymous>';
      sizes.push({ name, line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sizes;
}

describe('the shape of the source', () => {
  test('the walk finds the sources, e2e/ included', () => {
    expect(FILES).toEqual(expect.arrayContaining(['main.ts', 'cloud-init/keepalived-conf.ts', 'lab/schema.ts', 'e2e/results.ts']));
    expect(FILES.filter((file) => file.startsWith('__tests__/') || file.startsWith('.gen/'))).toEqual([]);
  });

  test(`no file is over ${MAX_FILE_LINES} lines`, () => {
    const long = FILES.filter((file) => !EXCEPTIONS[file]?.file)
      .map((file) => ({ file, lines: lineCount(fs.readFileSync(path.join(ROOT, file), 'utf8')) }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  test(`no function is over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = FILES.filter((file) => !EXCEPTIONS[file]?.file)
      .flatMap((file) => functionSizes(file)
        .filter((f) => f.lines > MAX_FUNCTION_LINES && !(EXCEPTIONS[file]?.functions ?? []).includes(f.name))
        .map((f) => `${file}:${f.line} ${f.name}: ${f.lines} lines`));
    expect(long).toEqual([]);
  });

  test('no module re-exports with `export *`', () => {
    const star = FILES.filter((file) => /^\s*export\s+\*/m.test(fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(star).toEqual([]);
  });

  test('each known exception is still one (else it leaves the list)', () => {
    const stale = Object.entries(EXCEPTIONS).flatMap(([file, exception]) => {
      if (!fs.existsSync(path.join(ROOT, file))) return [`${file} (gone)`];
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const fileStale = exception.file && lineCount(text) <= MAX_FILE_LINES && functionSizes(file).every((f) => f.lines <= MAX_FUNCTION_LINES) ? [file] : [];
      const functionsStale = (exception.functions ?? [])
        .filter((name) => !functionSizes(file).some((f) => f.name === name && f.lines > MAX_FUNCTION_LINES))
        .map((name) => `${file} ${name}`);
      return [...fileStale, ...functionsStale];
    });
    expect(stale).toEqual([]);
  });
});
