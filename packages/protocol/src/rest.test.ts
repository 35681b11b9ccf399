import { describe, expect, it } from 'vitest';
import {
  CreateSessionRequestSchema,
  CreateSessionResponseSchema,
  CurrentSessionResponseSchema,
  HistoryQuerySchema,
  LIMITS,
  PresenceSchema,
  StatusQuerySchema,
  StatusResponseSchema,
} from './index.js';

describe('HistoryQuerySchema', () => {
  it('parses string numbers', () => {
    expect(HistoryQuerySchema.parse({ room: 'general', limit: '10' })).toEqual({
      room: 'general',
      limit: 10,
    });
  });

  it('parses before and after cursors, including 0', () => {
    expect(HistoryQuerySchema.parse({ room: 'general', before: '0', after: '42' })).toEqual({
      room: 'general',
      before: 0,
      after: 42,
    });
  });

  it('accepts a room alone', () => {
    expect(HistoryQuerySchema.parse({ room: 'general' })).toEqual({ room: 'general' });
  });

  it.each(['1', '100'])('accepts limit %j', (limit) => {
    expect(HistoryQuerySchema.parse({ room: 'general', limit }).limit).toBe(Number(limit));
  });

  it.each([
    ['exponent notation', '1e3'],
    ['hexadecimal', '0x10'],
    ['a leading space', ' 5'],
    ['a trailing space', '5 '],
    ['a negative number', '-1'],
    ['more than 100', '101'],
    ['zero', '0'],
    ['a fraction', '1.5'],
    ['a plus sign', '+5'],
    ['an empty string', ''],
    ['non-ASCII digits', '\u0665'],
    ['sixteen digits', '1'.repeat(16)],
  ])('rejects a limit written with %s', (_, limit) => {
    expect(HistoryQuerySchema.safeParse({ room: 'general', limit }).success).toBe(false);
  });

  it('keeps every page at 100, also a forward one that the socket would let hold more', () => {
    for (const limit of ['101', String(LIMITS.catchUpPageMaxSize)]) {
      const result = HistoryQuerySchema.safeParse({ room: 'general', after: '7', limit });
      expect(result.error?.issues.map((issue) => issue.path)).toEqual([['limit']]);
    }
  });

  it.each(['-1', '1e3', 'abc'])('rejects before %j', (before) => {
    expect(HistoryQuerySchema.safeParse({ room: 'general', before }).success).toBe(false);
  });

  it('rejects a repeated room parameter (an array)', () => {
    expect(HistoryQuerySchema.safeParse({ room: ['a', 'b'] }).success).toBe(false);
  });

  it('rejects a repeated limit parameter (an array)', () => {
    expect(HistoryQuerySchema.safeParse({ room: 'general', limit: ['1', '2'] }).success).toBe(
      false,
    );
  });

  it('rejects an unknown key such as room[$ne]', () => {
    const result = HistoryQuerySchema.safeParse({ room: 'general', 'room[$ne]': 'x' });
    expect(result.error?.issues).toContainEqual(
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['room[$ne]'] }),
    );
  });

  it('rejects an operator object parsed from room[$ne]', () => {
    expect(HistoryQuerySchema.safeParse({ room: { $ne: 'x' } }).success).toBe(false);
  });

  it('rejects a query without a room', () => {
    expect(HistoryQuerySchema.safeParse({ limit: '10' }).success).toBe(false);
  });

  it('rejects an invalid room name', () => {
    expect(HistoryQuerySchema.safeParse({ room: 'General' }).success).toBe(false);
  });
});

describe('StatusQuerySchema', () => {
  it('splits users=a,b into a list of ids', () => {
    expect(StatusQuerySchema.parse({ users: 'a,b' })).toEqual({ users: ['a', 'b'] });
  });

  it('drops empty ids between commas', () => {
    expect(StatusQuerySchema.parse({ users: 'a,,b,' })).toEqual({ users: ['a', 'b'] });
  });

  it('accepts a query without users', () => {
    expect(StatusQuerySchema.parse({})).toEqual({});
  });

  it('accepts exactly statusQueryMaxUsers ids', () => {
    const ids = Array.from({ length: LIMITS.statusQueryMaxUsers }, (_, i) => `u${i}`);
    expect(StatusQuerySchema.parse({ users: ids.join(',') }).users).toEqual(ids);
  });

  it('rejects more than statusQueryMaxUsers ids', () => {
    const ids = Array.from({ length: LIMITS.statusQueryMaxUsers + 1 }, (_, i) => `u${i}`);
    expect(StatusQuerySchema.safeParse({ users: ids.join(',') }).success).toBe(false);
  });

  it.each(['', ','])('rejects a list with no ids (%j)', (users) => {
    expect(StatusQuerySchema.safeParse({ users }).success).toBe(false);
  });

  it('rejects an id longer than the user id limit', () => {
    const users = `a,${'u'.repeat(LIMITS.userIdMaxLength + 1)}`;
    expect(StatusQuerySchema.safeParse({ users }).success).toBe(false);
  });

  it('rejects a repeated users parameter (an array)', () => {
    expect(StatusQuerySchema.safeParse({ users: ['a', 'b'] }).success).toBe(false);
  });

  it('rejects an unknown key', () => {
    expect(StatusQuerySchema.safeParse({ users: 'a', 'users[$ne]': 'x' }).success).toBe(false);
  });
});

describe('CreateSessionRequestSchema', () => {
  it('trims the display name', () => {
    expect(CreateSessionRequestSchema.parse({ name: '  Ada ' })).toEqual({ name: 'Ada' });
  });

  it('rejects an unknown field', () => {
    expect(CreateSessionRequestSchema.safeParse({ name: 'Ada', admin: true }).success).toBe(false);
  });

  it('rejects an own __proto__ key', () => {
    const body = JSON.parse('{"name":"Ada","__proto__":{"admin":true}}');
    expect(CreateSessionRequestSchema.safeParse(body).success).toBe(false);
  });

  it('rejects a blank name', () => {
    expect(CreateSessionRequestSchema.safeParse({ name: ' ' }).success).toBe(false);
  });
});

describe('session responses', () => {
  const session = {
    token: 'header.payload.signature',
    user: { id: 'guest_1', name: 'Ada' },
    expiresAt: '2026-12-01T00:00:00.000Z',
  };

  it('a new session carries the token, the user and the expiry', () => {
    expect(CreateSessionResponseSchema.parse(session)).toEqual(session);
    expect(CreateSessionResponseSchema.safeParse({ ...session, token: undefined }).success).toBe(
      false,
    );
  });

  it('the current session is the same without the token', () => {
    const { token: _token, ...current } = session;
    expect(CurrentSessionResponseSchema.parse(session)).toEqual(current);
    expect(CurrentSessionResponseSchema.safeParse({ ...current, expiresAt: 'soon' }).success).toBe(
      false,
    );
  });
});

describe('StatusResponseSchema', () => {
  const bob = { id: 'user-bob', name: 'Bob' };

  it('answers in the shape the presence event carries', () => {
    const online = { user: bob, status: 'online', lastSeen: '2026-11-30T10:00:00.000Z' };
    const never = { user: { id: 'user-eve', name: 'Eve' }, status: 'offline', lastSeen: null };
    const body = { users: [online, never] };
    expect(StatusResponseSchema.parse(body)).toEqual(body);
    for (const presence of body.users) expect(PresenceSchema.parse(presence)).toEqual(presence);
  });

  it('refuses the flat rows of earlier releases', () => {
    const flat = { id: bob.id, name: bob.name, status: 'online', lastSeen: null };
    expect(StatusResponseSchema.safeParse({ users: [flat] }).success).toBe(false);
  });
});
