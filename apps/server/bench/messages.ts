/**
 * Message-path benchmark. Prints figures for Chatter and for a baseline measured in the same run,
 * and the ratio between them, so a regression shows regardless of how busy the machine is.
 *
 * - store:  SqliteChatStore.appendMessage vs a bare INSERT on the same pragmas (the cost of
 *           seq allocation, idempotency and the room head, all durable).
 * - socket: a full Chatter send (validate → store → broadcast → ack) vs a bare Socket.IO server
 *           that acks and broadcasts without validating or storing.
 *
 * Run: pnpm bench   (MESSAGES=5000 CONCURRENCY=64 to change the load)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { Server } from 'socket.io';
import { io as connectClient, type Socket } from 'socket.io-client';
import { startChatterServer } from '../src/chatter-server.js';
import { loadConfig } from '../src/config.js';
import { SqliteChatStore } from '../src/store/sqlite-store.js';
import { createLogger } from '../src/utils/logger.js';

const MESSAGES = Number(process.env.MESSAGES ?? 3000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const SECRET = 'benchmark-secret-that-is-long-enough-for-hs256';

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Runs `task` MESSAGES times with CONCURRENCY in flight; returns rate and latency percentiles. */
const measure = async (task: (i: number) => Promise<unknown>): Promise<Figures> => {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < MESSAGES) {
      const i = next++;
      const t0 = performance.now();
      await task(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: MESSAGES / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
};

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'chatter-bench-'));

const benchStore = async () => {
  const dir = tempDir();
  try {
    const raw = new Database(path.join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec('CREATE TABLE m (id INTEGER PRIMARY KEY, room TEXT, text TEXT, created_at TEXT)');
    const insert = raw.prepare('INSERT INTO m (room, text, created_at) VALUES (?, ?, ?)');
    const baseline = await measure(async (i) =>
      insert.run('general', `message ${i}`, new Date().toISOString()),
    );
    raw.close();

    const store = new SqliteChatStore(path.join(dir, 'chatter.db'));
    const author = { id: 'bench', name: 'Bench' };
    const chatter = await measure((i) =>
      store.appendMessage({ room: 'general', author, text: `message ${i}`, clientId: `c${i}` }),
    );
    await store.close();
    return { baseline, chatter };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const connected = (socket: Socket) =>
  new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });

const client = (url: string, token?: string) =>
  connected(connectClient(url, { transports: ['websocket'], auth: token ? { token } : {} }));

const benchSocket = async () => {
  // Baseline: the same transport and fan-out, with nothing in between.
  const bareHttp = http.createServer();
  const bare = new Server(bareHttp);
  bare.on('connection', (socket) => {
    socket.on('join', (room: string, ack: () => void) => {
      void socket.join(room);
      ack();
    });
    socket.on('message', (payload: { room: string; text: string }, ack: (r: unknown) => void) => {
      bare.to(payload.room).emit('message', payload);
      ack({ ok: true, message: payload });
    });
  });
  await new Promise<void>((resolve) => bareHttp.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bareHttp.address() as AddressInfo).port}`;
  const bareSender = await client(bareUrl);
  const bareReceiver = await client(bareUrl);
  await bareReceiver.emitWithAck('join', 'general');
  const baseline = await measure((i) =>
    bareSender.emitWithAck('message', { room: 'general', text: `message ${i}` }),
  );
  bareSender.disconnect();
  bareReceiver.disconnect();
  await bare.close();

  const dir = tempDir();
  const server = await startChatterServer(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      CHATTER_DATA_DIR: dir,
      CHATTER_JWT_SECRET: SECRET,
      CHATTER_MESSAGES_PER_MINUTE: '1000000',
      LOG_LEVEL: 'silent',
    }),
    createLogger('silent'),
  );
  const token = (sub: string) =>
    new SignJWT({ name: sub })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
  const sender = await client(server.url, await token('sender'));
  const receiver = await client(server.url, await token('receiver'));
  let received = 0;
  receiver.on('message', () => {
    received += 1;
  });
  await receiver.emitWithAck('join', { room: 'general' });
  const heapBefore = process.memoryUsage().heapUsed;
  const chatter = await measure(async (i) => {
    const ack = await sender.emitWithAck('message', {
      room: 'general',
      text: `message ${i}`,
      clientId: `c${i}`,
    });
    if (!ack.ok) throw new Error(ack.error.message);
  });
  const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  await new Promise((resolve) => setTimeout(resolve, 200));
  sender.disconnect();
  receiver.disconnect();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  if (received !== MESSAGES) throw new Error(`receiver got ${received} of ${MESSAGES} messages`);
  return { baseline, chatter, heapGrowthMb };
};

const row = (name: string, { baseline, chatter }: { baseline: Figures; chatter: Figures }) => [
  name,
  baseline.perSecond.toFixed(0),
  chatter.perSecond.toFixed(0),
  (chatter.perSecond / baseline.perSecond).toFixed(2),
  `${baseline.p50.toFixed(2)} / ${baseline.p99.toFixed(2)}`,
  `${chatter.p50.toFixed(2)} / ${chatter.p99.toFixed(2)}`,
];

const store = await benchStore();
const socket = await benchSocket();
console.log(`${MESSAGES} messages, ${CONCURRENCY} in flight, Node ${process.version}`);
console.table(
  [row('store append', store), row('socket send → ack', socket)].map(
    ([name, base, ours, ratio, baseLat, oursLat]) => ({
      path: name,
      'baseline msg/s': base,
      'chatter msg/s': ours,
      'chatter / baseline': ratio,
      'baseline p50/p99 ms': baseLat,
      'chatter p50/p99 ms': oursLat,
    }),
  ),
);
console.log(`heap growth over the socket run: ${socket.heapGrowthMb.toFixed(1)} MiB`);
process.exit(0);
