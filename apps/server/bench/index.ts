/**
 * The server benchmark suite. Every part measures Chatter and its baseline in the same run,
 * interleaving trials, and prints min / median / max per contender and the ratio of medians.
 * Targets are printed next to the ratios but never fail the run: only errors exit non-zero.
 *
 * Run everything:   pnpm bench                      (root: server and client suites)
 *                   pnpm --filter @chatter/server bench
 * One or more parts: pnpm --filter @chatter/server bench ingest fanout
 *                   BENCH=connections pnpm --filter @chatter/server bench
 * Quick mode:       BENCH_QUICK=1 (or --quick): smaller sizes, one trial each.
 * Trials:           BENCH_TRIALS=3. Sizes: see the top of each part's file.
 * Parts: ingest (ingest.ts), fanout (fanout.ts), connections (connections.ts), history (history.ts),
 *        unread (unread.ts), cluster (cluster.ts: needs Redis, skipped without it).
 */
import { QUICK, TRIALS } from './lib/options.js';
import { type PartResult, printPart, printSummary } from './lib/table.js';

const PARTS: Record<string, () => Promise<PartResult[]>> = {
  ingest: async () => (await import('./ingest.js')).runIngest(),
  fanout: async () => (await import('./fanout.js')).runFanout(),
  connections: async () => (await import('./connections.js')).runConnections(),
  history: async () => (await import('./history.js')).runHistory(),
  unread: async () => (await import('./unread.js')).runUnread(),
  cluster: async () => (await import('./cluster.js')).runCluster(),
};

const requested = [
  ...process.argv.slice(2).filter((arg) => !arg.startsWith('--')),
  ...(process.env.BENCH ?? '').split(','),
]
  .map((name) => name.trim())
  .filter((name) => name.length > 0);
const unknown = requested.filter((name) => !(name in PARTS));
if (unknown.length > 0) {
  console.error(
    `unknown part(s): ${unknown.join(', ')}; choose from ${Object.keys(PARTS).join(', ')}`,
  );
  process.exit(2);
}
const selected = requested.length > 0 ? [...new Set(requested)] : Object.keys(PARTS);

console.log(
  `Chatter server bench: ${selected.join(', ')}; ${TRIALS} trial(s) per contender${QUICK ? ', quick mode' : ''}; Node ${process.version}`,
);
const started = performance.now();
const results: PartResult[] = [];
for (const name of selected) {
  const partStarted = performance.now();
  const parts = await PARTS[name]?.();
  for (const part of parts ?? []) {
    printPart(part);
    results.push(part);
  }
  console.log(`(${name} took ${((performance.now() - partStarted) / 1000).toFixed(0)} s)`);
}
printSummary(results);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(0);
