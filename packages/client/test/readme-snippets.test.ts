import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every ```ts block of the README compiles against the SDK as it is, so a newcomer who copies
 * one gets no type error. A block stands alone, as copied: it sees every export of
 * `@chatter/client` and a few names the prose introduces (`chat`, `room`, `url`, …), unless it
 * declares them itself.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = path.join(ROOT, 'README.md');
const ENTRY = path.join(ROOT, 'src/index.ts');

/** Names the README's prose stands for, declared for any block that uses them undeclared. */
const AMBIENT: Record<string, string> = {
  chat: 'declare const chat: ChatterClient;',
  room: 'declare const room: Room;',
  url: 'declare const url: string;',
  token: 'declare const token: string;',
  getToken: 'declare const getToken: GetToken;',
  message: 'declare const message: Message;',
  text: 'declare const text: string;',
  draft: 'declare const draft: string;',
  render: 'declare function render(room: Room): void;',
  show: 'declare function show(message: Message): void;',
  showProblem: 'declare function showProblem(problem: string): void;',
};

interface Snippet {
  /** The README line the block's code starts on. */
  line: number;
  code: string;
}

const snippets = (markdown: string): Snippet[] => {
  const found: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    if (lines[index]?.trim() !== '```ts') continue;
    const start = index + 1;
    let end = start;
    while (end < lines.length && lines[end]?.trim() !== '```') end += 1;
    found.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    index = end;
  }
  return found;
};

/** The names a block declares or imports at its top level. */
const declaredNames = (code: string): Set<string> => {
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022, true);
  const names = new Set<string>();
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else
      for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) bind(declaration.name);
    } else if (
      (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
      statement.name
    ) {
      names.add(statement.name.text);
    } else if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) names.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) names.add(element.name.text);
      }
    }
  }
  return names;
};

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  paths: { '@chatter/client': [ENTRY] },
  types: [],
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: true,
};

/** Type errors in the README's blocks, as `README.md:line: message`. */
const readmeErrors = (): string[] => {
  const sdkNames = (() => {
    const program = ts.createProgram([ENTRY], OPTIONS);
    const checker = program.getTypeChecker();
    const entry = program.getSourceFile(ENTRY);
    const symbol = entry && checker.getSymbolAtLocation(entry);
    if (!symbol) throw new Error(`cannot read ${ENTRY}`);
    return checker.getExportsOfModule(symbol).map((exported) => exported.getName());
  })();

  const files = new Map<string, { snippet: Snippet; preludeLines: number; text: string }>();
  snippets(fs.readFileSync(README, 'utf8')).forEach((snippet, index) => {
    const declared = declaredNames(snippet.code);
    const imported = sdkNames.filter((name) => !declared.has(name));
    const prelude = [
      `import { ${imported.join(', ')} } from '@chatter/client';`,
      ...Object.entries(AMBIENT)
        .filter(([name]) => !declared.has(name) && !sdkNames.includes(name))
        .map(([, declaration]) => declaration),
      'export {};',
    ];
    const file = path.join(ROOT, 'test', `readme-block-${index}.ts`);
    files.set(file, {
      snippet,
      preludeLines: prelude.length,
      text: `${prelude.join('\n')}\n${snippet.code}\n`,
    });
  });

  const host = ts.createCompilerHost(OPTIONS);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (name) => files.has(path.resolve(name)) || ts.sys.fileExists(name);
  host.readFile = (name) => files.get(path.resolve(name))?.text ?? readFile(name);
  host.getSourceFile = (name, language, ...rest) => {
    const virtual = files.get(path.resolve(name));
    return virtual
      ? ts.createSourceFile(name, virtual.text, language, true)
      : getSourceFile(name, language, ...rest);
  };
  const program = ts.createProgram([...files.keys()], OPTIONS, host);
  return ts.getPreEmitDiagnostics(program).flatMap((diagnostic) => {
    const { file, start } = diagnostic;
    const virtual = file && files.get(path.resolve(file.fileName));
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (!file || !virtual || start === undefined) return [`(outside the README) ${message}`];
    const { line } = file.getLineAndCharacterOfPosition(start);
    return [`README.md:${virtual.snippet.line + line - virtual.preludeLines}: ${message}`];
  });
};

describe('the README', () => {
  it('has code blocks that compile as a newcomer copies them', () => {
    expect(readmeErrors()).toEqual([]);
  }, 120_000);
});
