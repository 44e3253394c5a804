import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * The package's public surface is narrow on purpose, and pinned in public-api.test.ts.
 * (scripts/consumer-check.sh, run by CI, packs the library and builds a separate cdktf app
 * against the tarball.)
 */
const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('the package', () => {
  test('cdktf and constructs are peer dependencies (one engine instance: the consumer\'s), not dependencies', () => {
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdktf', 'constructs']);
    expect(pkg.dependencies.cdktf).toBeUndefined();
    expect(pkg.dependencies.constructs).toBeUndefined();
  });

  test('every entry of the exports map points at a compiled file of the build', () => {
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8'));
    const compiled = (build.files as string[]).map((file) => `./dist/${file.replace(/\.ts$/, '.js')}`);
    for (const [subpath, target] of Object.entries(pkg.exports as Record<string, string | { default: string; types: string }>)) {
      if (typeof target === 'string') {
        expect([subpath, fs.existsSync(path.join(root, target))]).toEqual([subpath, true]);
      } else {
        expect(compiled).toContain(target.default);
        expect(target.types).toBe(target.default.replace(/\.js$/, '.d.ts'));
      }
    }
  });
});

describe('the lvs-lab command', () => {
  const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { files: string[] };

  test('is installed as compiled JavaScript of the build, with a shebang TypeScript keeps (no ts-node at run time)', () => {
    expect(pkg.bin).toEqual({ 'lvs-lab': 'dist/scripts/lvs-lab.js' });
    expect(build.files).toContain('scripts/lvs-lab.ts');
    expect(fs.readFileSync(path.join(root, 'scripts/lvs-lab.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  test('what it loads at run time is a dependency, not a devDependency', () => {
    for (const name of ['yargs', 'cli-progress', 'cli-table3']) expect([name, pkg.dependencies[name]]).toEqual([name, expect.any(String)]);
  });

  test('npm run lvs-lab and npm run deploy run it from the checkout (ts-node), as before', () => {
    expect(pkg.scripts['lvs-lab']).toBe('node -r ts-node/register/transpile-only scripts/lvs-lab.ts');
    expect(pkg.scripts.deploy).toMatch(/^node -r ts-node\/register\/transpile-only scripts\/lvs-lab\.ts doctor --quiet && /);
  });
});
