#!/usr/bin/env node
// Runs the whole vitest suite and ends the output with one `N passed, N failed, N skipped` line
// that CI reads. Vitest's own summary stays above it; its exit code is ours.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const report = path.resolve('.vitest-report.json');
rmSync(report, { force: true });

// The browser tests drive a real Chromium and the cluster tests put several servers behind nginx
// on one Redis. Downloads other than packages are blocked on our machines, so a fresh Debian
// machine gets Debian's packages here (the README's test command is the whole set-up). Elsewhere,
// point CHROMIUM_PATH at a Chrome or Chromium; the tests say so if anything is missing.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REDIS_SERVER = '/usr/bin/redis-server';
const missing = [
  !existsSync(chromium) && !process.env.CHROMIUM_PATH && ['chromium', 'the browser tests'],
  !existsSync('/usr/sbin/nginx') && ['nginx', 'the cluster tests'],
  !existsSync(REDIS_SERVER) && ['redis-server', 'the cluster tests'],
].filter(Boolean);
const canApt = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
if (missing.length > 0 && canApt) {
  const apt = (args) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  // Debian starts a package's service on install: nginx's default site would hold port 80, and a
  // redis-server that saves to /var/lib/redis would take the port started below. policy-rc.d's
  // 101 forbids that; a machine that has a policy-rc.d of its own keeps it.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const updated = apt(['update', '-qq']).status === 0;
    for (const [name, purpose] of missing) {
      console.log(`Installing Debian’s ${name} for ${purpose} (apt-get install -y ${name})…`);
      if (!updated || apt(['install', '-y', '-qq', name]).status !== 0) {
        console.log(`Could not install ${name}; ${purpose} will fail and say why.`);
      }
    }
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  if (missing.some(([name]) => name === 'nginx') && existsSync('/usr/sbin/nginx')) {
    // Started anyway under a machine's own policy: stop it, and keep it off at the next boot.
    if (existsSync('/run/nginx.pid'))
      spawnSync('/usr/sbin/nginx', ['-s', 'stop'], { stdio: 'ignore' });
    spawnSync('update-rc.d', ['nginx', 'disable'], { stdio: 'ignore' });
  }
}

/** Redis's reply to PING on 127.0.0.1:6379, or undefined when nothing answers there. */
const pingRedis = () =>
  new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: 6379 });
    const done = (reply) => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(1000, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().trim()));
  });

// Machines of our kind start this Redis before the session; elsewhere start one that keeps nothing
// on disk.
if ((await pingRedis()) === undefined && existsSync(REDIS_SERVER)) {
  spawnSync(
    REDIS_SERVER,
    [...'--daemonize yes --port 6379 --bind 127.0.0.1 --appendonly no --save'.split(' '), ''],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  let reply;
  for (let waited = 0; waited < 5000 && reply === undefined; waited += 100) {
    reply = await pingRedis();
    if (reply === undefined) await sleep(100);
  }
  console.log(
    reply === '+PONG'
      ? 'Started redis-server on 127.0.0.1:6379 for the cluster tests (it keeps nothing on disk).'
      : 'Could not start redis-server on 127.0.0.1:6379; the cluster tests will fail and say why.',
  );
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
