/**
 * A client process of the bench (forked by receiver-group.ts): connects `count` sockets as users
 * `<userPrefix><from + i>`, socket i joining room `<roomPrefix><floor((from + i) / roomSize)>`,
 * then counts what arrives. `message` events whose text starts with "t=<epoch ms>" give a
 * send→delivery latency; every other event counts as a presence-like frame.
 *
 * IPC: sends `{ type: 'ready', connectMs }` once all sockets have joined; answers
 * `{ cmd: 'counts' }`, `{ cmd: 'latencies' }` (and clears them), `{ cmd: 'stop' }`; with
 * `notify`, sends `{ type: 'delivered', index }` once every socket here got message `index`.
 */
import type { Socket } from 'socket.io-client';
import { call, connectSocket, pool, signToken } from './clients.js';

export interface ReceiverConfig {
  url: string;
  from: number;
  count: number;
  roomSize: number;
  roomPrefix: string;
  userPrefix: string;
  /** Sockets connecting at once. */
  concurrency: number;
  notify: boolean;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ReceiverConfig;
const reply = (message: unknown) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

const tokens = await Promise.all(
  Array.from({ length: config.count }, (_, i) =>
    signToken(`${config.userPrefix}${config.from + i}`),
  ),
);
let messages = 0;
let others = 0;
let latencies: number[] = [];
// Per message index: how many of our sockets have it; `delivered` is sent when all have.
const perIndex = new Map<number, number>();

const onMessage = (message: { text?: string }) => {
  messages += 1;
  const match = /^t=(\d+(?:\.\d+)?) i=(\d+)/.exec(message.text ?? '');
  if (!match) return;
  latencies.push(now() - Number(match[1]));
  if (!config.notify) return;
  const index = Number(match[2]);
  const seen = (perIndex.get(index) ?? 0) + 1;
  if (seen < config.count) {
    perIndex.set(index, seen);
    return;
  }
  perIndex.delete(index);
  reply({ type: 'delivered', index });
};

const sockets: Socket[] = [];
const started = performance.now();
await pool(config.count, config.concurrency, async (i) => {
  const socket = await connectSocket(config.url, tokens[i]);
  sockets[i] = socket;
  socket.onAny((event: string, payload: { text?: string }) => {
    if (event === 'message') onMessage(payload);
    else others += 1;
  });
  const n = config.from + i;
  await call(socket, 'join', { room: `${config.roomPrefix}${Math.floor(n / config.roomSize)}` });
});
reply({ type: 'ready', connectMs: performance.now() - started });

process.on('message', (request: { cmd: string }) => {
  if (request.cmd === 'counts') reply({ type: 'counts', messages, others });
  else if (request.cmd === 'latencies') {
    reply({ type: 'latencies', latencies });
    latencies = [];
  } else if (request.cmd === 'stop') {
    for (const socket of sockets) socket.disconnect();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
