import path from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { LIMITS, type Message } from '@chatter/protocol';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  connect,
  connectAs,
  nextEvent,
  readResponse,
  record,
  request,
  signToken,
  startTestServer,
  storedMessages,
} from './helpers.js';

// A lone high surrogate between letters: no UTF-8 form, so a store would keep U+FFFD instead.
const LONE = 'x\uD800y';
// Astral-plane characters (surrogate pairs) and a ZWJ sequence, which must survive unchanged.
const ASTRAL = 'emoji 😀, 👩\u200d💻 and \u{20000} ok';

const refusedConnection = (url: string, token: string) =>
  connect(url, token).then(
    () => {
      throw new Error('connected with a token that should be refused');
    },
    (error: Error & { data?: unknown }) => error.data,
  );

describe('text that is not well-formed UTF-16', () => {
  it('is refused with VALIDATION over the socket and REST, and nothing of it is stored or broadcast', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await ada.socket.emitWithAck('join', { room: 'general' });
    await bob.socket.emitWithAck('join', { room: 'general' });
    const bobSees = record(bob.socket, 'message');

    const ack = await ada.socket.emitWithAck('message', { room: 'general', text: LONE });
    expect(ack).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    if (ack.ok) throw new Error('unreachable');
    expect(ack.error.message).toContain('lone surrogate');

    const posted = await request(url, '/api/messages', {
      token: ada.token,
      // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse restores.
      body: { room: 'general', text: LONE },
    });
    expect(posted.status).toBe(400);
    expect(posted.body.error).toMatchObject({ code: 'VALIDATION' });
    expect(JSON.stringify(posted.body)).not.toContain('\\ud800');

    // Barrier: a valid message sent after them is the first and only one Bob receives.
    const barrierArrives = nextEvent(bob.socket, 'message', (m) => m.text === 'after');
    const barrier = await ada.socket.emitWithAck('message', { room: 'general', text: 'after' });
    expect(barrier).toMatchObject({ ok: true, message: { seq: 1 } });
    await barrierArrives;
    expect(bobSees.map((m) => m.text)).toEqual(['after']);
    expect((await storedMessages(url, ada.token, 'general')).map((m) => m.text)).toEqual(['after']);
  });

  it('is refused as a guest name and in token claims', async () => {
    const { url } = await startTestServer();
    const session = await request(url, '/api/session', { body: { name: `Ada${'\uDC00'}` } });
    expect(session.status).toBe(400);
    expect(session.body.error).toMatchObject({ code: 'VALIDATION' });

    for (const claims of [
      { sub: 'u\uD83D', name: 'Ada' },
      { sub: 'u1', name: 'A\uDFFFda' },
    ]) {
      const token = await signToken(claims);
      const rest = await request(url, '/api/session', { token });
      expect(rest.status).toBe(401);
      expect(rest.body.error).toMatchObject({ code: 'UNAUTHORIZED' });
      expect(await refusedConnection(url, token)).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  it('astral-plane text is byte-identical in the ack, the broadcast, the database and history', async () => {
    const { url, dataDir } = await startTestServer();
    const ada = await connectAs(url, 'Ada 😀');
    const bob = await connectAs(url, 'Bob');
    await ada.socket.emitWithAck('join', { room: 'general' });
    await bob.socket.emitWithAck('join', { room: 'general' });

    const delivered = nextEvent(bob.socket, 'message');
    const ack = await ada.socket.emitWithAck('message', { room: 'general', text: ASTRAL });
    if (!ack.ok) throw new Error(ack.error.message);
    const posted = await request(url, '/api/messages', {
      token: ada.token,
      body: { room: 'general', text: ASTRAL },
    });
    expect(posted.status).toBe(201);

    const texts: string[] = [
      ack.message.text,
      (await delivered).text,
      posted.body.message.text,
      ...(await storedMessages(url, bob.token, 'general')).map((m) => m.text),
    ];
    for (const text of texts) expect(Buffer.from(text)).toEqual(Buffer.from(ASTRAL));
    expect(ack.message.author.name).toBe('Ada 😀');

    // The bytes SQLite holds are the UTF-8 of what was sent, not U+FFFD replacements.
    const db = new Database(path.join(dataDir, 'chatter.db'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT CAST(text AS BLOB) AS bytes, author_name FROM messages ORDER BY seq')
        .all() as Array<{ bytes: Buffer; author_name: string }>;
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.bytes.equals(Buffer.from(ASTRAL, 'utf8'))).toBe(true);
        expect(row.author_name).toBe('Ada 😀');
      }
    } finally {
      db.close();
    }
  });
});

describe('token edge cases', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it.each([
    ['an exp of 1e15 seconds', { exp: 1e15 }],
    ['an exp in the year 9999', { exp: Date.parse('9999-12-31T00:00:00Z') / 1000 }],
    ['a lifetime one second past CHATTER_MAX_TOKEN_TTL', { iat: 'now', ttl: 30 * 24 * 3600 + 1 }],
  ] as const)(
    '%s is refused with UNAUTHORIZED and the reason, over REST and the socket',
    async (_, spec) => {
      const { url } = await startTestServer();
      const exp = 'exp' in spec ? spec.exp : now() + spec.ttl;
      const token = await signToken({ sub: 'u1', name: 'Ada' }, { expiresIn: exp });
      for (const path of ['/api/session', '/api/messages?room=general']) {
        const rest = await request(url, path, { token });
        expect(rest.status).toBe(401);
        expect(rest.body.error).toMatchObject({
          code: 'UNAUTHORIZED',
          message: expect.stringContaining('CHATTER_MAX_TOKEN_TTL'),
          details: { maxTokenTtlSeconds: 30 * 24 * 3600 },
        });
      }
      expect(await refusedConnection(url, token)).toMatchObject({
        code: 'UNAUTHORIZED',
        message: expect.stringContaining('CHATTER_MAX_TOKEN_TTL'),
      });
    },
  );

  it('CHATTER_MAX_TOKEN_TTL sets the longest lifetime accepted', async () => {
    const { url } = await startTestServer({
      env: { CHATTER_MAX_TOKEN_TTL: '3600', CHATTER_SESSION_TTL_SECONDS: '600' },
    });
    const within = await signToken({ sub: 'u1', name: 'Ada' }, { expiresIn: '1h' });
    const beyond = await signToken({ sub: 'u1', name: 'Ada' }, { expiresIn: '2h' });
    expect((await request(url, '/api/session', { token: within })).status).toBe(200);
    expect((await request(url, '/api/session', { token: beyond })).body.error.message).toBe(
      'Token lives too long: exp − iat is 7200 seconds, and this server accepts at most 3600 (CHATTER_MAX_TOKEN_TTL)',
    );
    // Guest sessions, at CHATTER_SESSION_TTL_SECONDS, are accepted by their own server.
    const guest = await request(url, '/api/session', { body: { name: 'Guest' } });
    expect((await request(url, '/api/session', { token: guest.body.token })).status).toBe(200);
  });

  it('a token past LIMITS.maxTokenLength is refused in the shared shape, over REST and the socket', async () => {
    const { url } = await startTestServer();
    const large = await signToken({ sub: 'u1', name: 'Ada', pad: 'x'.repeat(10_000) });
    expect(large.length).toBeGreaterThan(LIMITS.maxTokenLength);
    const rest = await request(url, '/api/session', { token: large });
    expect(rest.status).toBe(401);
    expect(rest.body.error).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('Token is too large'),
    });
    expect(await refusedConnection(url, large)).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('Token is too large'),
    });
  });

  it('a token past Node’s 16 KB header limit gets a 431 in the shared shape, not an empty answer', async () => {
    const { url } = await startTestServer();
    const huge = await signToken({ sub: 'u1', name: 'Ada', pad: 'x'.repeat(30_000) });
    const rest = await request(url, '/api/session', { token: huge });
    expect(rest.status).toBe(431);
    expect(rest.headers.get('content-type')).toContain('application/json');
    expect(rest.body).toEqual({
      error: {
        code: 'PAYLOAD_TOO_LARGE',
        message: 'Request headers are larger than 16 KB (is the token too large?)',
      },
    });
    // The server goes on answering.
    expect((await request(url, '/healthz')).status).toBe(200);
  });
});

describe('compressed request bodies', () => {
  const send = (url: string, token: string, encoding: string, body: Buffer | string) =>
    fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-encoding': encoding,
      },
      body,
    }).then(readResponse);

  it.each(['br', 'gzip', 'deflate'])(
    'a %s body that does not decompress is a 400 VALIDATION',
    async (encoding) => {
      const { url } = await startTestServer();
      const token = await signToken({ sub: 'u1', name: 'Ada' });
      const answer = await send(url, token, encoding, 'not compressed at all');
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 'VALIDATION',
        message: expect.stringMatching(/^Request body cannot be read: /),
      });
    },
  );

  it.each([
    ['br', brotliCompressSync],
    ['gzip', gzipSync],
    ['deflate', deflateSync],
  ] as const)('a valid %s body is read', async (encoding, compress) => {
    const { url } = await startTestServer();
    const token = await signToken({ sub: 'u1', name: 'Ada' });
    const body = compress(Buffer.from(JSON.stringify({ room: 'general', text: encoding })));
    const answer = await send(url, token, encoding, body);
    expect(answer.status).toBe(201);
    expect((answer.body.message as Message).text).toBe(encoding);
  });

  it('an unsupported encoding is a 400 VALIDATION', async () => {
    const { url } = await startTestServer();
    const token = await signToken({ sub: 'u1', name: 'Ada' });
    const answer = await send(url, token, 'x-unknown', '{}');
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('VALIDATION');
  });
});
