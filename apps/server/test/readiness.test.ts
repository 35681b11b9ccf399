import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import {
  connectAs,
  createSession,
  holdWriteLock,
  request,
  signToken,
  startTestServer,
  tempDataDir,
} from './helpers.js';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

const notReady = (message: string | RegExp) => ({
  status: 503,
  body: {
    error: {
      code: 'UNAVAILABLE',
      message: expect.stringMatching(message),
      details: { retryAfterMs: expect.any(Number) },
    },
  },
});

describe('/healthz and /readyz', () => {
  it('are 200 on a server that can read, write and verify tokens', async () => {
    const { url } = await startTestServer();
    expect(await request(url, '/readyz')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await request(url, '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('a database locked by another process: sends are UNAVAILABLE and /readyz says why until writes work again, while /healthz stays 200', async () => {
    const { url, dataDir } = await startTestServer({
      env: { CHATTER_SQLITE_BUSY_TIMEOUT_MS: '200' },
    });
    const ada = await connectAs(url, 'Ada');
    await ada.socket.emitWithAck('join', { room: 'general' });
    const post = () =>
      request(url, '/api/messages', {
        token: ada.token,
        body: { room: 'general', text: 'hello' },
      });
    expect((await post()).status).toBe(201);

    const locker = await holdWriteLock(path.join(dataDir, 'chatter.db'));
    try {
      const refused = await post();
      expect(refused).toMatchObject({
        status: 503,
        body: { error: { code: 'UNAVAILABLE', details: { retryAfterMs: expect.any(Number) } } },
      });
      const ack = await ada.socket.emitWithAck('message', { room: 'general', text: 'hi' });
      expect(ack).toMatchObject({
        ok: false,
        error: { code: 'UNAVAILABLE', details: { retryAfterMs: expect.any(Number) } },
      });
      // Asked again, still not ready: its own probe write meets the lock too.
      for (let i = 0; i < 2; i++) {
        expect(await request(url, '/readyz')).toMatchObject(
          notReady(
            /^Not ready: the store cannot serve reads and writes: SQLite could not write: database is locked/,
          ),
        );
      }
      expect((await request(url, '/healthz')).status).toBe(200);
      // Reads still work.
      const history = await request(url, '/api/messages?room=general', { token: ada.token });
      expect(history.status).toBe(200);
    } finally {
      locker.kill();
      await once(locker, 'exit');
    }
    // No send is needed to be ready again: /readyz's probe write commits.
    expect(await request(url, '/readyz')).toMatchObject({ status: 200, body: { ok: true } });
    expect((await post()).status).toBe(201);
  }, 30_000);

  it('corrupted database pages: reads and sends are UNAVAILABLE, never INTERNAL, and /readyz stays 503', async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    const { token } = await createSession(first.url, 'Ada');
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 60; i++) {
      const posted = await request(first.url, '/api/messages', {
        token,
        body: { room: 'general', text: `${i} ${filler}` },
      });
      expect(posted.status).toBe(201);
    }
    await first.close();

    // Garbage over every page past the schema's root pages: the messages' own pages.
    const file = path.join(dataDir, 'chatter.db');
    const { rootPages, pageSize } = await readLayout(file);
    const bytes = fs.readFileSync(file);
    const from = (rootPages + 1) * pageSize;
    expect(bytes.length).toBeGreaterThan(from + pageSize);
    bytes.fill(0xa5, from);
    fs.writeFileSync(file, bytes);

    const second = await startTestServer({ dataDir });
    const reader = await signToken({ sub: 'reader', name: 'Reader' });
    const history = await request(second.url, '/api/messages?room=general&limit=100', {
      token: reader,
    });
    expect(history).toMatchObject({
      status: 503,
      body: { error: { code: 'UNAVAILABLE', details: { retryAfterMs: expect.any(Number) } } },
    });
    const sent = await request(second.url, '/api/messages', {
      token: reader,
      body: { room: 'general', text: 'into a broken file' },
    });
    expect(sent.status).toBe(503);
    expect(sent.body.error.code).toBe('UNAVAILABLE');
    // SQLite does not repair a file: not ready until someone restores it, however often asked.
    for (let i = 0; i < 2; i++) {
      expect(await request(second.url, '/readyz')).toMatchObject(notReady(/malformed/));
    }
    expect((await request(second.url, '/healthz')).status).toBe(200);
  }, 30_000);
});

/** How many pages the schema's tables and indexes start on, and the page size. */
const readLayout = async (file: string) => {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file, { readonly: true });
  try {
    const rootPages = db.prepare('SELECT max(rootpage) FROM sqlite_schema').pluck().get() as number;
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    return { rootPages, pageSize };
  } finally {
    db.close();
  }
};

/** The server as `pnpm start` runs it; resolves with its exit code and everything it printed. */
const runServer = async (env: Record<string, string>, { fileSizeLimit = false } = {}) => {
  const command = `${fileSizeLimit ? 'trap "" XFSZ; ulimit -f 0; ' : ''}exec "${process.execPath}" --import tsx src/server.ts`;
  // A file size limit of 0 is a full disk to every write of this process (EFBIG, with the
  // signal ignored), and to nothing else: its output goes to pipes.
  const child = spawn('bash', ['-c', command], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  await vi.waitFor(
    () => {
      if (child.exitCode === null && !output.includes('listening on')) throw new Error('starting');
    },
    { timeout: 20_000, interval: 50 },
  );
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await exited;
    return { code: 'listening', output };
  }
  return { code: await exited, output };
};

describe('a server that cannot start', () => {
  const expectOneLine = (output: string, line: string) => {
    expect(output).toBe(`${line}\n`);
  };

  it('stops with one line naming a database file that is not a database', async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'chatter.db');
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const { code, output } = await runServer({ CHATTER_DATA_DIR: dataDir });
    expect(code).toBe(1);
    expectOneLine(
      output,
      `chatter: cannot open the SQLite database ${file}: file is not a database: the file is damaged or is not Chatter's database`,
    );
  }, 30_000);

  it('stops with one line when a directory stands where the database file should be', async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'chatter.db');
    fs.mkdirSync(file);
    const { code, output } = await runServer({ CHATTER_DATA_DIR: dataDir });
    expect(code).toBe(1);
    expectOneLine(
      output,
      `chatter: cannot open the SQLite database ${file}: it is a directory, not a file`,
    );
  }, 30_000);

  it('stops with one line naming an empty jwt-secret file', async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'jwt-secret');
    fs.writeFileSync(file, '');
    const { code, output } = await runServer({ CHATTER_DATA_DIR: dataDir });
    expect(code).toBe(1);
    expect(output).toMatch(new RegExp(`^chatter: the JWT secret file ${file} is empty .*\\n$`));
  }, 30_000);

  it('a first start on a full disk leaves no jwt-secret behind, and the next start makes a good one', async () => {
    const dataDir = tempDataDir();
    const file = path.join(dataDir, 'jwt-secret');
    const full = await runServer({ CHATTER_DATA_DIR: dataDir }, { fileSizeLimit: true });
    expect(full.code).toBe(1);
    expect(full.output).toMatch(
      new RegExp(`^chatter: cannot write the JWT secret file ${file}: EFBIG: .*\\n$`),
    );
    expect(fs.readdirSync(dataDir)).toEqual([]);

    const next = await runServer({ CHATTER_DATA_DIR: dataDir });
    expect(next.code).toBe('listening');
    expect(fs.readFileSync(file, 'utf8').trim().length).toBeGreaterThanOrEqual(32);
  }, 40_000);
});
