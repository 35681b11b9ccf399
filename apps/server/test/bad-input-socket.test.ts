import { LIMITS } from '@chatter/protocol';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  BAD_ROOM,
  bad,
  base64url,
  claims,
  countAllMessages,
  expectAckError,
  INVALID_TOKEN,
  inAnHour,
  noPayload,
  OTHER_SECRET,
  type PayloadCase,
  ROOM,
  TOO_LONG,
  unknownKey,
  withProto,
  wrongType,
} from './bad-input-shared.js';
import {
  type ClientSocket,
  connect,
  connectAs,
  nextEvent,
  rawEmit,
  rawEmitWithAck,
  record,
  signToken,
  startTestServer,
  storedMessages,
  TEST_SECRET,
} from './helpers.js';

// Bad input over Socket.IO: every acknowledged case answers `{ ok: false, error }` naming the
// problem, nothing is stored, and the same socket goes on to store a good message as seq 1.

interface Ctx {
  url: string;
  dataDir: string;
  token: string;
  socket: ClientSocket;
}

const setup = async (): Promise<Ctx> => {
  const { url, dataDir } = await startTestServer();
  const { socket, token } = await connectAs(url, 'Ada');
  return { url, dataDir, token, socket };
};

const join = async (socket: ClientSocket, room = ROOM): Promise<void> => {
  const ack = await socket.timeout(3000).emitWithAck('join', { room });
  expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true, room });
};

const expectNothingStored = async ({
  url,
  token,
  dataDir,
}: Pick<Ctx, 'url' | 'token' | 'dataDir'>) => {
  expect(await storedMessages(url, token, ROOM)).toEqual([]);
  expect(countAllMessages(dataDir)).toBe(0);
};

/** The same socket still stores a good message, and it is the first one: seq 1. */
const expectStillServes = async ({ url, token, dataDir, socket }: Ctx): Promise<void> => {
  const text = 'a good message after the bad ones';
  const ack = await socket.timeout(3000).emitWithAck('message', { room: ROOM, text });
  expect(ack, JSON.stringify(ack)).toMatchObject({
    ok: true,
    message: { room: ROOM, seq: 1, text },
  });
  expect((await storedMessages(url, token, ROOM)).map((m) => [m.seq, m.text])).toEqual([[1, text]]);
  expect(countAllMessages(dataDir)).toBe(1);
};

const messageCases: PayloadCase[] = [
  bad('text: 42', { room: ROOM, text: 42 }, wrongType('text', 'string', 'number')),
  bad('room: true', { room: true, text: 'hi' }, wrongType('room', 'string', 'boolean')),
  bad('an unknown field', { room: ROOM, text: 'hi', admin: true }, unknownKey('admin')),
  bad('blank text', { room: ROOM, text: '   ' }, /^text: Message text must not be blank/),
  bad('empty text', { room: ROOM, text: '' }, /^text: Message text must not be empty/),
  bad('text of 4001 characters', { room: ROOM, text: 'x'.repeat(4001) }, TOO_LONG),
  bad('text of 4001 emoji (code points)', { room: ROOM, text: '😀'.repeat(4001) }, TOO_LONG),
  bad('a missing text', { room: ROOM }, wrongType('text', 'string', 'undefined')),
  bad('room "General"', { room: 'General', text: 'hi' }, BAD_ROOM),
  bad('room "-x"', { room: '-x', text: 'hi' }, BAD_ROOM),
  bad('a 65-character room', { room: 'r'.repeat(65), text: 'hi' }, BAD_ROOM),
  bad('room "a b"', { room: 'a b', text: 'hi' }, BAD_ROOM),
  bad('room "../etc"', { room: '../etc', text: 'hi' }, BAD_ROOM),
  bad('a bad clientId', { room: ROOM, text: 'hi', clientId: 'has spaces' }, /^clientId: /),
  bad(
    'room: { $ne: "x" }',
    { room: { $ne: 'x' }, text: 'hi' },
    wrongType('room', 'string', 'object'),
  ),
  bad(
    'text: { $gt: "" }',
    { room: ROOM, text: { $gt: '' } },
    wrongType('text', 'string', 'object'),
  ),
  bad(
    'a __proto__ key',
    withProto('{"room":"a","text":"hi","__proto__":{"admin":true}}'),
    unknownKey('__proto__'),
  ),
  bad('a string payload', 'hi', wrongType('payload', 'object', 'string')),
  bad('a number payload', 42, wrongType('payload', 'object', 'number')),
  bad('a null payload', null, wrongType('payload', 'object', 'null')),
  bad('an array payload', [{ room: ROOM, text: 'hi' }], wrongType('payload', 'object', 'array')),
  noPayload,
];

describe('socket "message" with bad input', () => {
  it.each(messageCases)('rejects $name with VALIDATION', async ({ args, message }) => {
    const ctx = await setup();
    await join(ctx.socket);
    const seen = record(ctx.socket, 'message');
    expectAckError(await rawEmitWithAck(ctx.socket, 'message', ...args), 'VALIDATION', message);
    await expectNothingStored(ctx);
    expect(seen).toEqual([]);
    await expectStillServes(ctx);
  });

  it('accepts text of exactly 4000 characters (and 4000 emoji) as seq 1 and 2', async () => {
    const ctx = await setup();
    for (const [seq, text] of [
      [1, 'x'.repeat(LIMITS.messageTextMaxLength)],
      [2, '😀'.repeat(LIMITS.messageTextMaxLength)],
    ] as const) {
      const ack = await ctx.socket.timeout(3000).emitWithAck('message', { room: ROOM, text });
      expect(ack, JSON.stringify(ack).slice(0, 300)).toMatchObject({
        ok: true,
        message: { seq, text },
      });
    }
    expect((await storedMessages(ctx.url, ctx.token, ROOM)).map((m) => m.seq)).toEqual([1, 2]);
  });
});

type EventName = 'join' | 'leave' | 'history' | 'typing' | 'away';

interface EventCase extends PayloadCase {
  event: EventName;
}

const on = (event: EventName, cases: PayloadCase[]): EventCase[] =>
  cases.map((c) => ({ event, ...c }));

const eventCases: EventCase[] = [
  ...on('join', [
    bad('room: true', { room: true }, wrongType('room', 'string', 'boolean')),
    bad('since: "3"', { room: ROOM, since: '3' }, wrongType('since', 'number', 'string')),
    bad('since: -1', { room: ROOM, since: -1 }, /^since: Too small/),
    bad('since: 1.5', { room: ROOM, since: 1.5 }, wrongType('since', 'int', 'number')),
    bad('an empty epoch', { room: ROOM, since: 0, epoch: '' }, /^epoch: Too small/),
    bad('an unknown field', { room: ROOM, admin: true }, unknownKey('admin')),
    bad('room "General"', { room: 'General' }, BAD_ROOM),
    bad('room "../etc"', { room: '../etc' }, BAD_ROOM),
    bad('room: { $ne: "x" }', { room: { $ne: 'x' } }, wrongType('room', 'string', 'object')),
    bad('a __proto__ key', withProto('{"room":"a","__proto__":{"x":1}}'), unknownKey('__proto__')),
    bad('a string payload', ROOM, wrongType('payload', 'object', 'string')),
    noPayload,
  ]),
  ...on('leave', [
    bad('room: 5', { room: 5 }, wrongType('room', 'string', 'number')),
    bad('a null payload', null, wrongType('payload', 'object', 'null')),
  ]),
  ...on('history', [
    bad('after: "3"', { room: ROOM, after: '3' }, wrongType('after', 'number', 'string')),
    bad('since: 3 (not a history field)', { room: ROOM, since: 3 }, unknownKey('since')),
    bad('limit: 101', { room: ROOM, limit: 101 }, /^limit: Too big: .*100/),
    bad('limit: 101 before a seq', { room: ROOM, before: 5, limit: 101 }, /^limit: Too big: .*100/),
    bad(
      'limit: 1001 after a seq',
      { room: ROOM, after: 5, limit: 1001 },
      /^limit: Too big: .*1000/,
    ),
    bad('limit: 0', { room: ROOM, limit: 0 }, /^limit: Too small/),
    bad('room "a b"', { room: 'a b' }, BAD_ROOM),
    bad('an array payload', [ROOM], wrongType('payload', 'object', 'array')),
  ]),
  ...on('typing', [
    bad('typing: "yes"', { room: ROOM, typing: 'yes' }, wrongType('typing', 'boolean', 'string')),
    bad('no typing flag', { room: ROOM }, wrongType('typing', 'boolean', 'undefined')),
    bad('an unknown field', { room: ROOM, typing: true, as: 'bob' }, unknownKey('as')),
    bad('room "-x"', { room: '-x', typing: true }, BAD_ROOM),
    bad('a boolean payload', true, wrongType('payload', 'object', 'boolean')),
  ]),
  ...on('away', [
    bad('away: "yes"', { away: 'yes' }, wrongType('away', 'boolean', 'string')),
    bad('away: 1', { away: 1 }, wrongType('away', 'boolean', 'number')),
    bad('an empty object', {}, wrongType('away', 'boolean', 'undefined')),
    bad('an unknown field', { away: true, status: 'offline' }, unknownKey('status')),
    bad('a null payload', null, wrongType('payload', 'object', 'null')),
  ]),
];

/** A good request for each event, sent on the same socket after the bad one. */
const goodRequest = {
  join: { payload: { room: ROOM }, ack: { ok: true, room: ROOM, head: 0, messages: [] } },
  leave: { payload: { room: ROOM }, ack: { ok: true, room: ROOM } },
  history: { payload: { room: ROOM }, ack: { ok: true, messages: [], hasMore: false } },
  typing: { payload: { room: ROOM, typing: true }, ack: { ok: true } },
  away: { payload: { away: false }, ack: { ok: true, status: 'online' } },
} as const;

describe('socket join/leave/history/typing/away with bad input', () => {
  it.each(eventCases)('$event rejects $name with VALIDATION', async ({ event, args, message }) => {
    const ctx = await setup();
    await join(ctx.socket);
    expectAckError(await rawEmitWithAck(ctx.socket, event, ...args), 'VALIDATION', message);
    await expectNothingStored(ctx);
    const good = goodRequest[event];
    expect(await rawEmitWithAck(ctx.socket, event, good.payload)).toMatchObject(good.ack);
    if (event === 'leave') await join(ctx.socket);
    await expectStillServes(ctx);
  });
});

describe('socket events the server does not know', () => {
  it.each([
    'admin',
    'MESSAGE',
    'message ',
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
  ])('answers "%s" with NOT_FOUND', async (event) => {
    const ctx = await setup();
    const ack = await rawEmitWithAck(ctx.socket, event, { room: ROOM, text: 'hi' });
    expectAckError(ack, 'NOT_FOUND', /^Unknown event "/);
    expect(ack.error.message).toContain(`"${event}"`);
    await expectNothingStored(ctx);
    await expectStillServes(ctx);
  });
});

describe('socket events sent without an acknowledgement callback', () => {
  it('survives bad payloads on every event, then answers the next acked request', async () => {
    const ctx = await setup();
    const bob = await connectAs(ctx.url, 'Bob');
    await join(ctx.socket);
    await join(bob.socket);
    const bobSees = record(bob.socket, 'message');
    for (const { args } of messageCases) rawEmit(ctx.socket, 'message', ...args);
    for (const { event, args } of eventCases) rawEmit(ctx.socket, event, ...args);
    rawEmit(ctx.socket, 'admin', { room: ROOM, text: 'hi' });
    rawEmit(ctx.socket, 'message', 'x'.repeat(1000));
    // One acked round trip: every event above has been handled by the time it answers.
    const history = await rawEmitWithAck(ctx.socket, 'history', { room: ROOM });
    expect(history).toEqual({ ok: true, messages: [], changes: [], hasMore: false });
    expect(ctx.socket.connected).toBe(true);
    await expectNothingStored(ctx);
    const good = nextEvent(bob.socket, 'message');
    await expectStillServes(ctx);
    // The good message is the first thing Bob receives: nothing of the bad ones went out.
    await good;
    expect(bobSees.map((m) => m.seq)).toEqual([1]);
  });

  it('stores and broadcasts a good message sent without an ack', async () => {
    const ctx = await setup();
    const bob = await connectAs(ctx.url, 'Bob');
    await join(ctx.socket);
    await join(bob.socket);
    const toBob = nextEvent(bob.socket, 'message');
    const toAda = nextEvent(ctx.socket, 'message');
    rawEmit(ctx.socket, 'message', { room: ROOM, text: 'fire and forget', clientId: 'c-1' });
    for (const received of [await toBob, await toAda]) {
      expect(received).toMatchObject({
        room: ROOM,
        seq: 1,
        text: 'fire and forget',
        clientId: 'c-1',
      });
    }
    expect((await storedMessages(ctx.url, ctx.token, ROOM)).map((m) => [m.seq, m.text])).toEqual([
      [1, 'fire and forget'],
    ]);
    // The same socket goes on with acked requests.
    const ack = await ctx.socket
      .timeout(3000)
      .emitWithAck('message', { room: ROOM, text: 'acked' });
    expect(ack).toMatchObject({ ok: true, message: { seq: 2, text: 'acked' } });
  });
});

describe('a socket frame over 32 KiB', () => {
  it('drops that connection, stores nothing, and other clients keep working', async () => {
    const { url, dataDir } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    await join(ada.socket);
    await join(bob.socket);
    const bobSeen = record(bob.socket, 'message');
    const dropped = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server kept the connection')), 3000);
      ada.socket.once('disconnect', (reason) => {
        clearTimeout(timer);
        resolve(reason);
      });
    });
    rawEmit(ada.socket, 'message', { room: ROOM, text: 'x'.repeat(40_000) });
    expect(await dropped).toMatch(/^transport (close|error)$/);
    expect(ada.socket.connected).toBe(false);
    await expectNothingStored({ url, token: bob.token, dataDir });

    await expectStillServes({ url, token: bob.token, dataDir, socket: bob.socket });
    // The dropped client can come back with the same token.
    const again = await connect(url, ada.token);
    await join(again);
    const back = nextEvent(bob.socket, 'message');
    const ack = await again.timeout(3000).emitWithAck('message', { room: ROOM, text: 'back' });
    expect(ack).toMatchObject({ ok: true, message: { seq: 2, text: 'back' } });
    // Bob's own message came in his ack; the only broadcast he got is Ada's, nothing of the frame.
    await back;
    expect(bobSeen.map((m) => m.seq)).toEqual([2]);
  });
});

interface HandshakeCase {
  name: string;
  /** Built per test so expiry times are fresh. */
  token: () => Promise<string | undefined>;
  message: RegExp;
}

const handshake = (name: string, token: () => Promise<string | undefined>, message: RegExp) =>
  ({ name, token, message }) satisfies HandshakeCase;
const NO_TOKEN = /auth: \{ token \}/;
const noneToken = async () =>
  `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...claims, exp: inAnHour() })}.`;

const handshakeCases: HandshakeCase[] = [
  handshake('no token', async () => undefined, NO_TOKEN),
  handshake('an empty token', async () => '', NO_TOKEN),
  handshake('a garbage token', async () => 'garbage', INVALID_TOKEN),
  handshake(
    'a token signed with another secret',
    () => signToken(claims, { secret: OTHER_SECRET }),
    INVALID_TOKEN,
  ),
  handshake(
    'an expired token',
    () => signToken(claims, { expiresIn: Math.floor(Date.now() / 1000) - 10 }),
    /Token has expired/,
  ),
  handshake('a token with alg "none"', noneToken, INVALID_TOKEN),
  handshake('a token with no expiry', () => signToken(claims, { expiresIn: '' }), INVALID_TOKEN),
  handshake(
    'a token with no name claim',
    () => signToken({ sub: 'mallory' }),
    /claims are not valid/,
  ),
  handshake(
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

describe('socket handshakes with a missing or bad token', () => {
  it.each(handshakeCases)('refuses $name with UNAUTHORIZED', async ({ token, message }) => {
    const ctx = await setup();
    const error: unknown = await connect(ctx.url, await token()).then(
      () => 'connected',
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(Error);
    const { data } = error as Error & { data?: unknown };
    expect(data).toEqual({ code: 'UNAUTHORIZED', message: expect.stringMatching(message) });
    await expectNothingStored(ctx);
    await expectStillServes(ctx);
  });
});
