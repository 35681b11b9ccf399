import type { ErrorCode } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  BAD_ID,
  BAD_ROOM,
  countAllMessages,
  expectErrorResponse,
  LONE_SURROGATE,
  LONG_ZWJ,
  NEEDS_JSON,
  NOT_EMOJI,
  ROOM,
  type Send,
  TOO_LARGE,
  TOO_LONG,
  unknownKey,
  wrongType,
} from './bad-input-shared.js';
import { createSession, request, startTestServer, storedLog } from './helpers.js';

// Bad input to the routes that change messages and read state: each bad path, query or body is
// refused in the shared shape before anything is read or written, the log and the user's rooms
// stay as they were, and the server goes on to make a good change.

interface Ctx {
  url: string;
  dataDir: string;
  token: string;
}

const LONE = LONE_SURROGATE;
const NOT_UTF8 = /^A path parameter is not percent-encoded UTF-8$/;
const ID = ':id'; // replaced by the target message's id in each test

interface RouteCase {
  name: string;
  method: 'PATCH' | 'DELETE' | 'PUT' | 'POST' | 'GET';
  path: string;
  send?: Send;
  code?: ErrorCode;
  message: RegExp;
}

const routeCase = (
  name: string,
  method: RouteCase['method'],
  path: string,
  message: RegExp,
  send?: Send,
  code?: ErrorCode,
): RouteCase => ({
  name,
  method,
  path,
  message,
  ...(send ? { send } : {}),
  ...(code ? { code } : {}),
});
const reactionPath = (emoji: string) => `/api/messages/${ID}/reactions/${emoji}`;
const body = (value: unknown): Send => ({ body: value });
const rawBody = (value: string): Send => ({ rawBody: value });

const routeCases: RouteCase[] = [
  // Message ids in the path.
  routeCase('an id with a space', 'PATCH', '/api/messages/a%20b', BAD_ID, body({ text: 'x' })),
  routeCase(
    'a 65-character id',
    'PATCH',
    `/api/messages/${'i'.repeat(65)}`,
    BAD_ID,
    body({ text: 'x' }),
  ),
  routeCase('an id "../etc"', 'DELETE', '/api/messages/..%2Fetc', BAD_ID),
  routeCase('an id "$ne"', 'DELETE', '/api/messages/%24ne', BAD_ID),
  routeCase('an id that is not UTF-8', 'DELETE', '/api/messages/%E0%A4', NOT_UTF8),
  // Emoji in the path.
  routeCase('emoji "a"', 'PUT', reactionPath('a'), NOT_EMOJI),
  routeCase('two emoji', 'PUT', reactionPath(encodeURIComponent('👍👍')), NOT_EMOJI),
  routeCase('a 41-unit ZWJ sequence', 'PUT', reactionPath(encodeURIComponent(LONG_ZWJ)), NOT_EMOJI),
  routeCase('an emoji "/"', 'PUT', reactionPath('%2F'), NOT_EMOJI),
  routeCase('an emoji " "', 'DELETE', reactionPath('%20'), NOT_EMOJI),
  // A lone surrogate has no UTF-8 form: its would-be bytes do not decode.
  routeCase('a lone surrogate as UTF-8 bytes', 'PUT', reactionPath('%ED%A0%80'), NOT_UTF8),
  routeCase('a cut-off emoji', 'DELETE', reactionPath('%F0%9F%91'), NOT_UTF8),
  // Rooms in the path.
  routeCase('room "General"', 'POST', '/api/rooms/General/read', BAD_ROOM, body({ seq: 1 })),
  routeCase('room "../etc"', 'POST', '/api/rooms/..%2Fetc/read', BAD_ROOM, body({ seq: 1 })),
  // Bodies.
  routeCase(
    'text: 42',
    'PATCH',
    `/api/messages/${ID}`,
    wrongType('text', 'string', 'number'),
    body({ text: 42 }),
  ),
  routeCase(
    'text of 4001 characters',
    'PATCH',
    `/api/messages/${ID}`,
    TOO_LONG,
    body({ text: 'x'.repeat(4001) }),
  ),
  routeCase(
    'text with a lone surrogate',
    'PATCH',
    `/api/messages/${ID}`,
    /lone surrogate/,
    body({ text: `a${LONE}` }),
  ),
  routeCase(
    'text: { $gt: "" }',
    'PATCH',
    `/api/messages/${ID}`,
    /^text: /,
    body({ text: { $gt: '' } }),
  ),
  routeCase(
    'a room in the body',
    'PATCH',
    `/api/messages/${ID}`,
    unknownKey('room'),
    body({ text: 'x', room: ROOM }),
  ),
  routeCase(
    'a __proto__ key',
    'PATCH',
    `/api/messages/${ID}`,
    unknownKey('__proto__'),
    rawBody('{"text":"x","__proto__":{"admin":true}}'),
  ),
  routeCase(
    'an array body',
    'PATCH',
    `/api/messages/${ID}`,
    wrongType('payload', 'object', 'array'),
    body([{ text: 'x' }]),
  ),
  routeCase('no body', 'PATCH', `/api/messages/${ID}`, NEEDS_JSON),
  routeCase(
    'a body over 32 KiB',
    'PATCH',
    `/api/messages/${ID}`,
    TOO_LARGE,
    rawBody(JSON.stringify({ text: 'x'.repeat(40_000) })),
    'PAYLOAD_TOO_LARGE',
  ),
  routeCase(
    'a body on DELETE',
    'DELETE',
    `/api/messages/${ID}`,
    unknownKey('hard'),
    body({ hard: true }),
  ),
  routeCase(
    'a body on PUT',
    'PUT',
    reactionPath(encodeURIComponent('👍')),
    unknownKey('count'),
    body({ count: 5 }),
  ),
  routeCase(
    'seq: "3"',
    'POST',
    `/api/rooms/${ROOM}/read`,
    wrongType('seq', 'number', 'string'),
    body({ seq: '3' }),
  ),
  routeCase('seq: -1', 'POST', `/api/rooms/${ROOM}/read`, /^seq: Too small/, body({ seq: -1 })),
  routeCase(
    'seq: { $gt: 0 }',
    'POST',
    `/api/rooms/${ROOM}/read`,
    wrongType('seq', 'number', 'object'),
    body({ seq: { $gt: 0 } }),
  ),
  routeCase(
    'a userId in the body',
    'POST',
    `/api/rooms/${ROOM}/read`,
    unknownKey('userId'),
    body({ seq: 1, userId: 'bob' }),
  ),
  routeCase('a read with no body', 'POST', `/api/rooms/${ROOM}/read`, NEEDS_JSON),
  // Query strings.
  routeCase(
    'a query on PATCH',
    'PATCH',
    `/api/messages/${ID}?room=${ROOM}`,
    unknownKey('room'),
    body({ text: 'x' }),
  ),
  routeCase('GET /api/rooms?all=true', 'GET', '/api/rooms?all=true', unknownKey('all')),
  routeCase('GET /api/rooms?user[$ne]=x', 'GET', '/api/rooms?user[$ne]=x', unknownKey('user[$ne]')),
];

/** Ada's message (seq 1) every case names, posted over REST: she is in no room. */
const setupTarget = async () => {
  const { url, dataDir } = await startTestServer();
  const { token } = await createSession(url, 'Ada');
  const ctx: Ctx = { url, dataDir, token };
  const res = await request(ctx.url, '/api/messages', {
    token: ctx.token,
    body: { room: ROOM, text: 'target' },
  });
  expect(res.status).toBe(201);
  return { ...ctx, id: res.body.message.id as string };
};

const expectUnchanged = async ({ url, token, dataDir }: Ctx): Promise<void> => {
  const log = await storedLog(url, token, ROOM);
  expect(log.messages.map((m) => [m.seq, m.text, m.editedAt, m.reactions])).toEqual([
    [1, 'target', undefined, undefined],
  ]);
  expect(log.changes).toEqual([]);
  expect(countAllMessages(dataDir)).toBe(1);
  const rooms = await request(url, '/api/rooms', { token });
  expect(rooms).toMatchObject({ status: 200, body: { rooms: [] } });
};

describe('message-changing and read-state routes with bad input', () => {
  it.each(routeCases)(
    '$method $path rejects $name',
    async ({ method, path: pathname, send, code = 'VALIDATION', message }) => {
      const ctx = await setupTarget();
      const res = await request(ctx.url, pathname.replace(ID, ctx.id), {
        method,
        token: ctx.token,
        ...send,
      });
      expectErrorResponse(res, code, message);
      await expectUnchanged(ctx);
      const good = await request(ctx.url, `/api/messages/${ctx.id}`, {
        method: 'PATCH',
        token: ctx.token,
        body: { text: 'edited' },
      });
      expect(good.status, JSON.stringify(good.body)).toBe(200);
      expect(good.body.change).toMatchObject({ seq: 2, type: 'edited' });
    },
  );

  it('a flood of changes past the per-user budget is 429 RATE_LIMITED and stores nothing more', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MESSAGES_PER_MINUTE: '3' } });
    const { token } = await createSession(url, 'Ada');
    const posted = await request(url, '/api/messages', { token, body: { room: ROOM, text: 't' } });
    const id = posted.body.message.id as string;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? request(url, `/api/messages/${id}`, { method: 'PATCH', token, body: { text: `v${i}` } })
          : request(url, `/api/messages/${id}/reactions/${encodeURIComponent('👍')}`, {
              method: i % 4 === 1 ? 'PUT' : 'DELETE',
              token,
            }),
      ),
    );
    const refused = answers.filter((res) => res.status !== 200);
    expect(refused).toHaveLength(28);
    for (const res of refused) {
      expect(res.status).toBe(429);
      expect(res.body).toEqual({
        error: {
          code: 'RATE_LIMITED',
          message: 'Too many messages and changes; slow down',
          details: { retryAfterMs: expect.any(Number) },
        },
      });
    }
    expect((await storedLog(url, token, ROOM)).changes.length).toBeLessThanOrEqual(2);
  });
});
