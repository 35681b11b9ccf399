#!/usr/bin/env node
// Runs the whole vitest suite and ends the output with one `N passed, N failed, N skipped` line
// that CI reads. Vitest's own summary stays above it; its exit code is ours.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const report = path.resolve('.vitest-report.json');
rmSync(report, { force: true });

// The browser tests drive a real Chromium, and browser downloads are blocked on our machines, so
// a fresh Debian machine gets Debian's package here (the README's test command is the whole
// set-up). Elsewhere, point CHROMIUM_PATH at a Chrome or Chromium; the tests say so if it is missing.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (!existsSync(chromium) && !process.env.CHROMIUM_PATH && canApt) {
  console.log('Installing Debian’s chromium for the browser tests (apt-get install -y chromium)…');
  const apt = (args) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  if (
    apt(['update', '-qq']).status !== 0 ||
    apt(['install', '-y', '-qq', 'chromium']).status !== 0
  ) {
    console.log('Could not install chromium; the browser tests will fail and say why.');
  }
}

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
