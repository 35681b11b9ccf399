// Bundle-size check of the built SDK: bundles tiny apps that import the packages by name (as a
// third-party app would, so `exports`, `sideEffects` and per-module files all count), with both
// esbuild and Vite, and fails when a gzipped size is over its budget. Run after `tsup`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const KB = 1000;

/** Each entry is a whole app; budgets are gzipped bytes. */
const ENTRIES = [
  {
    name: 'full SDK (every export)',
    code: `import * as sdk from '@chatter/client';\nconsole.log(sdk);\n`,
    budget: 45 * KB,
  },
  {
    name: 'isChatterError only',
    code: `import { isChatterError } from '@chatter/client';\nconsole.log(isChatterError);\n`,
    budget: 2 * KB,
  },
  {
    name: 'LIMITS only (protocol)',
    code: `import { LIMITS } from '@chatter/protocol';\nconsole.log(LIMITS);\n`,
    // Constants must never pull zod in again.
    budget: 2 * KB,
  },
];

const here = path.dirname(fileURLToPath(import.meta.url));
const packages = path.resolve(here, '../..');

// A throwaway app with the two packages linked into its node_modules, so both bundlers resolve
// them by name through their package.json like any consumer.
const app = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-size-'));
fs.mkdirSync(path.join(app, 'node_modules/@chatter'), { recursive: true });
for (const name of ['client', 'protocol']) {
  fs.symlinkSync(
    path.join(packages, name),
    path.join(app, 'node_modules/@chatter', name),
    'junction',
  );
}

const gzipped = (chunks) => chunks.reduce((sum, code) => sum + gzipSync(code).length, 0);

const withEsbuild = async (entry) => {
  const result = await esbuild({
    entryPoints: [entry],
    absWorkingDir: app,
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return gzipped(result.outputFiles.map((file) => file.contents));
};

const withVite = async (entry) => {
  const result = await viteBuild({
    root: app,
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      modulePreload: false,
      rollupOptions: { input: entry },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((each) => each.output);
  return gzipped(outputs.filter((file) => file.type === 'chunk').map((file) => file.code));
};

const format = (bytes) => `${(bytes / KB).toFixed(2)} kB`;

const rows = [];
try {
  for (const [index, { name, code, budget }] of ENTRIES.entries()) {
    const entry = path.join(app, `entry-${index}.js`);
    fs.writeFileSync(entry, code);
    for (const [bundler, measure] of [
      ['esbuild', withEsbuild],
      ['vite', withVite],
    ]) {
      const size = await measure(entry);
      rows.push({ name, bundler, size, budget });
    }
  }
} finally {
  fs.rmSync(app, { recursive: true, force: true });
}

const table = [
  ['entry', 'bundler', 'gzipped', 'budget', ''],
  ...rows.map(({ name, bundler, size, budget }) => [
    name,
    bundler,
    format(size),
    format(budget),
    size <= budget ? 'ok' : 'OVER BUDGET',
  ]),
];
const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
for (const row of table) {
  console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
}

const over = rows.filter(({ size, budget }) => size > budget);
if (over.length > 0) {
  console.error(`\nsize check: ${over.length} bundle(s) over budget (kB = 1000 bytes, gzip).`);
  process.exitCode = 1;
}
