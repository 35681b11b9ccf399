import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** Every public export carries TSDoc with an `@example`, so editors show how to use it. */
const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

const exportsWithoutExamples = (): string[] => {
  const program = ts.createProgram([ENTRY], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
  });
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

describe('the public API', () => {
  it('documents every export with a description and an @example', () => {
    expect(exportsWithoutExamples()).toEqual([]);
  });
});
