import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startChatterServer } from '../src/chatter-server.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { StoreUnavailableError } from '../src/store/chat-store.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { createLogger } from '../src/utils/logger.js';
import {
  connect,
  createSession,
  request,
  startTestServer,
  TEST_SECRET,
  tempDataDir,
} from './helpers.js';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Nothing listens on port 1; a short server selection makes the failure quick.
const UNREACHABLE_MONGODB = 'mongodb://127.0.0.1:1/chatter?serverSelectionTimeoutMS=300';

describe('configuration', () => {
  it('has defaults that run a local server with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      dataDir: path.resolve('./data'),
      guestsEnabled: true,
      jwtSecret: undefined,
      mongodbUri: undefined,
      mongodbWriteConcern: 'majority',
      mongodbWriteTimeoutMs: 10_000,
      corsOrigins: [],
      logLevel: 'info',
      redisUrl: undefined,
      redisPrefix: 'chatter',
    });
    expect(config.presenceGraceMs).toBeGreaterThanOrEqual(1000);
  });

  it('has limits on by default, guests only while the server makes its own secret', () => {
    expect(loadConfig({})).toMatchObject({
      guestsEnabled: true,
      guestRooms: undefined,
      sessionsPerMinute: 20,
      trustProxy: false,
      maxConnectionsPerUser: 20,
      maxConnectionsPerAddress: 500,
      maxRoomsPerConnection: 100,
      roomsPerMinute: 30,
      maxBufferedBytes: 32 * 1024 * 1024,
      maxTokenTtlSeconds: 30 * 24 * 3600,
    });
    const secret = 'x'.repeat(32);
    expect(loadConfig({ CHATTER_JWT_SECRET: secret }).guestsEnabled).toBe(false);
    expect(loadConfig({ CHATTER_JWT_SECRET: secret, CHATTER_GUESTS: 'true' }).guestsEnabled).toBe(
      true,
    );
    expect(loadConfig({ CHATTER_GUESTS: 'false' }).guestsEnabled).toBe(false);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['loopback', 'loopback'],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('reads CHATTER_TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ CHATTER_TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('reads guest room names and prefix patterns', () => {
    expect(loadConfig({ CHATTER_GUEST_ROOMS: 'lobby, demo-*,help' }).guestRooms).toEqual([
      'lobby',
      'demo-*',
      'help',
    ]);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be at most 65535'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of'],
    [{ CHATTER_JWT_SECRET: 'short' }, 'CHATTER_JWT_SECRET must be at least 32 characters'],
    [{ CHATTER_GUESTS: 'maybe' }, 'CHATTER_GUESTS must be true or false'],
    [{ MONGODB_URI: 'http://db' }, 'MONGODB_URI must start with mongodb://'],
    [{ MONGODB_URI: 'not-a-uri' }, 'MONGODB_URI must start with mongodb://'],
    [{ MONGODB_URI: 'mongodb://' }, 'MONGODB_URI is not a valid MongoDB connection string'],
    [{ MONGODB_URI: 'mongodb://db:port/chat' }, 'MONGODB_URI is not a valid MongoDB connection'],
    [{ MONGODB_URI: 'mongodb://db/chat.log' }, 'MONGODB_URI names the database "chat.log"'],
    [{ CHATTER_MONGODB_WRITE_CONCERN: '0' }, 'CHATTER_MONGODB_WRITE_CONCERN must be "majority"'],
    [{ CHATTER_MONGODB_WRITE_CONCERN: 'all' }, 'CHATTER_MONGODB_WRITE_CONCERN must be "majority"'],
    [
      { CHATTER_MONGODB_WRITE_TIMEOUT_MS: '5' },
      'CHATTER_MONGODB_WRITE_TIMEOUT_MS must be at least',
    ],
    [{ CORS_ORIGINS: 'not a url' }, 'CORS_ORIGINS must be a comma-separated list'],
    [{ CHATTER_GUEST_ROOMS: 'a*b' }, 'CHATTER_GUEST_ROOMS lists room names or prefix* patterns'],
    [{ CHATTER_GUEST_ROOMS: ' , ' }, 'CHATTER_GUEST_ROOMS must name at least one room'],
    [{ CHATTER_SESSIONS_PER_MINUTE: '0' }, 'CHATTER_SESSIONS_PER_MINUTE must be at least 1'],
    [{ CHATTER_TRUST_PROXY: 'every proxy' }, 'CHATTER_TRUST_PROXY must be true, false'],
    [{ CHATTER_MAX_CONNECTIONS_PER_USER: '0' }, 'CHATTER_MAX_CONNECTIONS_PER_USER must be at'],
    [{ CHATTER_MAX_CONNECTIONS_PER_ADDRESS: '-1' }, 'CHATTER_MAX_CONNECTIONS_PER_ADDRESS must be'],
    [{ CHATTER_MAX_ROOMS_PER_CONNECTION: 'many' }, 'CHATTER_MAX_ROOMS_PER_CONNECTION must be a'],
    [{ CHATTER_ROOMS_PER_MINUTE: '0' }, 'CHATTER_ROOMS_PER_MINUTE must be at least 1'],
    [{ CHATTER_MAX_BUFFERED_BYTES: '1000' }, 'CHATTER_MAX_BUFFERED_BYTES must be at least 65536'],
    [{ CHATTER_MAX_TOKEN_TTL: '10' }, 'CHATTER_MAX_TOKEN_TTL must be at least 60'],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, 'REDIS_URL must start with redis:// or rediss://'],
    [
      { REDIS_URL: 'redis://127.0.0.1:6379' },
      'REDIS_URL is set, so CHATTER_JWT_SECRET must be set too',
    ],
    [
      {
        REDIS_URL: 'redis://127.0.0.1:6379',
        CHATTER_JWT_SECRET: TEST_SECRET,
        CHATTER_REDIS_PREFIX: 'a:b',
      },
      'CHATTER_REDIS_PREFIX must be 1–64 letters',
    ],
    [
      { CHATTER_SESSION_TTL_SECONDS: '7200', CHATTER_MAX_TOKEN_TTL: '3600' },
      'CHATTER_SESSION_TTL_SECONDS (7200) must not exceed CHATTER_MAX_TOKEN_TTL (3600)',
    ],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(message);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '4000',
      CHATTER_DATA_DIR: '/var/lib/chatter',
      CHATTER_GUESTS: 'false',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      CHATTER_PRESENCE_GRACE_MS: '1500',
      MONGODB_URI: 'mongodb://db1:27017,db2:27017/chat?replicaSet=rs0',
      CHATTER_MONGODB_WRITE_CONCERN: '2',
      CHATTER_MONGODB_WRITE_TIMEOUT_MS: '2500',
      REDIS_URL: 'redis://:pw@redis.internal:6380/2',
      CHATTER_REDIS_PREFIX: 'chat-eu',
      CHATTER_JWT_SECRET: TEST_SECRET,
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://:pw@redis.internal:6380/2',
      redisPrefix: 'chat-eu',
      mongodbUri: 'mongodb://db1:27017,db2:27017/chat?replicaSet=rs0',
      mongodbWriteConcern: 2,
      mongodbWriteTimeoutMs: 2500,
      port: 4000,
      dataDir: '/var/lib/chatter',
      guestsEnabled: false,
      corsOrigins: ['https://a.example', 'https://b.example'],
      presenceGraceMs: 1500,
    });
  });

  it('serves the web app from the repo by default, or from CHATTER_WEB_DIR', () => {
    const byDefault = loadConfig({}).webDir;
    expect(path.isAbsolute(byDefault)).toBe(true);
    expect(byDefault).toBe(path.resolve(serverDir, '../web/dist'));
    expect(byDefault.endsWith(path.join('apps', 'web', 'dist'))).toBe(true);
    expect(loadConfig({ CHATTER_WEB_DIR: 'public/chat' }).webDir).toBe(path.resolve('public/chat'));
    expect(loadConfig({ CHATTER_WEB_DIR: '/srv/chatter-web' }).webDir).toBe('/srv/chatter-web');
  });

  it('stops when MongoDB is unreachable, naming it and the reason, and never falls back to SQLite', async () => {
    const dataDir = tempDataDir();
    const config = loadConfig({
      PORT: '0',
      CHATTER_DATA_DIR: dataDir,
      MONGODB_URI: UNREACHABLE_MONGODB,
    });
    const starting = startChatterServer(config, createLogger('silent'));
    await expect(starting).rejects.toThrowError(StoreUnavailableError);
    await expect(starting).rejects.toThrowError(
      /^could not connect to MongoDB at 127\.0\.0\.1:1\/chatter: .*ECONNREFUSED/,
    );
    expect(fs.existsSync(path.join(dataDir, 'chatter.db'))).toBe(false);
  });
});

describe('HTTP basics', () => {
  it('GET /healthz answers 200 while the store is reachable', async () => {
    const { url } = await startTestServer();
    const health = await request(url, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
  });

  it('unknown routes answer 404 in the shared error shape', async () => {
    const { url } = await startTestServer();
    const { token } = await createSession(url);
    for (const pathname of ['/api/nope', '/nope']) {
      const missing = await request(url, pathname, { token });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({
        error: { code: 'NOT_FOUND', message: expect.stringContaining(pathname) },
      });
    }
  });

  it('allows the configured CORS origins and no others', async () => {
    const { url } = await startTestServer({ env: { CORS_ORIGINS: 'https://app.example' } });
    const preflight = (origin: string) =>
      fetch(`${url}/api/messages`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    expect(
      (await preflight('https://app.example')).headers.get('access-control-allow-origin'),
    ).toBe('https://app.example');
    expect(
      (await preflight('https://evil.example')).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });
});

const startProcess = async (env: Record<string, string>) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
};

const waitForUrl = async (process: { child: ChildProcess; output: () => string }) => {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const match = process.output().match(/listening on (http:\/\/\S+?)"/);
    if (match?.[1]) return match[1];
    if (process.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not start:\n${process.output()}`);
};

describe('the server process', () => {
  it('exits with one line naming MongoDB and the reason when MongoDB is unreachable', async () => {
    const server = await startProcess({
      PORT: '0',
      CHATTER_DATA_DIR: tempDataDir(),
      MONGODB_URI: 'mongodb://chatter:s3cret@127.0.0.1:1/chatter?serverSelectionTimeoutMS=300',
    });
    const [code] = await once(server.child, 'exit');
    expect(code).toBe(1);
    expect(server.output()).toMatch(
      /^chatter: could not connect to MongoDB at 127\.0\.0\.1:1\/chatter: no server could be selected \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/m,
    );
    expect(server.output()).not.toContain('s3cret');
    expect(server.output()).not.toContain('listening');
  });

  it('treats a malformed MONGODB_URI as a configuration error', async () => {
    const server = await startProcess({
      MONGODB_URI: 'not-a-uri',
      CHATTER_DATA_DIR: tempDataDir(),
    });
    const [code] = await once(server.child, 'exit');
    expect(code).toBe(1);
    expect(server.output()).toContain('Invalid configuration');
    expect(server.output()).toContain('MONGODB_URI must start with mongodb:// or mongodb+srv://');
  });

  it('exits with a clear message when the configuration is bad', async () => {
    const server = await startProcess({ PORT: 'not-a-port', CHATTER_DATA_DIR: tempDataDir() });
    const [code] = await once(server.child, 'exit');
    expect(code).toBe(1);
    expect(server.output()).toContain('Invalid configuration');
    expect(server.output()).toContain('PORT must be a whole number');
  });

  it('shuts down gracefully on SIGTERM: every acknowledged message is stored', async () => {
    const dataDir = tempDataDir();
    const server = await startProcess({
      PORT: '0',
      HOST: '127.0.0.1',
      CHATTER_DATA_DIR: dataDir,
      CHATTER_JWT_SECRET: TEST_SECRET,
      CHATTER_GUESTS: 'true',
      CHATTER_MESSAGES_PER_MINUTE: '100000',
      LOG_LEVEL: 'info',
    });
    const url = await waitForUrl(server);
    const { token } = await createSession(url, 'Ada');
    const socket = await connect(url, token);

    // Keep writing while the signal arrives; some sends land before it, some after.
    const acks = Array.from({ length: 200 }, (_, i) =>
      socket
        .timeout(5000)
        .emitWithAck('message', { room: 'general', text: `m${i}`, clientId: `c${i}` })
        .catch(() => undefined),
    );
    await acks[20];
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'exit');
    const settled = await Promise.all(acks);

    expect(code).toBe(0);
    expect(server.output()).toContain('shutdown complete');
    const acknowledged = settled.flatMap((ack) => (ack?.ok ? [ack.message] : []));
    expect(acknowledged.length).toBeGreaterThan(0);

    const store = openSqliteStore(dataDir);
    try {
      const page = await store.listMessages({ room: 'general', limit: 1000, after: 0 });
      const storedIds = new Set(page.messages.map((m) => m.id));
      for (const message of acknowledged) expect(storedIds).toContain(message.id);
      expect(page.messages.map((m) => m.seq)).toEqual(
        Array.from({ length: page.messages.length }, (_, i) => i + 1),
      );
    } finally {
      await store.close();
    }
  });
});
