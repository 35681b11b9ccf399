/** Client-side helpers: tokens, socket connections and the /healthz probe process. */
import { fork } from 'node:child_process';
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { BENCH_DIR } from './spawn.js';

export const SECRET = 'benchmark-secret-that-is-long-enough-for-hs256';

const key = new TextEncoder().encode(SECRET);

export const signToken = (id: string, name = id): Promise<string> =>
  new SignJWT({ name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(id)
    .setExpirationTime('1h')
    .sign(key);

/** The environment every Chatter process of the bench starts with. */
export const chatterEnv = (dataDir: string): Record<string, string> => ({
  PORT: '0',
  HOST: '127.0.0.1',
  CHATTER_DATA_DIR: dataDir,
  CHATTER_JWT_SECRET: SECRET,
  CHATTER_GUESTS: 'true',
  // The bench measures throughput from one address, not the limits.
  CHATTER_MESSAGES_PER_MINUTE: '1000000',
  CHATTER_SESSIONS_PER_MINUTE: '1000000',
  CHATTER_ROOMS_PER_MINUTE: '1000000',
  CHATTER_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
  CHATTER_MAX_CONNECTIONS_PER_USER: '100000',
  LOG_LEVEL: 'silent',
});

/** Connects over WebSocket only and waits for the handshake. */
export const connectSocket = (url: string, token?: string, timeoutMs = 20_000): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      auth: token === undefined ? {} : { token },
      reconnection: false,
      forceNew: true,
      timeout: timeoutMs,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });

interface AckOk {
  ok: true;
  [key: string]: unknown;
}

/** emitWithAck that throws on `{ ok: false }` or after `timeoutMs`. */
export const call = async (
  socket: Socket,
  event: string,
  payload: unknown,
  timeoutMs = 30_000,
): Promise<AckOk> => {
  const ack = (await socket.timeout(timeoutMs).emitWithAck(event, payload)) as
    | AckOk
    | { ok: false; error?: { code?: string; message?: string } };
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error?.code} ${ack.error?.message}`);
  return ack;
};

/** Runs `task(i)` for i in [0, count) with at most `concurrency` running. */
export const pool = async (
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
};

export interface HealthProbe {
  /** Stops probing; p50/p99 of the GET /healthz round trips in ms. */
  stop(): Promise<{ p50: number; p99: number; count: number; failures: number }>;
}

/** GETs `${url}/healthz` every ~20 ms from a separate process until stopped. */
export const startHealthProbe = (url: string, intervalMs = 20): HealthProbe => {
  const child = fork(`${BENCH_DIR}lib/healthz-probe.ts`, [url, String(intervalMs)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        child.once('message', (figures) => resolve(figures as never));
        child.once('exit', (code) => {
          if (code !== 0) reject(new Error(`healthz probe exited with code ${code}`));
        });
        child.send('stop');
      }),
  };
};
