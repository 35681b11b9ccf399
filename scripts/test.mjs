#!/usr/bin/env node
// Runs the whole vitest suite and ends the output with one `N passed, N failed, N skipped` line
// that CI reads. Vitest's own summary stays above it; its exit code is ours.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const report = path.resolve('.vitest-report.json');
rmSync(report, { force: true });

const vitest = path.join(
  path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
  'vitest.mjs',
);
const run = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit' },
);

let counts = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(report)) {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  counts = {
    passed: result.numPassedTests,
    failed: result.numFailedTests,
    skipped: result.numPendingTests + result.numTodoTests,
  };
}
// Vitest can fail outside any test (a type error, an unhandled rejection); count that as a failure.
const failedOutsideTests = run.status !== 0 && counts.failed === 0;
if (failedOutsideTests) {
  console.log(`\nvitest exited with code ${run.status} on errors outside the tests (see above)`);
}
const failed = counts.failed + (failedOutsideTests ? 1 : 0);
console.log(`\n${counts.passed} passed, ${failed} failed, ${counts.skipped} skipped`);
process.exit(run.status ?? 1);
