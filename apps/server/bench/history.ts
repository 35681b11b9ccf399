/**
 * History: a room of 1,000,000 messages, generated once per run straight into Chatter's schema
 * (lib/history-file.ts), then REST pages of 50 at random `before` positions, one request at a
 * time over a keep-alive connection. Chatter (GET /api/messages with a Bearer JWT) vs a naive
 * Express handler on the same file (naive-history.ts). Both servers stay up for the whole part;
 * trials alternate between them, each trial with the same positions for both.
 * (SDK catch-up is measured in packages/client/bench/sdk.ts.)
 *
 * Run alone: pnpm --filter @chatter/server bench history   (or BENCH=history pnpm bench)
 * Tune: HISTORY_MESSAGES=1000000 HISTORY_REQUESTS=2000 (per trial) BENCH_TRIALS=3 BENCH_QUICK=1
 */
import { chatterEnv, signToken } from './lib/clients.js';
import { buildHistoryFile } from './lib/history-file.js';
import { envNumber, interleaved, removeDir, TRIALS, tempDir } from './lib/options.js';
import { type ServerProcess, startServerProcess } from './lib/spawn.js';
import { latencyPercentiles, Trials } from './lib/stats.js';
import { type PartResult, ratioAtMost, valueAtMost } from './lib/table.js';

const MESSAGES = envNumber('HISTORY_MESSAGES', 1_000_000, 200_000);
const REQUESTS = envNumber('HISTORY_REQUESTS', 2000, 300);
const PAGE = 50;
const ROOM = 'history';

/** A small deterministic generator (mulberry32), so both contenders read the same positions. */
const positions = (seed: number, count: number): number[] => {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return PAGE + 1 + Math.floor(unit * (MESSAGES - PAGE));
  });
};

const readPages = async (server: ServerProcess, token: string, befores: number[]) => {
  const latencies: number[] = [];
  await server.reset();
  const started = performance.now();
  for (const before of befores) {
    const sent = performance.now();
    const response = await fetch(
      `${server.url}/api/messages?room=${ROOM}&limit=${PAGE}&before=${before}`,
      {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      },
    );
    const body = (await response.json()) as { messages?: Array<{ seq: number }> };
    latencies.push(performance.now() - sent);
    if (
      response.status !== 200 ||
      body.messages?.length !== PAGE ||
      body.messages[0]?.seq !== before - PAGE
    ) {
      throw new Error(
        `history page before ${before}: status ${response.status}, ${JSON.stringify(body).slice(0, 200)}`,
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const report = await server.report();
  const { p50, p99 } = latencyPercentiles(latencies);
  return {
    p50,
    p99,
    perSecond: befores.length / seconds,
    cpuPerRequest: report.cpuUs / befores.length,
  };
};

export const runHistory = async (): Promise<PartResult[]> => {
  const dir = tempDir('history');
  try {
    const building = performance.now();
    const file = await buildHistoryFile(dir, ROOM, MESSAGES);
    const buildSeconds = (performance.now() - building) / 1000;
    console.log(
      `history: ${MESSAGES.toLocaleString('en-US')} messages generated in ${buildSeconds.toFixed(1)} s`,
    );
    const servers = {
      chatter: await startServerProcess('chatter-node.ts', chatterEnv(dir)),
      naive: await startServerProcess('naive-history.ts', { NAIVE_HISTORY_DB: file }),
    };
    try {
      const token = await signToken('reader');
      const figures = { chatter: new Trials(), naive: new Trials() };
      // Warm-up: page cache, JIT and connections, for both alike.
      for (const server of Object.values(servers))
        await readPages(server, token, positions(1, 200));
      for (let t = 0; t < TRIALS; t++) {
        const befores = positions(1000 + t, REQUESTS);
        for (const contender of interleaved<'chatter' | 'naive'>(t, 'chatter', 'naive')) {
          figures[contender].add(await readPages(servers[contender], token, befores));
        }
      }
      const pair = (figure: string, key: string) => ({
        figure,
        chatter: figures.chatter.get(key),
        baselineName: 'naive',
        baseline: figures.naive.get(key),
      });
      return [
        {
          part: 'history',
          note: `${MESSAGES.toLocaleString('en-US')} messages, ${REQUESTS} pages of ${PAGE} per trial, ${TRIALS} trials`,
          rows: [
            {
              ...pair('page p50 ms', 'p50'),
              target: ratioAtMost(1.2, 'naive'),
            },
            {
              ...pair('page p99 ms', 'p99'),
              target: valueAtMost(5),
            },
            pair('pages/s', 'perSecond'),
            pair('server CPU µs/page', 'cpuPerRequest'),
          ],
        },
      ];
    } finally {
      await Promise.all(Object.values(servers).map((server) => server.stop()));
    }
  } finally {
    removeDir(dir);
  }
};
