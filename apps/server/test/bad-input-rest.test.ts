import { type ErrorCode, LIMITS } from '@chatter/protocol';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  BAD_ROOM,
  base64url,
  claims,
  countAllMessages,
  expectErrorResponse,
  INVALID_TOKEN,
  inAnHour,
  NEEDS_JSON,
  OTHER_SECRET,
  ROOM,
  type Send,
  TOO_LARGE,
  TOO_LONG,
  unknownKey,
  wrongType,
} from './bad-input-shared.js';
import {
  createSession,
  readResponse,
  request,
  signToken,
  startTestServer,
  storedMessages,
  TEST_SECRET,
} from './helpers.js';

// Bad input over REST: every case gets the shared error shape with the right status, stores
// nothing, and leaves the server able to store the next good message as seq 1.

interface Ctx {
  url: string;
  dataDir: string;
  token: string;
}

const setup = async (): Promise<Ctx> => {
  const { url, dataDir } = await startTestServer();
  const { token } = await createSession(url, 'Ada');
  return { url, dataDir, token };
};

const expectNothingStored = async ({ url, token, dataDir }: Ctx): Promise<void> => {
  expect(await storedMessages(url, token, ROOM)).toEqual([]);
  expect(countAllMessages(dataDir)).toBe(0);
};

const expectStillServes = async ({ url, token, dataDir }: Ctx): Promise<void> => {
  const text = 'a good message after the bad ones';
  const res = await request(url, '/api/messages', { token, body: { room: ROOM, text } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.message).toMatchObject({ room: ROOM, seq: 1, text });
  expect((await storedMessages(url, token, ROOM)).map((m) => [m.seq, m.text])).toEqual([[1, text]]);
  expect(countAllMessages(dataDir)).toBe(1);
};

interface BodyCase {
  name: string;
  send: Send;
  code?: ErrorCode;
  message: RegExp;
}

const NOT_JSON = /not valid JSON/;
const BAD_NAME = /^name: Display name must not contain control characters/;

const json = (name: string, body: unknown, message: RegExp): BodyCase => ({
  name,
  send: { body },
  message,
});
const raw = (name: string, rawBody: string, message: RegExp, contentType?: string): BodyCase => ({
  name,
  send: { rawBody, ...(contentType ? { headers: { 'content-type': contentType } } : {}) },
  message,
});
const tooLarge = (name: string, body: unknown): BodyCase => ({
  name,
  send: { rawBody: JSON.stringify(body) },
  code: 'PAYLOAD_TOO_LARGE',
  message: TOO_LARGE,
});

const PROTO_JSON = '{"room":"a","text":"hi","__proto__":{"admin":true}}';
const GOOD_JSON = JSON.stringify({ room: ROOM, text: 'hi' });

const messageBodyCases: BodyCase[] = [
  json('text: 42', { room: ROOM, text: 42 }, wrongType('text', 'string', 'number')),
  json('room: true', { room: true, text: 'hi' }, wrongType('room', 'string', 'boolean')),
  json('an unknown field', { room: ROOM, text: 'hi', admin: true }, unknownKey('admin')),
  json('blank text', { room: ROOM, text: '   ' }, /^text: Message text must not be blank/),
  json('empty text', { room: ROOM, text: '' }, /^text: Message text must not be empty/),
  json('text of 4001 characters', { room: ROOM, text: 'x'.repeat(4001) }, TOO_LONG),
  json('text of 4001 emoji (code points)', { room: ROOM, text: '😀'.repeat(4001) }, TOO_LONG),
  json('a missing text', { room: ROOM }, wrongType('text', 'string', 'undefined')),
  json('a missing room', { text: 'hi' }, wrongType('room', 'string', 'undefined')),
  json('room "General"', { room: 'General', text: 'hi' }, BAD_ROOM),
  json('room "-x"', { room: '-x', text: 'hi' }, BAD_ROOM),
  json('a 65-character room', { room: 'r'.repeat(65), text: 'hi' }, BAD_ROOM),
  json('room "a b"', { room: 'a b', text: 'hi' }, BAD_ROOM),
  json('room "../etc"', { room: '../etc', text: 'hi' }, BAD_ROOM),
  json('an empty room', { room: '', text: 'hi' }, BAD_ROOM),
  json('a bad clientId', { room: ROOM, text: 'hi', clientId: 'has spaces' }, /^clientId: /),
  json(
    'room: { $ne: "x" }',
    { room: { $ne: 'x' }, text: 'hi' },
    wrongType('room', 'string', 'object'),
  ),
  json(
    'text: { $gt: "" }',
    { room: ROOM, text: { $gt: '' } },
    wrongType('text', 'string', 'object'),
  ),
  raw('a __proto__ key', PROTO_JSON, unknownKey('__proto__')),
  json('an array body', [{ room: ROOM, text: 'hi' }], wrongType('payload', 'object', 'array')),
  json('an empty JSON object', {}, wrongType('room', 'string', 'undefined')),
  // The JSON parser is strict: only objects and arrays get past it.
  raw('a JSON string body', '"hi"', NOT_JSON),
  raw('a JSON number body', '42', NOT_JSON),
  raw('a JSON null body', 'null', NOT_JSON),
  raw('malformed JSON', '{"room":', NOT_JSON),
  raw('JSON sent as text/plain', GOOD_JSON, NEEDS_JSON, 'text/plain'),
  raw('JSON sent as a form', GOOD_JSON, NEEDS_JSON, 'application/x-www-form-urlencoded'),
  tooLarge('a body over 32 KiB', { room: ROOM, text: 'x'.repeat(40_000) }),
];

describe('POST /api/messages with bad input', () => {
  it.each(messageBodyCases)('rejects $name', async ({ send, code = 'VALIDATION', message }) => {
    const ctx = await setup();
    const res = await request(ctx.url, '/api/messages', {
      method: 'POST',
      token: ctx.token,
      ...send,
    });
    expectErrorResponse(res, code, message);
    await expectNothingStored(ctx);
    await expectStillServes(ctx);
  });

  it('rejects a request with no body at all', async () => {
    const ctx = await setup();
    const res = await request(ctx.url, '/api/messages', { method: 'POST', token: ctx.token });
    expectErrorResponse(res, 'VALIDATION', NEEDS_JSON);
    await expectNothingStored(ctx);
    await expectStillServes(ctx);
  });

  it('rejects a JSON body sent without any Content-Type header', async () => {
    const ctx = await setup();
    // A Blob without a type makes fetch send no Content-Type at all (a string would be text/plain).
    const response = await fetch(`${ctx.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.token}` },
      body: new Blob([JSON.stringify({ room: ROOM, text: 'hi' })]),
    });
    const res = await readResponse(response);
    expectErrorResponse(res, 'VALIDATION', NEEDS_JSON);
    await expectNothingStored(ctx);
    await expectStillServes(ctx);
  });

  it('rejects a chunked body over 32 KiB that announces no Content-Length', async () => {
    const ctx = await setup();
    const bytes = new TextEncoder().encode(
      JSON.stringify({ room: ROOM, text: 'x'.repeat(40_000) }),
    );
    const response = await fetch(`${ctx.url}/api/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    const res = await readResponse(response);
    expectErrorResponse(res, 'PAYLOAD_TOO_LARGE', TOO_LARGE);
    await expectNothingStored(ctx);
    await expectStillServes(ctx);
  });

  it('accepts text of exactly 4000 characters (and 4000 emoji) as seq 1 and 2', async () => {
    const ctx = await setup();
    for (const [seq, text] of [
      [1, 'x'.repeat(LIMITS.messageTextMaxLength)],
      [2, '😀'.repeat(LIMITS.messageTextMaxLength)],
    ] as const) {
      const res = await request(ctx.url, '/api/messages', {
        token: ctx.token,
        body: { room: ROOM, text },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.message).toMatchObject({ room: ROOM, seq, text });
    }
    expect((await storedMessages(ctx.url, ctx.token, ROOM)).map((m) => m.seq)).toEqual([1, 2]);
  });
});

interface QueryCase {
  path: string;
  message: RegExp;
  /** A validation issue that must be among `details.issues`, beyond the summary `message`. */
  issue?: RegExp;
}

const query = (path: string, message: RegExp, issue?: RegExp): QueryCase => ({
  path,
  message,
  ...(issue ? { issue } : {}),
});
const NOT_WHOLE = (field: string) => new RegExp(`^${field}: Expected a whole number`);
const manyUsers = Array.from({ length: 101 }, (_, i) => `u${i}`).join(',');

const queryCases: QueryCase[] = [
  query('/api/messages?room[$ne]=x', /^room: /, unknownKey('room[$ne]')),
  query('/api/messages?room=a&room[$ne]=x', unknownKey('room[$ne]')),
  query('/api/messages?room=a&room=b', wrongType('room', 'string', 'array')),
  query('/api/messages?room=a&limit=1e3', NOT_WHOLE('limit')),
  query('/api/messages?room=a&limit=101', /^limit: Too big: .*100/),
  // The socket lets a forward page hold more (to catch up); REST pages stay at 100.
  query('/api/messages?room=a&after=5&limit=101', /^limit: Too big: .*100/),
  query('/api/messages?room=a&limit=0', /^limit: Too small: .*1/),
  query('/api/messages?room=a&limit=-1', NOT_WHOLE('limit')),
  query('/api/messages?room=a&limit=', NOT_WHOLE('limit')),
  query('/api/messages?room=a&limit=1&limit=2', wrongType('limit', 'string', 'array')),
  query('/api/messages?room=a&after=0x10', NOT_WHOLE('after')),
  query('/api/messages?room=a&before=abc', NOT_WHOLE('before')),
  query('/api/messages?room=a&since=3', unknownKey('since')),
  query('/api/messages', wrongType('room', 'string', 'undefined')),
  query('/api/messages?limit=101', /^room: /, /^Too big: .*100/),
  query('/api/messages?room=General', BAD_ROOM),
  query('/api/messages?room=..%2Fetc', BAD_ROOM),
  query(`/api/messages?room=${'r'.repeat(65)}`, BAD_ROOM),
  query('/api/status?users[$ne]=x', unknownKey('users[$ne]')),
  query('/api/status?users=a&users=b', wrongType('users', 'string', 'array')),
  query('/api/status?users=', /^users: Too small: .*>=1/),
  query('/api/status?users=,,,', /^users: Too small: .*>=1/),
  query(`/api/status?users=${manyUsers}`, /^users: Too big: .*100/),
  query(`/api/status?users=${'u'.repeat(129)}`, /^users\.0: Too big: .*128/),
  query('/api/status?online=true', unknownKey('online')),
];

describe('GET query strings with bad input', () => {
  it.each(queryCases)('rejects $path', async ({ path: pathname, message, issue }) => {
    const ctx = await setup();
    const res = await request(ctx.url, pathname, { token: ctx.token });
    expectErrorResponse(res, 'VALIDATION', message);
    if (issue) {
      const messages = res.body.error.details.issues.map((i: { message: string }) => i.message);
      expect(messages).toContainEqual(expect.stringMatching(issue));
    }
    await expectNothingStored(ctx);
    await expectStillServes(ctx);
  });
});

const sessionCases: BodyCase[] = [
  json('a blank name', { name: '   ' }, /^name: Display name must not be blank/),
  json('an empty name', { name: '' }, /^name: Display name must not be blank/),
  json('a 41-character name', { name: 'n'.repeat(41) }, /^name: .*at most 40 characters/),
  json('a name with a newline', { name: 'Ada\nAdmin: hi' }, BAD_NAME),
  json('a name with a BEL character', { name: 'Ada\u0007' }, BAD_NAME),
  json('a name with a NUL character', { name: 'A\u0000da' }, BAD_NAME),
  json('a missing name', {}, wrongType('name', 'string', 'undefined')),
  json('name: 42', { name: 42 }, wrongType('name', 'string', 'number')),
  json('name: { $ne: "" }', { name: { $ne: '' } }, wrongType('name', 'string', 'object')),
  json('an extra field', { name: 'Ada', admin: true }, unknownKey('admin')),
  raw('a __proto__ key', '{"name":"Ada","__proto__":{"admin":true}}', unknownKey('__proto__')),
  json('an array body', ['Ada'], wrongType('payload', 'object', 'array')),
  raw('a JSON string body', '"Ada"', NOT_JSON),
  raw('malformed JSON', '{"name":', NOT_JSON),
  raw('JSON sent as text/plain', '{"name":"Ada"}', NEEDS_JSON, 'text/plain'),
  tooLarge('a body over 32 KiB', { name: 'n'.repeat(40_000) }),
];

describe('POST /api/session with bad input', () => {
  it.each(sessionCases)('rejects $name', async ({ send, code = 'VALIDATION', message }) => {
    const ctx = await setup();
    const res = await request(ctx.url, '/api/session', { method: 'POST', ...send });
    expectErrorResponse(res, code, message);
    expect(res.body).not.toHaveProperty('token');
    await expectNothingStored(ctx);
    // The server still hands out sessions, and the new token can post.
    const next = await createSession(ctx.url, 'Grace');
    expect(next.user.name).toBe('Grace');
    await expectStillServes({ ...ctx, token: next.token });
  });

  it('accepts a name of exactly 40 characters', async () => {
    const { url } = await setup();
    const res = await request(url, '/api/session', { body: { name: 'n'.repeat(40) } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.user.name).toBe('n'.repeat(40));
  });
});

interface AuthCase {
  name: string;
  /** The Authorization header to send, if any; built per test so expiry times are fresh. */
  authorization: () => Promise<string | undefined>;
  message: RegExp;
}

const header = (name: string, value: string | undefined, message: RegExp): AuthCase => ({
  name,
  authorization: async () => value,
  message,
});
const bearer = (name: string, token: () => Promise<string>, message: RegExp): AuthCase => ({
  name,
  authorization: async () => `Bearer ${await token()}`,
  message,
});
const NO_BEARER = /Authorization: Bearer/;

const authCases: AuthCase[] = [
  header('no Authorization header', undefined, NO_BEARER),
  header('Bearer garbage', 'Bearer garbage', INVALID_TOKEN),
  header('an empty Bearer', 'Bearer ', NO_BEARER),
  header('Basic credentials', 'Basic YWRhOnNlY3JldA==', NO_BEARER),
  {
    name: 'a bare token without "Bearer"',
    authorization: () => signToken(claims),
    message: NO_BEARER,
  },
  bearer(
    'a token signed with another secret',
    () => signToken(claims, { secret: OTHER_SECRET }),
    INVALID_TOKEN,
  ),
  bearer(
    'an expired token',
    () => signToken(claims, { expiresIn: Math.floor(Date.now() / 1000) - 10 }),
    /Token has expired/,
  ),
  bearer(
    'a token with alg "none"',
    async () =>
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, exp: inAnHour() })}.`,
    INVALID_TOKEN,
  ),
  bearer('a token with no expiry', () => signToken(claims, { expiresIn: '' }), INVALID_TOKEN),
  bearer(
    'a token with no name claim',
    () => signToken({ sub: 'mallory' }),
    /Token claims are not valid/,
  ),
  bearer(
    'a token signed HS512 with the right secret',
    () =>
      new SignJWT({ name: 'Mallory' })
        .setProtectedHeader({ alg: 'HS512' })
        .setSubject('mallory')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(TEST_SECRET)),
    INVALID_TOKEN,
  ),
];

const authEndpoints: Array<{ endpoint: string; method: string; pathname: string; body?: unknown }> =
  [
    {
      endpoint: 'POST /api/messages',
      method: 'POST',
      pathname: '/api/messages',
      body: { room: ROOM, text: 'sneaky' },
    },
    { endpoint: 'GET /api/messages', method: 'GET', pathname: `/api/messages?room=${ROOM}` },
    { endpoint: 'GET /api/status', method: 'GET', pathname: '/api/status' },
    { endpoint: 'GET /api/session', method: 'GET', pathname: '/api/session' },
    {
      endpoint: 'PATCH /api/messages/:id',
      method: 'PATCH',
      pathname: '/api/messages/some-id',
      body: { text: 'sneaky' },
    },
    {
      endpoint: 'PUT /api/messages/:id/reactions/:emoji',
      method: 'PUT',
      pathname: `/api/messages/some-id/reactions/${encodeURIComponent('👍')}`,
    },
    { endpoint: 'GET /api/rooms', method: 'GET', pathname: '/api/rooms' },
    {
      endpoint: 'POST /api/rooms/:room/read',
      method: 'POST',
      pathname: `/api/rooms/${ROOM}/read`,
      body: { seq: 1 },
    },
  ];

const authMatrix = authCases.flatMap((auth) =>
  authEndpoints.map((target) => ({ ...auth, ...target })),
);

describe('REST requests with a missing or bad token', () => {
  it.each(authMatrix)(
    '$endpoint with $name is 401 UNAUTHORIZED',
    async ({ authorization, message, method, pathname, body }) => {
      const ctx = await setup();
      const header = await authorization();
      const res = await request(ctx.url, pathname, {
        method,
        ...(body === undefined ? {} : { body }),
        headers: header === undefined ? {} : { authorization: header },
      });
      expectErrorResponse(res, 'UNAUTHORIZED', message);
      await expectNothingStored(ctx);
      await expectStillServes(ctx);
    },
  );
});
