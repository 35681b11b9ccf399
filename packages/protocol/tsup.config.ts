import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Two builds of the same sources. ESM keeps one file per source module (`bundle: false`): with
// `sideEffects: false`, an app's bundler then drops every module the app does not reach, so
// importing `LIMITS` or the error codes costs no zod. CommonJS stays one bundled file, for
// Node, where nothing is tree-shaken anyway. tsup runs the two at once, so neither cleans
// `dist` (one would delete the other's output): it is emptied here, before both start.
rmSync('dist', { recursive: true, force: true });

const shared = { sourcemap: true, target: 'es2022' } as const;

export default defineConfig([
  {
    ...shared,
    entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.test-d.ts'],
    format: 'esm',
    bundle: false,
  },
  { ...shared, entry: ['src/index.ts'], format: 'cjs' },
  // The types of the one public entry, `.d.ts` and `.d.cts` from a single (slow) pass.
  { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: { only: true } },
]);
