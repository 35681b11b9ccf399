import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  ClientToServerEvents,
  Message,
  MessageChange,
  ServerToClientEvents,
  User,
} from '@chatter/protocol';
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { afterEach } from 'vitest';
import { type RunningServer, startChatterServer } from '../src/chatter-server.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/utils/logger.js';

export const TEST_SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer {
  url: string;
  dataDir: string;
  server: RunningServer;
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  // Sockets first, then servers, then directories: the reverse of creation.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));

/** What every test server, in this process or its own, is configured with unless a test says. */
const SERVER_ENV = {
  CHATTER_JWT_SECRET: TEST_SECRET,
  // A secret of our own turns guests off by default; most tests sign in as guests.
  CHATTER_GUESTS: 'true',
  // Tests send hundreds of messages and open hundreds of sessions and sockets from one address
  // quickly; the tests of each limit set their own.
  CHATTER_MESSAGES_PER_MINUTE: '1000000',
  CHATTER_SESSIONS_PER_MINUTE: '1000000',
  CHATTER_ROOMS_PER_MINUTE: '1000000',
  CHATTER_MAX_CONNECTIONS_PER_ADDRESS: '1000000',
};

/** Kills a child process the test started, if it still runs, and waits for it to go. */
const stop = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
};

/** A separate process that takes SQLite's write lock on `file` and holds it until killed. */
export const holdWriteLock = async (file: string): Promise<ChildProcess> => {
  const script = `
    const db = new (require('better-sqlite3'))(${JSON.stringify(file)});
    db.prepare('BEGIN IMMEDIATE').run();
    console.log('locked');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: SERVER_DIR, stdio: 'pipe' });
  cleanups.push(() => stop(child));
  const [chunk] = await once(child.stdout, 'data');
  if (!String(chunk).includes('locked')) throw new Error(`no lock on ${file}: ${chunk}`);
  return child;
};

export interface ServerChild {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
}

/**
 * The server as its own process (`pnpm dev` runs it the same way), so it can be killed -9 and its
 * log read; killed after the test if it still runs. `env` adds to or overrides the test defaults.
 */
export const spawnServer = async (env: Record<string, string> = {}): Promise<ServerChild> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      CHATTER_DATA_DIR: env.CHATTER_DATA_DIR ?? tempDataDir(),
      ...SERVER_ENV,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => stop(child));
  let output = '';
  const collect = (chunk: string) => {
    output += chunk;
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const url = output.match(/listening on (http:\/\/\S+?)"/)?.[1];
    if (url) return { child, url, output: () => output };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop(child);
  throw new Error(`server did not start:\n${output}`);
};

export const tempDataDir = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatter-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** A real server on a free port with its own SQLite file; stopped after the test. */
export const startTestServer = async (
  options: { dataDir?: string; env?: Record<string, string> } = {},
): Promise<TestServer> => {
  const dataDir = options.dataDir ?? tempDataDir();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    CHATTER_DATA_DIR: dataDir,
    ...SERVER_ENV,
    CHATTER_PRESENCE_GRACE_MS: '300',
    CHATTER_TYPING_TIMEOUT_MS: '400',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const server = await startChatterServer(config, createLogger('silent'));
  cleanups.push(() => server.close());
  return { url: server.url, dataDir, server, close: () => server.close() };
};

export interface HttpResult<Body = any> {
  status: number;
  body: Body;
  headers: Headers;
}

export const request = async <Body = any>(
  url: string,
  pathname: string,
  options: {
    method?: string;
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<HttpResult<Body>> => {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${url}${pathname}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return readResponse(response);
};

/** Status, headers and the parsed JSON body (undefined when empty) of a fetch response. */
export const readResponse = async <Body = any>(response: Response): Promise<HttpResult<Body>> => {
  const text = await response.text();
  return {
    status: response.status,
    body: text.length > 0 ? JSON.parse(text) : undefined,
    headers: response.headers,
  };
};

export const createSession = async (
  url: string,
  name = 'Ada',
): Promise<{ token: string; user: User; expiresAt: string }> => {
  const { status, body } = await request(url, '/api/session', { body: { name } });
  if (status !== 201) throw new Error(`session failed: ${status} ${JSON.stringify(body)}`);
  return body;
};

/** Signs a token the way an app backend would. */
export const signToken = async (
  claims: { sub?: string; name?: string; rooms?: string[]; [claim: string]: unknown },
  { secret = TEST_SECRET, expiresIn = '1h' }: { secret?: string; expiresIn?: string | number } = {},
): Promise<string> => {
  const { sub, ...rest } = claims;
  let jwt = new SignJWT(rest).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (sub !== undefined) jwt = jwt.setSubject(sub);
  if (expiresIn !== '') jwt = jwt.setExpirationTime(expiresIn);
  return jwt.sign(new TextEncoder().encode(secret));
};

/** Connects a real Socket.IO client and waits for the handshake to finish or fail. */
export const connect = (
  url: string,
  token: string | undefined,
  {
    transports = ['websocket'],
    auth = {},
  }: { transports?: Array<'polling' | 'websocket'>; auth?: Record<string, unknown> } = {},
): Promise<ClientSocket> => {
  const socket: ClientSocket = io(url, {
    auth: token === undefined ? auth : { ...auth, token },
    transports,
    reconnection: false,
    forceNew: true,
  });
  cleanups.push(() => {
    socket.disconnect();
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
};

/** Creates a guest session and connects with it. */
export const connectAs = async (url: string, name = 'Ada') => {
  const session = await createSession(url, name);
  const socket = await connect(url, session.token);
  return { socket, ...session };
};

type ServerEvent = keyof ServerToClientEvents;
type Payload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

/** Resolves with the next `event` that satisfies `match`, or rejects after `timeoutMs`. */
export const nextEvent = <E extends ServerEvent>(
  socket: ClientSocket,
  event: E,
  match: (payload: Payload<E>) => boolean = () => true,
  timeoutMs = 3000,
): Promise<Payload<E>> =>
  new Promise((resolve, reject) => {
    const listener = (payload: Payload<E>) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, listener as never);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      socket.off(event, listener as never);
      reject(new Error(`no "${event}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on(event, listener as never);
  });

/** Records every `event` the socket receives from now on. */
export const record = <E extends ServerEvent>(socket: ClientSocket, event: E): Payload<E>[] => {
  const seen: Payload<E>[] = [];
  socket.on(event, ((payload: Payload<E>) => seen.push(payload)) as never);
  return seen;
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Emits anything at all, bypassing the typed event map, and waits for the acknowledgement. */
export const rawEmitWithAck = (
  socket: ClientSocket,
  event: string,
  ...args: unknown[]
): Promise<any> => (socket as unknown as Socket).timeout(3000).emitWithAck(event, ...args);

/** Emits anything at all without asking for an acknowledgement. */
export const rawEmit = (socket: ClientSocket, event: string, ...args: unknown[]): void => {
  (socket as unknown as Socket).emit(event, ...args);
};

/** Every message the store holds for `room`, read over REST. */
export const storedMessages = async (url: string, token: string, room: string) => {
  const { status, body } = await request(url, `/api/messages?room=${room}&limit=100`, { token });
  if (status !== 200) throw new Error(`history failed: ${status} ${JSON.stringify(body)}`);
  return body.messages as Array<{ seq: number; text: string; clientId?: string; id: string }>;
};

/** The success of an acknowledgement; throws with the error of a refused one. */
export const ok = <Ack extends { ok: boolean }>(ack: Ack): Extract<Ack, { ok: true }> => {
  if (!ack.ok) throw new Error(`refused: ${JSON.stringify(ack)}`);
  return ack as Extract<Ack, { ok: true }>;
};

/** The entries of `room`'s log after `after` (at most 100), read over REST. */
export const storedLog = async (url: string, token: string, room: string, after = 0) => {
  const { status, body } = await request(
    url,
    `/api/messages?room=${room}&after=${after}&limit=100`,
    { token },
  );
  if (status !== 200) throw new Error(`history failed: ${status} ${JSON.stringify(body)}`);
  return body as { messages: Message[]; changes: MessageChange[]; hasMore: boolean };
};

/**
 * Resolves once everything the server sent these sockets before the call has arrived: a
 * socket's events and acknowledgements travel in order, and each socket's probe (a cheap
 * acknowledged `rooms`) is handled after everything the test awaited before. The way to show
 * that nothing else arrived, without sleeping.
 */
export const barrier = async (...sockets: ClientSocket[]): Promise<void> => {
  for (const socket of sockets) ok(await socket.emitWithAck('rooms', {}));
};

/** Sends `text` to `room` and resolves with the stored message. */
export const sendText = async (socket: ClientSocket, text: string, room: string) =>
  ok(await socket.emitWithAck('message', { room, text })).message;
