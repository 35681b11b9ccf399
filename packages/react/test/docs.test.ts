import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(PACKAGE_DIR, 'src/index.ts');

const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  jsx: ts.JsxEmit.ReactJSX,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  // Snippets import the package by name, as an app does; here that name is its source.
  paths: { '@chatter/react': [ENTRY] },
};

/** Every public export carries TSDoc with an `@example`, so editors show how to use it. */
const exportsWithoutExamples = (): string[] => {
  const program = ts.createProgram([ENTRY], OPTIONS);
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(ENTRY);
  if (!entry) throw new Error(`cannot read ${ENTRY}`);
  const moduleSymbol = checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) throw new Error('the entry has no exports');
  return checker
    .getExportsOfModule(moduleSymbol)
    .filter((exported) => {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const tags = symbol.getJsDocTags(checker);
      const documented = symbol.getDocumentationComment(checker).length > 0;
      return !documented || !tags.some((tag) => tag.name === 'example');
    })
    .map((exported) => exported.getName())
    .sort();
};

/** The ```tsx blocks of a Markdown file that are whole programs (they import what they use). */
const completeSnippets = (file: string): string[] =>
  [...fs.readFileSync(file, 'utf8').matchAll(/```tsx\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .filter((code) => code.startsWith('import '));

/** Type errors of `code` compiled as a module of this package, as an app would compile it. */
const typeErrors = (code: string): string[] => {
  const file = path.join(PACKAGE_DIR, 'test', '__readme-snippet.tsx');
  const host = ts.createCompilerHost(OPTIONS);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? code : readFile(name));
  host.getSourceFile = (name, version, ...rest) =>
    name === file
      ? ts.createSourceFile(name, code, version, true, ts.ScriptKind.TSX)
      : getSourceFile(name, version, ...rest);
  const program = ts.createProgram([file], OPTIONS, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
};

describe('the documentation', () => {
  it('documents every export with a description and an @example', () => {
    expect(exportsWithoutExamples()).toEqual([]);
  });

  it.each([
    ['packages/react/README.md', path.join(PACKAGE_DIR, 'README.md')],
    ['README.md', path.join(PACKAGE_DIR, '../../README.md')],
  ])('has complete components in %s that compile', (_name, file) => {
    const snippets = completeSnippets(file);
    expect(snippets.length).toBeGreaterThan(0);
    for (const snippet of snippets) expect(typeErrors(snippet)).toEqual([]);
  });
});
