import { describe, expect, it } from 'vitest';
import { MESSAGE_ID_PATTERN, MessageIdSchema } from './index.js';

const EMOJI = '😀';

describe('MessageIdSchema', () => {
  it.each([
    ['a UUID (SQLite)', '0b6a6f4e-3c1d-4e8a-9d4b-3f2a1c0e9b7d'],
    ['an ObjectId (MongoDB)', '65a1f0c2e4b0a1b2c3d4e5f6'],
    ['one character', 'm'],
    ['64 characters', 'm'.repeat(64)],
  ])('accepts %s', (_, id) => {
    expect(MessageIdSchema.parse(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['65 characters', 'm'.repeat(65)],
    ['a space', 'm 1'],
    ['a leading space', ' m1'],
    ['a trailing newline', 'm1\n'],
    ['a Mongo operator', '$gt'],
    ['a dot', 'm.1'],
    ['a slash', 'm/1'],
    ['a percent sign', 'm%201'],
    ['a non-ASCII letter', 'mé'],
    ['an emoji', `m${EMOJI}`],
  ])('rejects an id that is %s', (_, id) => {
    expect(MessageIdSchema.safeParse(id).success).toBe(false);
  });

  it.each([
    ['a number', 1],
    ['null', null],
    ['an operator object', { $ne: 'x' }],
    ['an array', ['m1']],
  ])('rejects %s', (_, value) => {
    expect(MessageIdSchema.safeParse(value).success).toBe(false);
  });

  // Ids are values, never keys: one named like an Object.prototype member is an id like any
  // other, which no message has, and parsing it yields a plain string.
  it.each(['__proto__', 'constructor', 'hasOwnProperty'])('takes %j as a plain id', (id) => {
    expect(MessageIdSchema.parse(id)).toBe(id);
  });

  it('matches the exported MESSAGE_ID_PATTERN', () => {
    expect(MESSAGE_ID_PATTERN.source).toBe('^[A-Za-z0-9_-]{1,64}$');
  });
});
