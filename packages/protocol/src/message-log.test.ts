import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  HistoryResponseSchema,
  JoinAckSchema,
  LIMITS,
  type Message,
  type MessageChange,
  MessageChangeSchema,
  MessageChangeType,
  MessageSchema,
  ReadReceiptSchema,
  ReceiptsEventSchema,
  RoomSummarySchema,
  serverEventSchemas,
} from './index.js';

const message: Message = {
  id: 'm1',
  room: 'general',
  seq: 4,
  text: 'hello',
  author: { id: 'u1', name: 'Ada' },
  createdAt: '2026-11-24T10:00:00.000Z',
};

const tombstone: Message = { ...message, text: '', deletedAt: '2026-11-24T10:09:00.000Z' };

const parent = { id: 'm0', seq: 1, author: { id: 'u2', name: 'Grace' }, excerpt: 'first!' };

/** `count` different emoji: 😀, 😁, 😂, … */
const differentEmoji = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => String.fromCodePoint(0x1f600 + i));

const userIds = (count: number) => Array.from({ length: count }, (_, i) => `u${i}`);

const pathsOf = (schema: z.ZodMiniType, input: unknown) =>
  schema.safeParse(input).error?.issues.map((issue) => issue.path) ?? [];

describe('MessageSchema: the latest state of a message', () => {
  it('accepts an edited message, its reactions and the parent it replies to', () => {
    const full: Message = {
      ...message,
      editedAt: '2026-11-24T10:05:00.000Z',
      reactions: [
        { emoji: '👍', count: 3, users: ['u2', 'u3', 'u1'] },
        { emoji: '🇫🇷', count: 1, users: ['u2'] },
      ],
      replyTo: parent,
    };
    expect(MessageSchema.parse(full)).toEqual(full);
  });

  it('accepts a tombstone, whose text is empty', () => {
    expect(MessageSchema.parse(tombstone)).toEqual(tombstone);
  });

  it.each([' ', '\u200b'])('still refuses a blank text %j: only a tombstone is empty', (text) => {
    expect(pathsOf(MessageSchema, { ...message, text })).toEqual([['text']]);
  });

  describe('reactions', () => {
    const withReactions = (reactions: unknown) => ({ ...message, reactions });

    it(`accepts up to ${LIMITS.reactionsPerMessageMax} different emoji`, () => {
      const reactions = differentEmoji(LIMITS.reactionsPerMessageMax).map((emoji) => ({
        emoji,
        count: 1,
        users: ['u1'],
      }));
      expect(MessageSchema.parse(withReactions(reactions)).reactions).toEqual(reactions);
      const oneMore = [...reactions, { emoji: '👍', count: 1, users: ['u1'] }];
      expect(pathsOf(MessageSchema, withReactions(oneMore))).toEqual([['reactions']]);
    });

    it('leaves reactions out rather than listing none', () => {
      expect(pathsOf(MessageSchema, withReactions([]))).toEqual([['reactions']]);
    });

    it(`lists at most ${LIMITS.reactionUsersListed} users, while count stays exact`, () => {
      const listed = { emoji: '👍', count: 25_000, users: userIds(LIMITS.reactionUsersListed) };
      expect(MessageSchema.parse(withReactions([listed])).reactions).toEqual([listed]);
      const oneMore = { ...listed, users: userIds(LIMITS.reactionUsersListed + 1) };
      expect(pathsOf(MessageSchema, withReactions([oneMore]))).toEqual([['reactions', 0, 'users']]);
    });

    it.each([
      ['a count of 0', { count: 0 }, 'count'],
      ['a fractional count', { count: 1.5 }, 'count'],
      ['a word for an emoji', { emoji: 'thumbsup' }, 'emoji'],
      ['two emoji in one', { emoji: '👍👍' }, 'emoji'],
      ['an empty user id', { users: [''] }, 'users'],
    ])('refuses %s', (_, patch, field) => {
      const reaction = { emoji: '👍', count: 1, users: ['u1'], ...patch };
      expect(pathsOf(MessageSchema, withReactions([reaction]))[0]?.slice(0, 3)).toEqual([
        'reactions',
        0,
        field,
      ]);
    });
  });

  describe('replyTo', () => {
    const replying = (replyTo: unknown) => ({ ...message, replyTo });

    it('accepts a deleted parent: empty excerpt and deleted: true', () => {
      const deleted = { ...parent, excerpt: '', deleted: true };
      expect(MessageSchema.parse(replying(deleted)).replyTo).toEqual(deleted);
    });

    it('refuses deleted: false (a parent that is there leaves deleted out)', () => {
      expect(pathsOf(MessageSchema, replying({ ...parent, deleted: false }))).toEqual([
        ['replyTo', 'deleted'],
      ]);
    });

    it(`accepts an excerpt of ${LIMITS.replyExcerptMaxLength} code points, emoji included`, () => {
      const excerpt = '😀'.repeat(LIMITS.replyExcerptMaxLength);
      expect(MessageSchema.safeParse(replying({ ...parent, excerpt })).success).toBe(true);
    });

    it.each([
      ['an id that is no message id', { id: '$gt' }],
      ['seq 0', { seq: 0 }],
      ['an author without a name', { author: { id: 'u2' } }],
      ['no excerpt', { excerpt: undefined }],
    ])('refuses a parent with %s', (_, patch) => {
      expect(pathsOf(MessageSchema, replying({ ...parent, ...patch }))[0]?.[0]).toBe('replyTo');
    });
  });
});

describe('MessageChangeSchema: one entry of the log after a message was created', () => {
  const edited = { ...message, text: 'hello!', editedAt: '2026-11-24T10:05:00.000Z' };
  const reacted = { ...message, reactions: [{ emoji: '👍', count: 1, users: ['u2'] }] };
  const entry = (patch: Partial<MessageChange>): MessageChange => ({
    room: 'general',
    seq: 9,
    type: 'edited',
    message: edited,
    by: 'u1',
    at: '2026-11-24T10:05:00.000Z',
    ...patch,
  });

  it('names four kinds of change', () => {
    expect(Object.values(MessageChangeType).sort()).toEqual([
      'deleted',
      'edited',
      'reaction_added',
      'reaction_removed',
    ]);
  });

  it.each([
    ['an edit, with the clientId it was sent with', entry({ clientId: 'e-1' })],
    ['a deletion, carrying the tombstone', entry({ type: 'deleted', message: tombstone })],
    [
      'a reaction added',
      entry({ type: 'reaction_added', message: reacted, emoji: '👍', by: 'u2' }),
    ],
    ['a reaction removed', entry({ type: 'reaction_removed', message, emoji: '👍', by: 'u2' })],
  ])('accepts %s', (_, change) => {
    expect(MessageChangeSchema.parse(change)).toEqual(change);
    expect(serverEventSchemas.change.parse(change)).toEqual(change);
  });

  it.each([
    ['an unknown type', { type: 'pinned' }, ['type']],
    ['seq 0', { seq: 0 }, ['seq']],
    ['an invalid room', { room: 'General' }, ['room']],
    ['an empty by', { by: '' }, ['by']],
    ['a non-ISO at', { at: 'now' }, ['at']],
    ['an emoji that is text', { emoji: 'a' }, ['emoji']],
    ['a message that is not one', { message: { ...edited, seq: 0 } }, ['message', 'seq']],
  ])('refuses %s', (_, patch, path) => {
    expect(pathsOf(MessageChangeSchema, { ...entry({}), ...patch })).toEqual([path]);
  });
});

describe('read receipts and room summaries', () => {
  it('a read receipt is a user and a seq, 0 meaning nothing read', () => {
    expect(ReadReceiptSchema.parse({ userId: 'u2', seq: 0 })).toEqual({ userId: 'u2', seq: 0 });
    expect(ReadReceiptSchema.safeParse({ userId: 'u2', seq: -1 }).success).toBe(false);
    expect(ReadReceiptSchema.safeParse({ userId: '', seq: 1 }).success).toBe(false);
  });

  it('a receipts event carries at least one read position', () => {
    const event = { room: 'general', reads: [{ userId: 'u2', seq: 7 }] };
    expect(ReceiptsEventSchema.parse(event)).toEqual(event);
    expect(pathsOf(ReceiptsEventSchema, { ...event, reads: [] })).toEqual([['reads']]);
  });

  it('a room summary gives the head, the read position and the unread count', () => {
    const summary = {
      room: 'general',
      epoch: 'e1',
      head: 12,
      readSeq: 9,
      unread: 2,
      joinedAt: '2026-11-24T09:00:00.000Z',
    };
    expect(RoomSummarySchema.parse(summary)).toEqual(summary);
    expect(pathsOf(RoomSummarySchema, { ...summary, unread: 0.5 })).toEqual([['unread']]);
  });
});

// What a server sends is parsed by clients: a `__proto__` key in the JSON (own, as JSON.parse
// makes it) must not reach the parsed value, at any depth.
describe('parsing never yields a polluted prototype', () => {
  const POLLUTION = { polluted: true };

  /** `value` as JSON with an own `__proto__` key added to every object in it. */
  const everyObjectWithOwnProto = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (_, inner: unknown) =>
        inner !== null && typeof inner === 'object' && !Array.isArray(inner) && inner !== POLLUTION
          ? { ...inner, proto: POLLUTION }
          : inner,
      ).replaceAll('"proto":', '"__proto__":'),
    );

  const plainThroughout = (value: unknown): boolean => {
    if (value === null || typeof value !== 'object') return true;
    if (Array.isArray(value)) return value.every(plainThroughout);
    return (
      Object.getPrototypeOf(value) === Object.prototype &&
      !Object.hasOwn(value, '__proto__') &&
      !('polluted' in value) &&
      Object.values(value).every(plainThroughout)
    );
  };

  const change = {
    room: 'general',
    seq: 9,
    type: 'reaction_added',
    message: {
      ...message,
      reactions: [{ emoji: '👍', count: 1, users: ['u2'] }],
      replyTo: parent,
    },
    by: 'u2',
    at: '2026-11-24T10:05:00.000Z',
    emoji: '👍',
  };

  it.each([
    ['MessageSchema', MessageSchema, change.message],
    ['MessageChangeSchema', MessageChangeSchema, change],
    [
      'HistoryResponseSchema',
      HistoryResponseSchema,
      { messages: [], changes: [change], hasMore: false },
    ],
    [
      'JoinAckSchema',
      JoinAckSchema,
      {
        ok: true,
        room: 'general',
        epoch: 'e1',
        head: 9,
        messages: [change.message],
        changes: [change],
        hasMore: false,
        readSeq: 0,
        unread: 1,
        reads: [{ userId: 'u2', seq: 9 }],
      },
    ],
    [
      'ReceiptsEventSchema',
      ReceiptsEventSchema,
      { room: 'general', reads: [{ userId: 'u2', seq: 9 }] },
    ],
  ] as Array<[string, z.ZodMiniType, object]>)('%s', (_, schema, valid) => {
    const input = everyObjectWithOwnProto(valid);
    expect(Object.hasOwn(input as object, '__proto__')).toBe(true);
    const parsed = schema.parse(input);
    expect(parsed).toEqual(valid);
    expect(plainThroughout(parsed)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
