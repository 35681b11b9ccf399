import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  type ClientEventName,
  type ClientEventPayload,
  clientEventSchemas,
  ErrorPayloadSchema,
  LIMITS,
  type Message,
  MessageChangeSchema,
  MessageSchema,
  PresenceSchema,
  ReadStateSchema,
  ReceiptsEventSchema,
  serverEventSchemas,
  TypingEventSchema,
} from './index.js';

/** One valid payload per client→server event, with every optional field filled in. */
const validPayloads = {
  join: { room: 'general', since: 12, epoch: 'e1' },
  leave: { room: 'general' },
  message: { room: 'general', text: 'hello', clientId: 'c-1', replyTo: 'm0' },
  history: { room: 'general', before: 20, limit: 10 },
  typing: { room: 'general', typing: true },
  away: { away: true },
  edit: { room: 'general', id: 'm1', text: 'hello again', clientId: 'e-1' },
  delete: { room: 'general', id: 'm1' },
  react: { room: 'general', id: 'm1', emoji: '👍' },
  unreact: { room: 'general', id: 'm1', emoji: '👩🏽‍💻' },
  read: { room: 'general', seq: 12 },
  rooms: {},
  auth: { token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' },
} satisfies { [E in ClientEventName]: ClientEventPayload<E> };

const clientEvents = Object.keys(clientEventSchemas) as ClientEventName[];

// Widened so one loop can parse with every event's schema.
const schemaOf = (event: ClientEventName): z.ZodMiniType => clientEventSchemas[event];

const issuesOf = (schema: z.ZodMiniType, input: unknown) => {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return result.error?.issues ?? [];
};

/** `valid` with an own `__proto__` key, as `JSON.parse` builds it from a request body. */
const withOwnProto = (valid: object): Record<string, unknown> =>
  JSON.parse(JSON.stringify({ ...valid, proto: { x: 1 } }).replace('"proto":', '"__proto__":'));

describe('clientEventSchemas', () => {
  it('has a test payload for every event', () => {
    expect(Object.keys(validPayloads).sort()).toEqual([...clientEvents].sort());
  });

  describe.each(clientEvents)('%s payload', (event) => {
    const schema = schemaOf(event);
    const valid = validPayloads[event];

    it('accepts a valid payload unchanged', () => {
      expect(schema.parse(valid)).toEqual(valid);
    });

    it('rejects an unknown field', () => {
      const issues = issuesOf(schema, { ...valid, extra: 1 });
      expect(issues).toContainEqual(
        expect.objectContaining({ code: 'unrecognized_keys', keys: ['extra'] }),
      );
    });

    it('rejects an own __proto__ key', () => {
      const input = withOwnProto(valid);
      expect(Object.hasOwn(input, '__proto__')).toBe(true);
      const issues = issuesOf(schema, input);
      expect(issues).toContainEqual(
        expect.objectContaining({ code: 'unrecognized_keys', keys: ['__proto__'] }),
      );
    });

    it.each(['$where', '$ne', '$set'])('rejects a %s key', (key) => {
      const issues = issuesOf(schema, { ...valid, [key]: 'x' });
      expect(issues).toContainEqual(
        expect.objectContaining({ code: 'unrecognized_keys', keys: [key] }),
      );
    });

    it.each(Object.keys(valid))('rejects a $-operator object in place of %s', (field) => {
      const issues = issuesOf(schema, { ...valid, [field]: { $ne: 'x' } });
      expect(issues.map((issue) => issue.path)).toContainEqual([field]);
    });

    it.each([
      ['a string', 'general'],
      ['a number', 1],
      ['null', null],
      ['an array', [valid]],
      ['undefined', undefined],
    ])('rejects %s instead of an object', (_, input) => {
      expect(schema.safeParse(input).success).toBe(false);
    });
  });

  it('rejects a join payload built with JSON.parse and an own __proto__ key', () => {
    const input = JSON.parse('{"room":"a","__proto__":{"x":1}}');
    expect(clientEventSchemas.join.safeParse(input).success).toBe(false);
    expect(clientEventSchemas.join.safeParse({ room: 'a' }).success).toBe(true);
  });

  it('rejects { room: { $ne: "x" } } for join', () => {
    expect(clientEventSchemas.join.safeParse({ room: { $ne: 'x' } }).success).toBe(false);
  });

  it('rejects a message whose text is blank', () => {
    const result = clientEventSchemas.message.safeParse({ room: 'general', text: '  ' });
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([['text']]);
  });

  it('rejects a history page larger than 100', () => {
    expect(clientEventSchemas.history.safeParse({ room: 'general', limit: 101 }).success).toBe(
      false,
    );
  });

  describe('history page sizes', () => {
    const { historyPageMaxSize, catchUpPageMaxSize } = LIMITS;
    const history = (payload: object) => clientEventSchemas.history.safeParse(payload);

    it(`lets a forward page (after, no before) hold up to ${catchUpPageMaxSize}`, () => {
      const payload = { room: 'general', after: 7, limit: catchUpPageMaxSize };
      expect(clientEventSchemas.history.parse(payload)).toEqual(payload);
    });

    it(`rejects a forward page of ${catchUpPageMaxSize + 1}`, () => {
      const result = history({ room: 'general', after: 7, limit: catchUpPageMaxSize + 1 });
      expect(result.error?.issues.map((issue) => issue.path)).toEqual([['limit']]);
    });

    it.each([
      ['the newest page', {}],
      ['a backward page', { before: 500 }],
      ['a page bounded on both sides', { after: 7, before: 500 }],
    ])(`keeps %s at ${historyPageMaxSize}`, (_, cursors) => {
      expect(history({ room: 'general', ...cursors, limit: historyPageMaxSize }).success).toBe(
        true,
      );
      const result = history({ room: 'general', ...cursors, limit: historyPageMaxSize + 1 });
      expect(result.error?.issues).toEqual([
        expect.objectContaining({
          code: 'too_big',
          path: ['limit'],
          maximum: historyPageMaxSize,
          message: expect.stringMatching(/forward page/),
        }),
      ]);
    });
  });

  it('rejects a join cursor below 0', () => {
    expect(clientEventSchemas.join.safeParse({ room: 'general', since: -1 }).success).toBe(false);
  });

  it('accepts a join with only a room', () => {
    expect(clientEventSchemas.join.parse({ room: 'general' })).toEqual({ room: 'general' });
  });
});

const message: Message = {
  id: 'm1',
  room: 'general',
  seq: 1,
  text: 'hello',
  author: { id: 'u1', name: 'Ada' },
  createdAt: '2026-11-24T10:00:00.000Z',
  clientId: 'c-1',
};

describe('serverEventSchemas', () => {
  it('maps each server event to its schema', () => {
    expect(Object.keys(serverEventSchemas).sort()).toEqual([
      'change',
      'closing',
      'head',
      'message',
      'presence',
      'presences',
      'read',
      'receipts',
      'typing',
    ]);
    expect(serverEventSchemas.message).toBe(MessageSchema);
    expect(serverEventSchemas.change).toBe(MessageChangeSchema);
    expect(serverEventSchemas.read).toBe(ReadStateSchema);
    expect(serverEventSchemas.receipts).toBe(ReceiptsEventSchema);
    expect(serverEventSchemas.presence).toBe(PresenceSchema);
    expect(serverEventSchemas.typing).toBe(TypingEventSchema);
    expect(serverEventSchemas.closing).toBe(ErrorPayloadSchema);
    const head = { room: 'general', epoch: 'e1', head: 12 };
    expect(serverEventSchemas.head.safeParse(head).success).toBe(true);
    expect(serverEventSchemas.head.safeParse({ ...head, head: -1 }).success).toBe(false);
    expect(serverEventSchemas.head.safeParse({ ...head, room: 'Not A Room' }).success).toBe(false);
    const presence = { user: { id: 'u1', name: 'Ada' }, status: 'online', lastSeen: null };
    expect(serverEventSchemas.presences.safeParse([presence, presence]).success).toBe(true);
    expect(serverEventSchemas.presences.safeParse([]).success).toBe(false);
  });
});

describe('MessageSchema', () => {
  it('accepts a stored message', () => {
    expect(MessageSchema.parse(message)).toEqual(message);
  });

  it('accepts a message without clientId', () => {
    const { clientId: _, ...withoutClientId } = message;
    expect(MessageSchema.safeParse(withoutClientId).success).toBe(true);
  });

  it.each([
    ['seq 0', { seq: 0 }],
    ['a blank text', { text: ' ' }],
    ['an invalid room', { room: 'General' }],
    ['a non-ISO createdAt', { createdAt: 'now' }],
    ['an empty id', { id: '' }],
  ])('rejects %s', (_, patch) => {
    expect(MessageSchema.safeParse({ ...message, ...patch }).success).toBe(false);
  });
});

describe('PresenceSchema', () => {
  const presence = { user: { id: 'u1', name: 'Ada' }, status: 'online', lastSeen: null };

  it('accepts a never-seen user with lastSeen null', () => {
    expect(PresenceSchema.parse(presence)).toEqual(presence);
  });

  it('rejects an unknown status', () => {
    expect(PresenceSchema.safeParse({ ...presence, status: 'busy' }).success).toBe(false);
  });
});
