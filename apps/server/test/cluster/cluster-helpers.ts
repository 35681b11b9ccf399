import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Message, Presence } from '@chatter/protocol';
import { createClient } from '@redis/client';
import { afterEach, onTestFailed, vi } from 'vitest';
import {
  type ClientSocket,
  connect,
  request,
  type ServerChild,
  spawnServer,
  TEST_SECRET,
  tempDataDir,
} from '../helpers.js';

/** The Redis every cluster test shares, each test under a prefix of its own. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

/** Short, so offline arrives soon after a last connection closes. */
export const GRACE_MS = 300;

/** The room the sockets of a test meet in. */
export const ROOM = 'general';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));

const kill = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
};

let clusters = 0;

/** `N` nodes as a tuple, so `const [one, two] = cluster.nodes` needs no checks. */
type Nodes<N extends number, Built extends ServerChild[] = []> = Built['length'] extends N
  ? Built
  : Nodes<N, [...Built, ServerChild]>;

export interface Cluster<N extends number> {
  /** CHATTER_REDIS_PREFIX: every key and channel of this cluster starts with it. */
  prefix: string;
  nodes: Nodes<N>;
  /** Starts one more node of this cluster (same Redis, prefix and SQLite database). */
  addNode(): Promise<ServerChild>;
}

/** Deletes what a cluster left in a Redis the next test runs against too. */
export const forgetPrefix = async (url: string, prefix: string): Promise<void> => {
  // Fails at once rather than retrying, should that Redis be gone.
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 2000 } });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    client.destroy();
  }
};

/**
 * `count` server processes forming one cluster: one Redis prefix of their own, one shared data
 * directory. Killed after the test, before their keys are deleted, so none writes them back.
 */
export const startCluster = async <N extends number>(
  count: N,
  env: Record<string, string> = {},
): Promise<Cluster<N>> => {
  clusters += 1;
  const prefix = `test-${process.pid}-${Date.now()}-${clusters}`;
  const clusterEnv = {
    REDIS_URL: SHARED_REDIS_URL,
    CHATTER_REDIS_PREFIX: prefix,
    CHATTER_DATA_DIR: tempDataDir(),
    CHATTER_PRESENCE_GRACE_MS: String(GRACE_MS),
    ...env,
  };
  const started: ServerChild[] = [];
  cleanups.push(async () => {
    await Promise.all(started.map((node) => kill(node.child)));
    await forgetPrefix(clusterEnv.REDIS_URL, prefix).catch(() => {
      // A test that stopped its own Redis leaves nothing to forget.
    });
  });
  // A cluster failure is usually explained by a node's log, not by the assertion.
  onTestFailed(() => {
    for (const [index, node] of started.entries()) {
      console.error(`--- node ${index + 1} of ${prefix} (${node.url}):\n${node.output()}`);
    }
  });
  const addNode = async () => {
    const node = await spawnServer(clusterEnv);
    started.push(node);
    return node;
  };
  const nodes = await Promise.all(Array.from({ length: count }, addNode));
  return { prefix, nodes: nodes as Nodes<N>, addNode };
};

export interface DedicatedRedis {
  url: string;
  /** Kills the server at once (SIGKILL): an outage, not a shutdown. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

const launchRedis = async (port: number): Promise<ChildProcess> => {
  const child = spawn(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const deadline = Date.now() + 10_000;
  while (!output.includes('Ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await kill(child);
      throw new Error(`redis-server did not start on port ${port}:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return child;
};

/** A redis-server of the test's own on a free port, so the test can take it away. */
export const startRedis = async (): Promise<DedicatedRedis> => {
  const port = await freePort();
  let child = await launchRedis(port);
  cleanups.push(() => kill(child));
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => kill(child),
    restart: async () => {
      child = await launchRedis(port);
    },
  };
};

/** How a server process that refused to start ended. */
export interface Refusal {
  code: number | null;
  output: string;
}

/** Runs a server that is expected to refuse to start, and waits for it to exit. */
export const runUntilExit = async (env: Record<string, string>): Promise<Refusal> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      CHATTER_DATA_DIR: tempDataDir(),
      CHATTER_JWT_SECRET: TEST_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => kill(child));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
};

export interface Seen<T> {
  at: number;
  value: T;
}

/**
 * Every presence update the socket receives from now on, when it came, `presences` batches
 * flattened: the server coalesces updates to a room, so either event may carry the one awaited.
 */
export const recordPresence = (socket: ClientSocket): Array<Seen<Presence>> => {
  const seen: Array<Seen<Presence>> = [];
  socket.on('presence', (value) => seen.push({ at: Date.now(), value }));
  socket.on('presences', (values) => {
    for (const value of values) seen.push({ at: Date.now(), value });
  });
  return seen;
};

/** Waits until `seen` holds a `status` update about `userId`, and answers the first. */
export const presenceAbout = (
  seen: Array<Seen<Presence>>,
  userId: string,
  status: Presence['status'],
  timeoutMs = 3000,
): Promise<Seen<Presence>> =>
  vi.waitFor(
    () => {
      const found = seen.find(({ value }) => value.user.id === userId && value.status === status);
      if (!found) throw new Error(`no "${status}" presence of ${userId} within ${timeoutMs} ms`);
      return found;
    },
    { timeout: timeoutMs, interval: 20 },
  );

/** The statuses announced about `userId`, oldest first. */
export const statusesOf = (seen: Array<Seen<Presence>>, userId: string) =>
  seen.filter(({ value }) => value.user.id === userId).map(({ value }) => value.status);

/**
 * Connects once a slot is free: a handshake refused for a limit is retried until `timeoutMs`,
 * since a closed connection frees its slot in Redis a moment after it is gone.
 */
export const connectOnceAdmitted = async (
  url: string,
  token: string,
  timeoutMs = 5000,
): Promise<ClientSocket> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await connect(url, token);
    } catch (error) {
      const code = (error as { data?: { code?: string } }).data?.code;
      if (code !== 'RATE_LIMITED' || Date.now() > deadline) throw error;
    }
  }
};

export const join = async (socket: ClientSocket, room = ROOM) => {
  const ack = await socket.emitWithAck('join', { room });
  if (!ack.ok) throw new Error(`join failed: ${ack.error.message}`);
  return ack;
};

export const send = async (socket: ClientSocket, text: string, room = ROOM): Promise<Message> => {
  const ack = await socket.emitWithAck('message', { room, text });
  if (!ack.ok) throw new Error(`send failed: ${ack.error.message}`);
  return ack.message;
};

export const byId = (a: string, b: string) => a.localeCompare(b);

/** `GET /api/status` by user id, without lastSeen: it is "now" for everyone online, on each node. */
export const onlineList = async (url: string, token: string) => {
  const { status, body } = await request(url, '/api/status', { token });
  if (status !== 200) throw new Error(`status failed: ${status} ${JSON.stringify(body)}`);
  return (body.users as Presence[])
    .map(({ user: { id, name }, status: presence }) => ({ user: { id, name }, status: presence }))
    .sort((a, b) => byId(a.user.id, b.user.id));
};
