/**
 * Connections: S sockets of distinct users connect and join rooms of 100 (2,000 sockets → 20
 * rooms), 50 connecting at a time from one client process. Chatter vs the bare Socket.IO relay
 * (bare-relay.ts). Reports connect+join time for all sockets, server heap per idle connection
 * (heap after a full GC with everyone joined and quiet, minus heap after a GC before anyone
 * connected, / S), and the presence-like frames all clients received in total (every event but
 * `message`), at two sizes so linear (constant frames/socket) vs quadratic growth shows.
 *
 * Run alone: pnpm --filter @chatter/server bench connections   (or BENCH=connections pnpm bench)
 * Tune: CONN_SOCKETS=1000,2000 CONN_ROOM_SIZE=100 CONN_CONCURRENCY=50 BENCH_TRIALS=3 BENCH_QUICK=1
 * Needs ~2 file descriptors per socket per side: check `ulimit -n` (the bench warns).
 */
import { execSync } from 'node:child_process';
import { type Contender as Server, startContender } from './lib/contenders.js';
import { envNumber, interleaved, QUICK, removeDir, TRIALS, tempDir } from './lib/options.js';
import { startReceivers, waitForQuiet } from './lib/receiver-group.js';
import { Trials } from './lib/stats.js';
import { type PartResult, type Row, ratioAtMost, valueAtMost } from './lib/table.js';

const SIZES = (process.env.CONN_SOCKETS ?? (QUICK ? '500,1000' : '1000,2000'))
  .split(',')
  .map(Number);
const ROOM_SIZE = envNumber('CONN_ROOM_SIZE', 100);
const CONCURRENCY = envNumber('CONN_CONCURRENCY', 50);

type Contender = Extract<Server, 'chatter' | 'relay'>;

const trial = async (contender: Contender, sockets: number) => {
  const dir = tempDir('connections');
  const server = await startContender(contender, dir);
  try {
    const { heapUsed: heapBefore } = await server.report();
    const group = await startReceivers(sockets, 1, {
      url: server.url,
      roomSize: ROOM_SIZE,
      roomPrefix: 'room-',
      userPrefix: 'user-',
      concurrency: CONCURRENCY,
      notify: false,
    });
    try {
      const { others } = await waitForQuiet(group, 1000);
      const { heapUsed: heapAfter } = await server.report();
      return {
        connectMs: group.connectMs,
        heapPerConnectionKb: (heapAfter - heapBefore) / sockets / 1024,
        frames: others,
        framesPerSocket: others / sockets,
      };
    } finally {
      await group.stop();
    }
  } finally {
    await server.stop();
    removeDir(dir);
  }
};

const fileLimit = () => {
  try {
    return Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  } catch {
    return Number.NaN;
  }
};

export const runConnections = async (): Promise<PartResult[]> => {
  const largest = Math.max(...SIZES);
  const limit = fileLimit();
  // Server and clients are separate processes, each with one fd per socket plus a few.
  if (limit < largest + 200) {
    console.warn(`ulimit -n is ${limit}; ${largest} sockets need more than ${largest + 200}`);
  }
  const bySize = new Map<number, { chatter: Trials; relay: Trials }>();
  for (const size of SIZES) {
    const figures = { chatter: new Trials(), relay: new Trials() };
    bySize.set(size, figures);
    for (let t = 0; t < TRIALS; t++) {
      for (const contender of interleaved<Contender>(t, 'chatter', 'relay')) {
        figures[contender].add(await trial(contender, size));
      }
    }
  }
  const rows: Row[] = [];
  for (const [size, { chatter, relay: bare }] of bySize) {
    const main = size === largest;
    const pair = (figure: string, key: string): Row => ({
      figure: `${figure} @${size}`,
      chatter: chatter.get(key),
      baselineName: 'relay',
      baseline: bare.get(key),
    });
    rows.push(
      {
        ...pair('connect+join ms', 'connectMs'),
        ...(main ? { target: ratioAtMost(1.3, 'relay') } : {}),
      },
      {
        ...pair('heap KB/connection', 'heapPerConnectionKb'),
        ...(main ? { target: ratioAtMost(1.15, 'relay') } : {}),
      },
      pair('presence-like frames', 'frames'),
      pair('frames/socket', 'framesPerSocket'),
    );
  }
  const [small, large] = [Math.min(...SIZES), largest];
  const perSocket = (size: number) =>
    bySize.get(size)?.chatter.get('framesPerSocket').median ?? Number.NaN;
  if (small !== large) {
    const growth = perSocket(large) / perSocket(small);
    rows.push({
      figure: `frames/socket @${large} ÷ @${small}`,
      chatter: { min: growth, median: growth, max: growth },
      target: valueAtMost(1.5, `≤ 1.5 (linear ≈ 1, quadratic ≈ ${(large / small).toFixed(0)})`),
    });
  }
  return [
    {
      part: 'connections',
      note: `rooms of ${ROOM_SIZE}, ${CONCURRENCY} connecting at once, ${TRIALS} trials`,
      rows,
    },
  ];
};
