import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  EditMessageRequestSchema,
  HistoryResponseSchema,
  LIMITS,
  type Message,
  type MessageChange,
  MessageChangeAckSchema,
  MessageChangeResponseSchema,
  MessageParamsSchema,
  ReactionParamsSchema,
  ReadAckSchema,
  ReadRequestSchema,
  ReadStateSchema,
  RoomParamsSchema,
  RoomsResponseSchema,
} from './index.js';

// The REST routes of the room log: PATCH and DELETE /api/messages/:id, PUT and DELETE
// /api/messages/:id/reactions/:emoji, GET /api/rooms, POST /api/rooms/:room/read, and the
// history page's changes.

const message: Message = {
  id: 'm1',
  room: 'general',
  seq: 1,
  text: '',
  author: { id: 'u1', name: 'Ada' },
  createdAt: '2026-11-24T10:00:00.000Z',
  deletedAt: '2026-11-24T10:02:00.000Z',
};

const change: MessageChange = {
  room: 'general',
  seq: 3,
  type: 'deleted',
  message,
  by: 'u1',
  at: '2026-11-24T10:02:00.000Z',
};

/** `valid` with an own `__proto__` key, as `JSON.parse` builds it from a request body. */
const withOwnProto = (valid: object): Record<string, unknown> =>
  JSON.parse(JSON.stringify({ ...valid, proto: { x: 1 } }).replace('"proto":', '"__proto__":'));

// Bodies and path parameters: strict, like every client→server payload.
describe.each([
  ['MessageParamsSchema', MessageParamsSchema, { id: 'm1' }],
  ['ReactionParamsSchema', ReactionParamsSchema, { id: 'm1', emoji: '👍' }],
  ['EditMessageRequestSchema', EditMessageRequestSchema, { text: 'fixed', clientId: 'e-1' }],
  ['RoomParamsSchema', RoomParamsSchema, { room: 'general' }],
  ['ReadRequestSchema', ReadRequestSchema, { seq: 12 }],
] as Array<[string, z.ZodMiniType, object]>)('%s', (_, schema, valid) => {
  it('accepts a valid input unchanged', () => {
    expect(schema.parse(valid)).toEqual(valid);
  });

  it.each(['extra', '$where', '$set'])('rejects an unknown key %s', (key) => {
    const result = schema.safeParse({ ...valid, [key]: 'x' });
    expect(result.error?.issues).toContainEqual(
      expect.objectContaining({ code: 'unrecognized_keys', keys: [key] }),
    );
  });

  it('rejects an own __proto__ key', () => {
    const input = withOwnProto(valid);
    expect(Object.hasOwn(input, '__proto__')).toBe(true);
    expect(schema.safeParse(input).success).toBe(false);
  });

  it.each(Object.keys(valid))('rejects a $-operator object in place of %s', (field) => {
    const result = schema.safeParse({ ...valid, [field]: { $ne: 'x' } });
    expect(result.error?.issues.map((issue) => issue.path)).toContainEqual([field]);
  });
});

describe('MessageParamsSchema', () => {
  it.each(['$gt', '', 'm 1', 'm1/reactions'])('rejects the id %j', (id) => {
    expect(MessageParamsSchema.safeParse({ id }).success).toBe(false);
  });

  it('takes the id "__proto__" as a string in a plain object, to be looked up and not found', () => {
    const params = MessageParamsSchema.parse({ id: '__proto__' });
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.keys(params)).toEqual(['id']);
    expect(params.id).toBe('__proto__');
  });
});

describe('ReactionParamsSchema', () => {
  it('accepts the emoji as Express decodes it from the path', () => {
    const emoji = decodeURIComponent(encodeURIComponent('👩🏽‍💻'));
    expect(ReactionParamsSchema.parse({ id: 'm1', emoji })).toEqual({ id: 'm1', emoji });
  });

  it.each([
    ['still percent-encoded', encodeURIComponent('👍')],
    ['a shortcode', ':+1:'],
    ['two emoji', '👍👍'],
    ['empty', ''],
  ])('rejects an emoji %s', (_, emoji) => {
    const result = ReactionParamsSchema.safeParse({ id: 'm1', emoji });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['emoji']]);
  });
});

describe('EditMessageRequestSchema', () => {
  it('accepts a text without clientId', () => {
    expect(EditMessageRequestSchema.parse({ text: 'fixed' })).toEqual({ text: 'fixed' });
  });

  it.each([
    ['empty (deleting is DELETE, not an empty edit)', ''],
    ['blank', ' \n'],
    ['too long', 'x'.repeat(LIMITS.messageTextMaxLength + 1)],
  ])('rejects a text that is %s', (_, text) => {
    const result = EditMessageRequestSchema.safeParse({ text });
    expect(new Set(result.error?.issues.map((issue) => issue.path.join('.')))).toEqual(
      new Set(['text']),
    );
  });

  it('rejects a room: the message names its room', () => {
    expect(EditMessageRequestSchema.safeParse({ text: 'x', room: 'general' }).success).toBe(false);
  });
});

describe('ReadRequestSchema and RoomParamsSchema', () => {
  it('accepts seq 0 (nothing read yet)', () => {
    expect(ReadRequestSchema.parse({ seq: 0 })).toEqual({ seq: 0 });
  });

  it.each([-1, 1.5, '3', null])('rejects seq %j', (seq) => {
    expect(ReadRequestSchema.safeParse({ seq }).success).toBe(false);
  });

  it.each(['General', '-x', ''])('rejects the room %j', (room) => {
    expect(RoomParamsSchema.safeParse({ room }).success).toBe(false);
  });
});

describe('log responses', () => {
  it('a history page carries messages and changes', () => {
    const page = { messages: [message], changes: [change], hasMore: false };
    expect(HistoryResponseSchema.parse(page)).toEqual(page);
    expect(HistoryResponseSchema.safeParse({ messages: [], hasMore: false }).success).toBe(false);
  });

  it('a message-changing route answers as the socket acknowledges, change null for a no-op', () => {
    for (const body of [
      { message, change },
      { message, change: null },
    ]) {
      expect(MessageChangeResponseSchema.parse(body)).toEqual(body);
      expect(MessageChangeAckSchema.parse({ ok: true, ...body })).toEqual({ ok: true, ...body });
    }
    expect(MessageChangeResponseSchema.safeParse({ message }).success).toBe(false);
  });

  it('the read route answers the read state the socket acknowledges', () => {
    const state = { room: 'general', seq: 3, unread: 0, head: 3 };
    expect(ReadStateSchema.parse(state)).toEqual(state);
    expect(ReadAckSchema.parse({ ok: true, ...state })).toEqual({ ok: true, ...state });
    expect(ReadStateSchema.safeParse({ ...state, unread: -1 }).success).toBe(false);
  });

  it('GET /api/rooms lists room summaries', () => {
    const summary = {
      room: 'general',
      epoch: 'e1',
      head: 3,
      readSeq: 1,
      unread: 1,
      joinedAt: '2026-11-24T09:00:00.000Z',
    };
    expect(RoomsResponseSchema.parse({ rooms: [summary] })).toEqual({ rooms: [summary] });
    expect(RoomsResponseSchema.parse({ rooms: [] })).toEqual({ rooms: [] });
    for (const patch of [{ unread: -1 }, { readSeq: -1 }, { head: 1.5 }, { joinedAt: 'now' }]) {
      expect(RoomsResponseSchema.safeParse({ rooms: [{ ...summary, ...patch }] }).success).toBe(
        false,
      );
    }
  });
});
