import { describe, expect, it } from 'vitest';
import {
  BAD_ID,
  BAD_ROOM,
  bad,
  countAllMessages,
  expectAckError,
  LONE_SURROGATE,
  LONG_ZWJ,
  NOT_EMOJI,
  noPayload,
  type PayloadCase,
  ROOM,
  TOO_LONG,
  unknownKey,
  withProto,
  wrongType,
} from './bad-input-shared.js';
import {
  type ClientSocket,
  connectAs,
  rawEmit,
  rawEmitWithAck,
  record,
  startTestServer,
  storedLog,
} from './helpers.js';

// Bad input to the socket events that change messages and read state: each bad payload is
// refused in the shared shape before anything is read or written, the room's log and the user's
// rooms stay as they were, no one hears of it, and the same socket goes on to make a good change.

interface Ctx {
  url: string;
  dataDir: string;
  token: string;
  socket: ClientSocket;
}

const join = async (socket: ClientSocket, room = ROOM): Promise<void> => {
  const ack = await socket.timeout(3000).emitWithAck('join', { room });
  expect(ack, JSON.stringify(ack)).toMatchObject({ ok: true, room });
};

const LONE = LONE_SURROGATE;
const NOT_WELL_FORMED = /lone surrogate/;

type ChangeEventName = 'edit' | 'delete' | 'react' | 'unreact' | 'read' | 'rooms';

interface ChangeEventCase extends PayloadCase {
  event: ChangeEventName;
}

const onChange = (event: ChangeEventName, cases: PayloadCase[]): ChangeEventCase[] =>
  cases.map((c) => ({ event, ...c }));

/** Bad payloads that name the target message `id` where they need one. */
const changeCases = (id: string): ChangeEventCase[] => [
  ...onChange('edit', [
    bad('id: 42', { room: ROOM, id: 42, text: 'x' }, wrongType('id', 'string', 'number')),
    bad('id "a b"', { room: ROOM, id: 'a b', text: 'x' }, BAD_ID),
    bad('id "../etc"', { room: ROOM, id: '../etc', text: 'x' }, BAD_ID),
    bad('a 65-character id', { room: ROOM, id: 'i'.repeat(65), text: 'x' }, BAD_ID),
    bad('an empty id', { room: ROOM, id: '', text: 'x' }, BAD_ID),
    bad('id: { $ne: null }', { room: ROOM, id: { $ne: null }, text: 'x' }, /^id: /),
    bad('text of 4001 characters', { room: ROOM, id, text: 'x'.repeat(4001) }, TOO_LONG),
    bad('text with a lone surrogate', { room: ROOM, id, text: `a${LONE}b` }, NOT_WELL_FORMED),
    bad('blank text', { room: ROOM, id, text: ' \n ' }, /^text: Message text must not be blank/),
    bad('text: { $gt: "" }', { room: ROOM, id, text: { $gt: '' } }, /^text: /),
    bad('a bad clientId', { room: ROOM, id, text: 'x', clientId: 'has spaces' }, /^clientId: /),
    bad('an unknown field', { room: ROOM, id, text: 'x', author: 'bob' }, unknownKey('author')),
    bad(
      'a __proto__ key',
      withProto(`{"room":"a","id":"${id}","text":"x","__proto__":{"admin":true}}`),
      unknownKey('__proto__'),
    ),
    bad('no room', { id, text: 'x' }, wrongType('room', 'string', 'undefined')),
    bad('a null payload', null, wrongType('payload', 'object', 'null')),
  ]),
  ...onChange('delete', [
    bad('id: { $ne: null }', { room: ROOM, id: { $ne: null } }, /^id: /),
    bad('id "a/b"', { room: ROOM, id: 'a/b' }, BAD_ID),
    bad('an unknown field', { room: ROOM, id, hard: true }, unknownKey('hard')),
    bad(
      'a __proto__ key',
      withProto(`{"room":"a","id":"${id}","__proto__":{}}`),
      unknownKey('__proto__'),
    ),
    bad('a string payload', id, wrongType('payload', 'object', 'string')),
    noPayload,
  ]),
  ...onChange('react', [
    bad('emoji "a"', { room: ROOM, id, emoji: 'a' }, NOT_EMOJI),
    bad('two emoji', { room: ROOM, id, emoji: '👍👍' }, NOT_EMOJI),
    bad('a 41-unit ZWJ sequence', { room: ROOM, id, emoji: LONG_ZWJ }, NOT_EMOJI),
    bad('a lone high surrogate', { room: ROOM, id, emoji: '\ud83d' }, NOT_EMOJI),
    bad('an emoji and a lone surrogate', { room: ROOM, id, emoji: `👍${LONE}` }, NOT_EMOJI),
    bad('an empty emoji', { room: ROOM, id, emoji: '' }, NOT_EMOJI),
    bad('an emoji with a space', { room: ROOM, id, emoji: ' 👍' }, NOT_EMOJI),
    bad('emoji: 42', { room: ROOM, id, emoji: 42 }, wrongType('emoji', 'string', 'number')),
    bad('emoji: { $ne: "" }', { room: ROOM, id, emoji: { $ne: '' } }, /^emoji: /),
    bad('id "a b"', { room: ROOM, id: 'a b', emoji: '👍' }, BAD_ID),
    bad('an unknown field', { room: ROOM, id, emoji: '👍', count: 100 }, unknownKey('count')),
    bad('an array payload', [ROOM, id, '👍'], wrongType('payload', 'object', 'array')),
  ]),
  ...onChange('unreact', [
    bad('emoji "a"', { room: ROOM, id, emoji: 'a' }, NOT_EMOJI),
    bad('two emoji', { room: ROOM, id, emoji: '🎉👍' }, NOT_EMOJI),
    bad('a lone low surrogate', { room: ROOM, id, emoji: '\udc4d' }, NOT_EMOJI),
    bad('an unknown field', { room: ROOM, id, emoji: '👍', as: 'bob' }, unknownKey('as')),
  ]),
  ...onChange('read', [
    bad('seq: "3"', { room: ROOM, seq: '3' }, wrongType('seq', 'number', 'string')),
    bad('seq: -1', { room: ROOM, seq: -1 }, /^seq: Too small/),
    bad('seq: 1.5', { room: ROOM, seq: 1.5 }, wrongType('seq', 'int', 'number')),
    bad('seq: { $gt: 0 }', { room: ROOM, seq: { $gt: 0 } }, wrongType('seq', 'number', 'object')),
    bad('no seq', { room: ROOM }, wrongType('seq', 'number', 'undefined')),
    bad('room "General"', { room: 'General', seq: 1 }, BAD_ROOM),
    bad('an unknown field', { room: ROOM, seq: 1, userId: 'bob' }, unknownKey('userId')),
    bad(
      'a __proto__ key',
      withProto('{"room":"a","seq":1,"__proto__":{}}'),
      unknownKey('__proto__'),
    ),
  ]),
  ...onChange('rooms', [
    bad('an unknown field', { room: ROOM }, unknownKey('room')),
    bad('a __proto__ key', withProto('{"__proto__":{"admin":true}}'), unknownKey('__proto__')),
    bad('a string payload', 'all', wrongType('payload', 'object', 'string')),
    bad('a null payload', null, wrongType('payload', 'object', 'null')),
    noPayload,
  ]),
];

/** A good request for each event about message `id`, and what part of its answer to expect. */
const goodChange = (id: string) =>
  ({
    edit: { payload: { room: ROOM, id, text: 'edited' }, ack: { ok: true, change: { seq: 2 } } },
    delete: { payload: { room: ROOM, id }, ack: { ok: true, change: { seq: 2 } } },
    react: { payload: { room: ROOM, id, emoji: '👍' }, ack: { ok: true, change: { seq: 2 } } },
    unreact: { payload: { room: ROOM, id, emoji: '👍' }, ack: { ok: true, change: null } },
    read: { payload: { room: ROOM, seq: 1 }, ack: { ok: true, room: ROOM, seq: 1, unread: 0 } },
    rooms: { payload: {}, ack: { ok: true, rooms: [{ room: ROOM, readSeq: 0 }] } },
  }) as const;

/** The target message every case names (seq 1), Bob watching the room, nothing else. */
const setupTarget = async () => {
  const { url, dataDir } = await startTestServer();
  const { socket, token } = await connectAs(url, 'Ada');
  const ctx: Ctx = { url, dataDir, token, socket };
  const bob = await connectAs(url, 'Bob');
  await join(ctx.socket);
  await join(bob.socket);
  const sent = await ctx.socket
    .timeout(3000)
    .emitWithAck('message', { room: ROOM, text: 'target' });
  if (!sent.ok) throw new Error(sent.error.message);
  return { ...ctx, bob, id: sent.message.id };
};

/** The log holds the target alone, Ada's rooms are as her join left them, and Bob heard nothing. */
const expectUnchanged = async (
  { url, token, dataDir, socket }: Ctx,
  heard: { changes: unknown[]; reads: unknown[] },
) => {
  const log = await storedLog(url, token, ROOM);
  expect(log.messages.map((m) => [m.seq, m.text, m.editedAt, m.reactions])).toEqual([
    [1, 'target', undefined, undefined],
  ]);
  expect(log.changes).toEqual([]);
  expect(countAllMessages(dataDir)).toBe(1);
  const rooms = await socket.timeout(3000).emitWithAck('rooms', {});
  expect(rooms).toMatchObject({ ok: true, rooms: [{ room: ROOM, readSeq: 0, unread: 0 }] });
  if (rooms.ok) expect(rooms.rooms).toHaveLength(1);
  expect(heard).toEqual({ changes: [], reads: [] });
};

describe('socket edit/delete/react/unreact/read/rooms with bad input', () => {
  it.each(changeCases('placeholder-id'))(
    '$event rejects $name with VALIDATION',
    async ({ event, args, message }) => {
      const ctx = await setupTarget();
      // The cases are built before the target exists: point them at it.
      const payload = JSON.parse(
        JSON.stringify(args[0] ?? null).replaceAll('placeholder-id', ctx.id),
      ) as unknown;
      const heard = {
        changes: record(ctx.bob.socket, 'change'),
        reads: record(ctx.socket, 'read'),
      };
      const sent = args.length === 0 ? [] : [payload];
      expectAckError(await rawEmitWithAck(ctx.socket, event, ...sent), 'VALIDATION', message);
      await expectUnchanged(ctx, heard);
      const good = goodChange(ctx.id)[event];
      expect(await rawEmitWithAck(ctx.socket, event, good.payload)).toMatchObject(good.ack);
    },
  );

  it('sent without an acknowledgement, every one of them is dropped and the socket carries on', async () => {
    const ctx = await setupTarget();
    const heard = { changes: record(ctx.bob.socket, 'change'), reads: record(ctx.socket, 'read') };
    for (const { event, args } of changeCases(ctx.id)) rawEmit(ctx.socket, event, ...args);
    await expectUnchanged(ctx, heard);
    expect(ctx.socket.connected).toBe(true);
    const edited = await ctx.socket
      .timeout(3000)
      .emitWithAck('edit', { room: ROOM, id: ctx.id, text: 'edited' });
    expect(edited).toMatchObject({ ok: true, change: { seq: 2 } });
  });
});

describe('socket floods of changes and reads', () => {
  it('edits, reactions and deletions past the per-user budget are RATE_LIMITED and not stored', async () => {
    const { url, dataDir } = await startTestServer({ env: { CHATTER_MESSAGES_PER_MINUTE: '5' } });
    const { socket, token } = await connectAs(url, 'Ada');
    const sent = await socket.timeout(3000).emitWithAck('message', { room: ROOM, text: 'target' });
    if (!sent.ok) throw new Error(sent.error.message);
    const { id } = sent.message;
    const acks = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const kind = i % 3;
        if (kind === 0) return rawEmitWithAck(socket, 'edit', { room: ROOM, id, text: `v${i}` });
        const emoji = String.fromCodePoint(0x1f600 + (i % 20));
        return rawEmitWithAck(socket, kind === 1 ? 'react' : 'unreact', { room: ROOM, id, emoji });
      }),
    );
    const accepted = acks.filter((ack) => ack.ok);
    const refused = acks.filter((ack) => !ack.ok);
    expect(accepted).toHaveLength(4);
    for (const ack of refused) {
      expect(ack).toMatchObject({
        ok: false,
        error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } },
      });
    }
    const log = await storedLog(url, token, ROOM);
    expect(log.changes.length).toBeLessThanOrEqual(4);
    expect(countAllMessages(dataDir)).toBe(1);
    expect(socket.connected).toBe(true);
  });

  it('read and rooms past the connection’s event budget are RATE_LIMITED', async () => {
    const { url } = await startTestServer({ env: { CHATTER_EVENTS_PER_SECOND: '2' } });
    const { socket } = await connectAs(url, 'Ada');
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0
          ? rawEmitWithAck(socket, 'read', { room: ROOM, seq: i })
          : rawEmitWithAck(socket, 'rooms', {}),
      ),
    );
    const refused = acks.filter((ack) => !ack.ok);
    // A burst of 5 seconds' worth (10) is let through, the rest refused.
    expect(refused.length).toBeGreaterThanOrEqual(40 - 11);
    expect(refused[0]).toEqual({
      ok: false,
      error: {
        code: 'RATE_LIMITED',
        message:
          'Too many typing, away, leave, read, rooms and auth events on this connection; slow down',
        details: { retryAfterMs: expect.any(Number) },
      },
    });
    expect(socket.connected).toBe(true);
  });
});
