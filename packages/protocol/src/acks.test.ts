import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  AuthAckSchema,
  AwayAckSchema,
  type ClientEventName,
  clientEventAckSchemas,
  HistoryAckSchema,
  JoinAckSchema,
  LeaveAckSchema,
  type Message,
  type MessageChange,
  MessageChangeAckSchema,
  ReadAckSchema,
  RoomsAckSchema,
  SendMessageAckSchema,
} from './index.js';

const message: Message = {
  id: 'm1',
  room: 'general',
  seq: 1,
  text: 'hello',
  author: { id: 'u1', name: 'Ada' },
  createdAt: '2026-11-24T10:00:00.000Z',
};

const edited: Message = { ...message, text: 'hello!', editedAt: '2026-11-24T10:01:00.000Z' };

const change: MessageChange = {
  room: 'general',
  seq: 2,
  type: 'edited',
  message: edited,
  by: 'u1',
  at: '2026-11-24T10:01:00.000Z',
  clientId: 'e-1',
};

type AckedEvent = keyof typeof clientEventAckSchemas;

/** One successful acknowledgement per event that has one. */
const successes = {
  join: {
    ok: true,
    room: 'general',
    epoch: 'e1',
    head: 2,
    messages: [message],
    changes: [change],
    hasMore: false,
    readSeq: 1,
    unread: 0,
    reads: [{ userId: 'u2', seq: 2 }],
  },
  leave: { ok: true, room: 'general' },
  message: { ok: true, message },
  history: { ok: true, messages: [message], changes: [change], hasMore: true },
  away: { ok: true, status: 'away' },
  edit: { ok: true, message: edited, change },
  delete: { ok: true, message: edited, change: null },
  react: { ok: true, message: edited, change: null },
  unreact: { ok: true, message: edited, change: null },
  read: { ok: true, room: 'general', seq: 2, unread: 0, head: 2 },
  rooms: {
    ok: true,
    rooms: [
      {
        room: 'general',
        epoch: 'e1',
        head: 2,
        readSeq: 1,
        unread: 0,
        joinedAt: '2026-11-24T09:00:00.000Z',
      },
    ],
  },
  auth: { ok: true, expiresAt: '2026-11-24T10:00:00.000Z' },
} satisfies {
  [E in AckedEvent]: Extract<z.output<(typeof clientEventAckSchemas)[E]>, { ok: true }>;
};

const ackedEvents = Object.keys(clientEventAckSchemas) as AckedEvent[];

// Widened so one loop can parse with every event's schema.
const ackSchemaOf = (event: AckedEvent): z.ZodMiniType => clientEventAckSchemas[event];

describe('clientEventAckSchemas', () => {
  it('covers every event except typing, which has no acknowledgement', () => {
    const expected: ClientEventName[] = [
      'join',
      'leave',
      'message',
      'history',
      'away',
      'edit',
      'delete',
      'react',
      'unreact',
      'read',
      'rooms',
      'auth',
    ];
    expect([...ackedEvents].sort()).toEqual([...expected].sort());
  });

  it('uses the named ack schemas', () => {
    expect(clientEventAckSchemas).toEqual({
      join: JoinAckSchema,
      leave: LeaveAckSchema,
      message: SendMessageAckSchema,
      history: HistoryAckSchema,
      away: AwayAckSchema,
      edit: MessageChangeAckSchema,
      delete: MessageChangeAckSchema,
      react: MessageChangeAckSchema,
      unreact: MessageChangeAckSchema,
      read: ReadAckSchema,
      rooms: RoomsAckSchema,
      auth: AuthAckSchema,
    });
  });

  describe.each(ackedEvents)('%s acknowledgement', (event) => {
    const schema = ackSchemaOf(event);
    const success = successes[event];

    it('accepts { ok: true, ... }', () => {
      expect(schema.parse(success)).toEqual(success);
    });

    it('accepts { ok: false, error } with a VALIDATION error', () => {
      const failure = { ok: false, error: { code: 'VALIDATION', message: 'room is invalid' } };
      expect(schema.parse(failure)).toEqual(failure);
    });

    it('accepts an error with details', () => {
      const failure = {
        ok: false,
        error: {
          code: 'VALIDATION',
          message: 'Invalid payload',
          details: [{ path: ['room'], message: 'Invalid room' }],
        },
      };
      expect(schema.parse(failure)).toEqual(failure);
    });

    it('rejects an unknown error code', () => {
      const result = schema.safeParse({ ok: false, error: { code: 'NOPE', message: 'x' } });
      expect(result.error?.issues.map((issue) => issue.path)).toContainEqual(['error', 'code']);
    });

    it('rejects a failure without an error', () => {
      expect(schema.safeParse({ ok: false }).success).toBe(false);
    });

    it('rejects a success missing its fields', () => {
      expect(schema.safeParse({ ok: true }).success).toBe(false);
    });

    it.each(Object.keys(success).filter((field) => field !== 'ok'))(
      'rejects a success without %s',
      (field) => {
        const rest = Object.fromEntries(Object.entries(success).filter(([key]) => key !== field));
        expect(schema.safeParse(rest).success).toBe(false);
      },
    );

    it('rejects ok given as a string', () => {
      expect(schema.safeParse({ ...success, ok: 'true' }).success).toBe(false);
    });
  });
});

describe('the new required fields of join and history', () => {
  // Servers from before the room log answered without them; a client that parses
  // acknowledgements tells such a server from a current one.
  it('refuses a join acknowledgement from before the room log', () => {
    const { changes: _c, readSeq: _r, unread: _u, reads: _reads, ...before } = successes.join;
    const result = JoinAckSchema.safeParse(before);
    expect(result.error?.issues.map((issue) => issue.path).sort()).toEqual([
      ['changes'],
      ['readSeq'],
      ['reads'],
      ['unread'],
    ]);
  });

  it('refuses a history acknowledgement without changes', () => {
    const { changes: _, ...before } = successes.history;
    const result = HistoryAckSchema.safeParse(before);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['changes']]);
  });

  it.each([
    ['a negative readSeq', { readSeq: -1 }],
    ['a negative unread count', { unread: -1 }],
    ['a fractional unread count', { unread: 1.5 }],
    ['a read receipt without a user', { reads: [{ seq: 1 }] }],
  ])('refuses a join acknowledgement with %s', (_, patch) => {
    expect(JoinAckSchema.safeParse({ ...successes.join, ...patch }).success).toBe(false);
  });
});

describe('MessageChangeAckSchema', () => {
  it('answers a no-op with change: null and the message as it is', () => {
    expect(MessageChangeAckSchema.parse(successes.delete)).toEqual(successes.delete);
  });

  it('requires change to be given, even as null', () => {
    const { change: _, ...withoutChange } = successes.edit;
    expect(MessageChangeAckSchema.safeParse(withoutChange).success).toBe(false);
  });

  it('refuses a change that is not a log entry', () => {
    const result = MessageChangeAckSchema.safeParse({
      ...successes.edit,
      change: { ...change, type: 'pinned' },
    });
    expect(result.error?.issues.map((issue) => issue.path)).toContainEqual(['change', 'type']);
  });
});
