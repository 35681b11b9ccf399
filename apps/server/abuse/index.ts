/**
 * The abuse suite (issue 11): the large versions of the abuse cases, each against a fresh Chatter
 * server in its own process. For each case it prints what happened (counts), the server's RSS
 * (before, highest while the case ran, after a GC at the end), its event-loop delay p50/p99, and
 * the send→ack latency of a bystander (other users in another room, sending throughout), then a
 * verdict: held or did not hold. Exits 1 if any case did not hold.
 *
 * Run everything:   pnpm test:abuse               (builds the packages first)
 * Some cases:       pnpm test:abuse typing away   (or ABUSE=typing,away)
 * List the cases:   pnpm test:abuse --list
 *
 * Not part of `pnpm test`: it takes minutes and loads the machine. The small versions of these
 * cases are tests in apps/server/test/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SECRET } from '../bench/lib/clients.js';
import { startServerProcess } from '../bench/lib/spawn.js';
import { ALL_CASES } from './cases/index.js';
import { Bystander, type BystanderFigures } from './lib/bystander.js';
import type { AbuseCase, CaseOutcome } from './lib/case.js';
import { mib, watchRss } from './lib/memory.js';
import { printResults, type Result } from './lib/report.js';

const requested = [
  ...process.argv.slice(2).filter((arg) => !arg.startsWith('--')),
  ...(process.env.ABUSE ?? '').split(','),
]
  .map((name) => name.trim())
  .filter((name) => name.length > 0);

if (process.argv.includes('--list')) {
  for (const { name, title } of ALL_CASES) console.log(`${name.padEnd(18)} ${title}`);
  process.exit(0);
}
const unknown = requested.filter((name) => !ALL_CASES.some((c) => c.name === name));
if (unknown.length > 0) {
  console.error(`unknown case(s): ${unknown.join(', ')}; see --list`);
  process.exit(2);
}
const selected =
  requested.length > 0 ? ALL_CASES.filter((c) => requested.includes(c.name)) : ALL_CASES;

const runCase = async (abuse: AbuseCase): Promise<Result> => {
  const dataDir = mkdtempSync(path.join(tmpdir(), `chatter-abuse-${abuse.name}-`));
  const server = await startServerProcess(
    'chatter-node.ts',
    {
      PORT: '0',
      HOST: '127.0.0.1',
      CHATTER_DATA_DIR: dataDir,
      CHATTER_JWT_SECRET: SECRET,
      LOG_LEVEL: 'error',
      ...abuse.env,
    },
    60_000,
    abuse.nodeArgs,
  );
  const started = performance.now();
  let outcome: CaseOutcome;
  let bystander: BystanderFigures | undefined;
  const rssBefore = mib((await server.report()).rss);
  const rss = watchRss(server.pid);
  try {
    await server.reset();
    const watcher = await Bystander.start(server.url);
    try {
      outcome = await abuse.run({
        url: server.url,
        pid: server.pid,
        dataDir,
        report: () => server.report(),
        counters: () => server.counters(),
      });
    } finally {
      bystander = await watcher.stop();
    }
  } catch (error) {
    outcome = { happened: 'the case failed to run', held: false, why: String(error) };
  }
  const rssPeak = rss.stop();
  let final: Awaited<ReturnType<typeof server.report>> | undefined;
  try {
    final = await server.report();
    await server.stop();
  } catch (error) {
    outcome = { ...outcome, held: false, why: `the server died: ${String(error)}` };
  }
  rmSync(dataDir, { recursive: true, force: true });
  return {
    abuse,
    outcome,
    seconds: (performance.now() - started) / 1000,
    rssBefore,
    rssPeak,
    rssAfter: final ? mib(final.rss) : Number.NaN,
    loopP50: final?.loopP50 ?? Number.NaN,
    loopP99: final?.loopP99 ?? Number.NaN,
    bystander,
  };
};

console.log(`Chatter abuse suite: ${selected.length} case(s); Node ${process.version}`);
const results: Result[] = [];
for (const abuse of selected) {
  console.log(`\n-- ${abuse.name}: ${abuse.title}`);
  const result = await runCase(abuse);
  const { outcome } = result;
  console.log(`   ${outcome.happened}`);
  console.log(
    `   ${outcome.held ? 'HELD' : 'DID NOT HOLD'}${outcome.why ? `: ${outcome.why}` : ''} (${result.seconds.toFixed(0)} s)`,
  );
  results.push(result);
}
printResults(results);
process.exit(results.every((result) => result.outcome.held) ? 0 : 1);
