/**
 * Ingest: many senders, each in its own room, each with 1 or 2 messages in flight; a fixed number
 * of messages per trial on a fresh data directory. Contenders: Chatter, the naive "tutorial
 * server" (naive-server.ts: one synced INSERT per message), raw better-sqlite3 inserts of the
 * same rows batched 100 per transaction (in this process), and the bare Socket.IO relay
 * (bare-relay.ts: no storage at all), the ceiling of the transport and of this machine's client. Reports acks/s, send→ack p50/p99,
 * the server's event-loop delay p99 and server CPU per message, and /healthz latency from a probe
 * process that GETs it every 20 ms during the run.
 *
 * Run alone: pnpm --filter @chatter/server bench ingest   (or BENCH=ingest pnpm bench)
 * Tune: INGEST_MESSAGES=8000 (per trial) INGEST_SHAPES=50x1,200x2 BENCH_TRIALS=3 BENCH_QUICK=1
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Socket } from 'socket.io-client';
import { call, connectSocket, pool, signToken, startHealthProbe } from './lib/clients.js';
import { type Contender, startContender } from './lib/contenders.js';
import { envNumber, interleaved, removeDir, TRIALS, tempDir } from './lib/options.js';
import { latencyPercentiles, Trials } from './lib/stats.js';
import { type PartResult, type Row, ratioAtLeast, valueAtMost } from './lib/table.js';

const MESSAGES = envNumber('INGEST_MESSAGES', 8000, 2000);
const SHAPES = (process.env.INGEST_SHAPES ?? '50x1,200x2').split(',').map((shape) => {
  const [senders, inFlight] = shape.split('x').map(Number);
  if (!senders || !inFlight)
    throw new Error(`INGEST_SHAPES: "${shape}" is not <senders>x<in flight>`);
  return { senders, inFlight, label: `${senders}×${inFlight}` };
});

type Shape = (typeof SHAPES)[number];

const textOf = (sender: number, i: number) =>
  `ingest message ${i} from sender ${sender}: hello there`;

/** One trial against a server process: connect, join, then send the fixed load. */
const serverTrial = async (contender: Contender, shape: Shape) => {
  const dir = tempDir('ingest');
  const server = await startContender(contender, dir);
  const sockets: Socket[] = [];
  try {
    await pool(shape.senders, 50, async (i) => {
      const socket = await connectSocket(server.url, await signToken(`sender-${i}`));
      sockets[i] = socket;
      await call(socket, 'join', { room: `ingest-${i}` });
    });
    const perSender = Math.ceil(MESSAGES / shape.senders);
    const latencies: number[] = [];
    const probe = startHealthProbe(server.url);
    await server.reset();
    const started = performance.now();
    await Promise.all(
      sockets.map(async (socket, sender) => {
        let next = 0;
        const lane = async () => {
          while (next < perSender) {
            const i = next++;
            const sent = performance.now();
            await call(socket, 'message', {
              room: `ingest-${sender}`,
              text: textOf(sender, i),
              clientId: `c-${sender}-${i}`,
            });
            latencies.push(performance.now() - sent);
          }
        };
        await Promise.all(Array.from({ length: shape.inFlight }, lane));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const report = await server.report();
    const health = await probe.stop();
    const { p50, p99 } = latencyPercentiles(latencies);
    return {
      acksPerSecond: latencies.length / seconds,
      p50,
      p99,
      loopP99: report.loopP99,
      cpuPerMessage: report.cpuUs / latencies.length,
      healthP50: health.p50,
      healthP99: health.p99,
    };
  } finally {
    for (const socket of sockets) socket?.disconnect();
    await server.stop();
    removeDir(dir);
  }
};

/** The same rows straight into better-sqlite3, 100 per transaction, WAL + synchronous=FULL. */
const rawBatchedTrial = (shape: Shape) => {
  const dir = tempDir('raw');
  try {
    const db = new Database(path.join(dir, 'raw.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE messages (id TEXT PRIMARY KEY, room TEXT NOT NULL, seq INTEGER NOT NULL,
      author_id TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL, client_id TEXT,
      created_at TEXT NOT NULL)`);
    const insert = db.prepare(
      'INSERT INTO messages (id, room, seq, author_id, author_name, text, client_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const perSender = Math.ceil(MESSAGES / shape.senders);
    const total = perSender * shape.senders;
    const heads = new Map<string, number>();
    const batch = db.transaction((from: number, to: number) => {
      for (let n = from; n < to; n++) {
        const sender = n % shape.senders;
        const room = `ingest-${sender}`;
        const seq = (heads.get(room) ?? 0) + 1;
        heads.set(room, seq);
        const i = Math.floor(n / shape.senders);
        const createdAt = new Date().toISOString();
        insert.run(
          randomUUID(),
          room,
          seq,
          `sender-${sender}`,
          `sender-${sender}`,
          textOf(sender, i),
          `c-${sender}-${i}`,
          createdAt,
        );
      }
    });
    const started = performance.now();
    for (let from = 0; from < total; from += 100) batch(from, Math.min(total, from + 100));
    const seconds = (performance.now() - started) / 1000;
    db.close();
    return { rowsPerSecond: total / seconds };
  } finally {
    removeDir(dir);
  }
};

const rowsFor = (
  shape: Shape,
  { chatter, naive, relay }: Record<Contender, Trials>,
  raw: Trials,
): Row[] => {
  const main = shape.senders === 200 && shape.inFlight === 2;
  const pair = (figure: string, key: string, baselineName = 'naive', base = naive): Row => ({
    figure,
    chatter: chatter.get(key),
    baselineName,
    baseline: base.get(key),
  });
  return [
    {
      ...pair('acks/s', 'acksPerSecond'),
      ...(main ? { target: ratioAtLeast(5, 'naive') } : {}),
    },
    {
      figure: 'acks/s vs raw batched rows/s',
      chatter: chatter.get('acksPerSecond'),
      baselineName: 'raw batched',
      baseline: raw.get('rowsPerSecond'),
      ...(main ? { target: ratioAtLeast(0.5, 'raw') } : {}),
    },
    pair('acks/s vs bare relay (no storage)', 'acksPerSecond', 'bare relay', relay),
    pair('send→ack p50 ms', 'p50'),
    pair('send→ack p99 ms', 'p99'),
    pair('server CPU µs/message', 'cpuPerMessage'),
    { ...pair('event-loop delay p99 ms', 'loopP99'), target: valueAtMost(20) },
    pair('/healthz p50 ms', 'healthP50'),
    { ...pair('/healthz p99 ms', 'healthP99'), target: valueAtMost(50) },
  ];
};

export const runIngest = async (): Promise<PartResult[]> => {
  const results: PartResult[] = [];
  for (const shape of SHAPES) {
    const figures = { chatter: new Trials(), naive: new Trials(), relay: new Trials() };
    const raw = new Trials();
    for (let trial = 0; trial < TRIALS; trial++) {
      for (const contender of interleaved<Contender>(trial, 'chatter', 'naive', 'relay')) {
        figures[contender].add(await serverTrial(contender, shape));
      }
      raw.add(rawBatchedTrial(shape));
    }
    results.push({
      part: `ingest ${shape.label}`,
      note: `${Math.ceil(MESSAGES / shape.senders) * shape.senders} messages per trial, ${TRIALS} trials`,
      rows: rowsFor(shape, figures, raw),
    });
  }
  return results;
};
