import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The published declarations compile for a Node-only app: `lib: ["ES2022"]` without DOM and
 * `skipLibCheck: false`, so every .d.ts the app loads (ours, the protocol's, zod's) is checked.
 * The fixture in `types-node-only/` imports every export of the BUILT package, under NodeNext
 * (ESM `.d.ts` and CommonJS `.d.cts`), Bundler and Node10 (with `esModuleInterop`, which zod's
 * `.d.cts` files need there).
 *
 * Without `@types/node` as well, ours still add no error, but zod's own declarations (4.6) name
 * `URL`, which only DOM or `@types/node` declare: those errors, and only those, are expected.
 */
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = fileURLToPath(new URL('types-node-only/', import.meta.url));
const DECLARATIONS = ['index.d.ts', 'index.d.cts'].map((file) => path.join(PACKAGE, 'dist', file));

const project = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-node-only-'));

beforeAll(() => {
  for (const file of DECLARATIONS) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing: build first (pnpm --filter @chatter/client build)`);
    }
  }
  fs.cpSync(FIXTURE, project, { recursive: true });
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'node-only-consumer', private: true, type: 'module' }),
  );
  // Installed as a dependency would be: the package itself, and Node's types for the runs
  // that ask for them.
  fs.mkdirSync(path.join(project, 'node_modules/@chatter'), { recursive: true });
  fs.mkdirSync(path.join(project, 'node_modules/@types'), { recursive: true });
  fs.symlinkSync(PACKAGE, path.join(project, 'node_modules/@chatter/client'), 'dir');
  fs.symlinkSync(
    path.dirname(require.resolve('@types/node/package.json')),
    path.join(project, 'node_modules/@types/node'),
    'dir',
  );
});

afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const compile = (config: string, types: string[]) => {
  const result = spawnSync(
    process.execPath,
    [
      TSC,
      '-p',
      config,
      '--pretty',
      'false',
      ...(types.length > 0 ? ['--types', types.join(',')] : []),
    ],
    { cwd: project, encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
};

/** An error in zod's declarations for want of a `URL` type (and nothing else). */
const ZOD_NEEDS_URL =
  /\/node_modules\/zod\/.*\.d\.c?ts\(\d+,\d+\): error TS2304: Cannot find name 'URL'\.$/;

/** The names a built declaration file exports, values and types alike. */
const exportedNames = (program: ts.Program, file: string): string[] => {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`${file} has no exports`);
  return checker
    .getExportsOfModule(symbol)
    .map((exported) => exported.getName())
    .sort();
};

/** The names a fixture file imports from `@chatter/client`. */
const importedNames = (file: string): string[] => {
  const text = fs.readFileSync(path.join(FIXTURE, file), 'utf8');
  const list = /import \{([^}]*)\} from '@chatter\/client'/.exec(text)?.[1] ?? '';
  return list
    .split(',')
    .map((name) => name.replace(/^\s*type\s+/, '').trim())
    .filter((name) => name.length > 0)
    .sort();
};

describe('the declarations for a Node-only app', () => {
  it('the fixture imports every export of the built package', () => {
    const program = ts.createProgram(DECLARATIONS, { noEmit: true, skipLibCheck: true });
    for (const file of DECLARATIONS) {
      const exported = exportedNames(program, file);
      expect(importedNames('consumer.ts')).toEqual(exported);
      expect(importedNames('consumer.cts')).toEqual(exported);
    }
  });

  for (const config of ['nodenext', 'bundler', 'node10']) {
    it(`compile under ${config} with @types/node`, () => {
      expect(compile(`tsconfig.${config}.json`, ['node'])).toEqual({ status: 0, output: '' });
    }, 240_000);
  }

  // NodeNext loads both declaration files; the others hold the same declarations.
  it('add no error of their own without @types/node', () => {
    const errors = compile('tsconfig.nodenext.json', []).output.split('\n');
    expect(errors.filter((line) => line !== '' && !ZOD_NEEDS_URL.test(line))).toEqual([]);
  }, 240_000);
});
