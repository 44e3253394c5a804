import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * Dependencies run one way: cloud-init (renderers) <- lab <- constructs <- app / e2e, and
 * lab <- ops (the operator commands) <- scripts / e2e.
 * lab/ and cloud-init/ never import cdktf, constructs or the generated provider bindings, and no
 * module of the project imports itself back through others.
 */
const root = path.resolve(__dirname, '../..');
const SOURCE_DIRS = ['cloud-init', 'lab', 'constructs', 'doctor', 'doctor/checks', 'ops'];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.ts')).map((f) => path.join(root, dir, f));
}

/** Module specifiers a file imports (static imports, re-exports and require calls). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/require\('([^']+)'\)/g)];
  return found.map((m) => m[1]);
}

/** A relative specifier to the project file it names. */
function resolveLocal(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, 'index.ts')].find((candidate) => fs.existsSync(candidate));
}

describe('module boundaries', () => {
  // doctor/ too: `npm run deploy` runs it before cdktf, and it must stay quick to start.
  test.each(['lab', 'cloud-init', 'doctor', 'doctor/checks'])('%s/ imports no cdktf, constructs, provider bindings or construct code', (dir) => {
    const offenders = sources(dir).flatMap((file) =>
      importsOf(file)
        .filter((s) => /^(cdktf|cdktn|constructs)(\/|$)/.test(s) || s.includes('.gen/') || /(^|\/)constructs(\/|$)/.test(s))
        .map((s) => `${path.relative(root, file)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  test('cloud-init/ does not import lab/ (the renderers take plain models)', () => {
    const offenders = sources('cloud-init').flatMap((file) =>
      importsOf(file).filter((s) => /(^|\/)lab(\/|$)/.test(s)).map((s) => `${path.relative(root, file)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  test('ops/ imports nothing of the project but lab/ (and itself)', () => {
    const offenders = sources('ops').flatMap((file) =>
      importsOf(file)
        .filter((s) => s.startsWith('.') && !/^\.\/[^/]+$/.test(s) && !/^\.\.\/lab(\/|$)/.test(s))
        .map((s) => `${path.relative(root, file)} imports ${s}`),
    );
    expect(sources('ops').length).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });

  test('every engine import goes through constructs/engine.ts (generated bindings aside)', () => {
    const files = [
      ...SOURCE_DIRS.flatMap(sources),
      ...['main.ts', 'index.ts', 'libvirt.ts', 'bench/synth.ts'].map((f) => path.join(root, f)),
      ...['__tests__', '__tests__/helpers', '__tests__/constructs', '__tests__/cloud-init', '__tests__/lab'].flatMap(sources),
    ];
    const offenders = files
      .filter((file) => path.relative(root, file) !== path.join('constructs', 'engine.ts'))
      .flatMap((file) => importsOf(file).filter((s) => /^(cdktf|cdktn)(\/|$)/.test(s)).map((s) => `${path.relative(root, file)} imports ${s}`));
    expect(offenders).toEqual([]);
  });

  test('no import cycle among the project modules', () => {
    const files = SOURCE_DIRS.flatMap(sources);
    const edges = new Map(files.map((f) => [f, importsOf(f).map((s) => resolveLocal(f, s)).filter((t): t is string => t !== undefined)]));
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(root, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of edges.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
