/**
 * The TypeScript compiler API as the tests use it: programs with this repository's compiler
 * options (tsconfig.json or tsconfig.build.json), to list a module's exports, type-check a file
 * under jest (ts-jest only transpiles here), or emit and read the published declarations.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

export const ROOT = path.resolve(__dirname, '../..');

/** The compiler options of a tsconfig file of the repository, with `overrides` on top. */
export function compilerOptions(configFile = 'tsconfig.json', overrides: ts.CompilerOptions = {}): ts.CompilerOptions {
  const file = path.join(ROOT, configFile);
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, file);
  return { ...parsed.options, incremental: false, tsBuildInfoFile: undefined, ...overrides };
}

/** A program of `files` (paths relative to the repository root) with the options of tsconfig.json. */
export function program(files: readonly string[], overrides: ts.CompilerOptions = {}): ts.Program {
  return ts.createProgram(files.map((file) => path.resolve(ROOT, file)), compilerOptions('tsconfig.json', { noEmit: true, ...overrides }));
}

/** The type errors of `file` in `prog`, as `file(line,col): message` lines. */
export function typeErrors(prog: ts.Program, file: string): string[] {
  const source = prog.getSourceFile(path.resolve(ROOT, file));
  if (!source) throw new Error(`${file} is not in the program`);
  return [...prog.getSyntacticDiagnostics(source), ...prog.getSemanticDiagnostics(source)].map((d) => {
    const at = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${file}(${at ? `${at.line + 1},${at.character + 1}` : '?'}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** Every name a module exports, values (classes, functions, constants) and types apart. */
export function exportedNames(prog: ts.Program, file: string): { values: string[]; types: string[] } {
  const checker = prog.getTypeChecker();
  const source = prog.getSourceFile(path.resolve(ROOT, file));
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} is not a module of the program`);
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    (target.flags & ts.SymbolFlags.Value ? values : types).push(symbol.name);
  }
  return { values: values.sort(), types: types.sort() };
}
