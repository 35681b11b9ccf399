import { describe, expect, it } from 'vitest';
import {
  CatchUpPageSizeSchema,
  ClientIdSchema,
  DisplayNameSchema,
  LIMITS,
  MessageTextSchema,
  PageSizeSchema,
  ROOM_NAME_PATTERN,
  RoomNameSchema,
  SeqCursorSchema,
  SeqSchema,
  TimestampSchema,
} from './index.js';

// A grinning face: one code point, two UTF-16 code units.
const EMOJI = '😀';

describe('LIMITS', () => {
  it('states the documented limits', () => {
    expect(LIMITS).toMatchObject({
      messageTextMaxLength: 4000,
      displayNameMaxLength: 40,
      historyPageMaxSize: 100,
      catchUpPageMaxSize: 1000,
      statusQueryMaxUsers: 100,
      maxPayloadBytes: 32 * 1024,
      emojiMaxLength: 32,
      reactionsPerMessageMax: 20,
      reactionUsersListed: 100,
      replyExcerptMaxLength: 120,
      readReceiptsListed: 100,
      readReceiptsIntervalMs: 1000,
      roomsPerUserMax: 1000,
    });
  });

  it('uses a default page size that is itself a valid page size', () => {
    expect(PageSizeSchema.safeParse(LIMITS.historyPageDefaultSize).success).toBe(true);
  });
});

describe('MessageTextSchema', () => {
  it('accepts one character', () => {
    expect(MessageTextSchema.parse('a')).toBe('a');
  });

  it('accepts exactly 4000 characters', () => {
    expect(MessageTextSchema.safeParse('a'.repeat(4000)).success).toBe(true);
  });

  it('rejects 4001 characters', () => {
    expect(MessageTextSchema.safeParse('a'.repeat(4001)).success).toBe(false);
  });

  it('counts an emoji as one character, so 4000 emoji are accepted', () => {
    const text = EMOJI.repeat(4000);
    // 8000 UTF-16 code units: a `.length` check would wrongly reject this.
    expect(text.length).toBe(8000);
    expect(MessageTextSchema.safeParse(text).success).toBe(true);
  });

  it('rejects 4001 emoji', () => {
    expect(MessageTextSchema.safeParse(EMOJI.repeat(4001)).success).toBe(false);
  });

  it('rejects empty text', () => {
    expect(MessageTextSchema.safeParse('').success).toBe(false);
  });

  it.each([
    ['spaces', '   '],
    ['tabs and newlines', '\t\n\r\n'],
    ['Unicode spaces', '\u00a0\u2003\u3000'],
    ['zero-width spaces and joiners', '\u200b\u200d\ufeff'],
    ['Hangul fillers and a braille blank', '\u3164\u115f\u2800'],
  ])('rejects blank message text made of %s', (_, text) => {
    expect(MessageTextSchema.safeParse(text).success).toBe(false);
  });

  it('accepts an emoji sequence joined with zero-width joiners', () => {
    expect(MessageTextSchema.safeParse('\u{1F469}\u200d\u{1F4BB}').success).toBe(true);
  });

  it('accepts text with surrounding whitespace and keeps it as written', () => {
    expect(MessageTextSchema.parse('  hi\n')).toBe('  hi\n');
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an operator object', { $ne: '' }],
  ])('rejects %s', (_, value) => {
    expect(MessageTextSchema.safeParse(value).success).toBe(false);
  });
});

describe('RoomNameSchema', () => {
  it.each(['a', '0', 'general', 'dev-ops_2', '9lives', 'a-', 'a_'])('accepts %j', (name) => {
    expect(RoomNameSchema.parse(name)).toBe(name);
  });

  it('accepts 64 characters', () => {
    expect(RoomNameSchema.safeParse('a'.repeat(64)).success).toBe(true);
  });

  it('rejects 65 characters', () => {
    expect(RoomNameSchema.safeParse('a'.repeat(65)).success).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['upper-case', 'General'],
    ['a leading dash', '-room'],
    ['a leading underscore', '_room'],
    ['a space', 'my room'],
    ['a leading space', ' room'],
    ['a trailing newline', 'room\n'],
    ['non-ASCII letters', 'café'],
    ['an emoji', `room${EMOJI}`],
    ['a dot', 'a.b'],
    ['a slash', 'a/b'],
  ])('rejects a name with %s', (_, name) => {
    expect(RoomNameSchema.safeParse(name).success).toBe(false);
  });

  it('rejects an operator object in place of a name', () => {
    expect(RoomNameSchema.safeParse({ $ne: 'x' }).success).toBe(false);
  });

  it('matches the exported ROOM_NAME_PATTERN', () => {
    expect(ROOM_NAME_PATTERN.source).toBe('^[a-z0-9][a-z0-9_-]{0,63}$');
  });
});

describe('DisplayNameSchema', () => {
  it('trims surrounding whitespace', () => {
    expect(DisplayNameSchema.parse('  Ada Lovelace \t')).toBe('Ada Lovelace');
  });

  it('accepts one character', () => {
    expect(DisplayNameSchema.parse('A')).toBe('A');
  });

  it('accepts 40 characters', () => {
    expect(DisplayNameSchema.safeParse('a'.repeat(40)).success).toBe(true);
  });

  it('rejects 41 characters', () => {
    expect(DisplayNameSchema.safeParse('a'.repeat(41)).success).toBe(false);
  });

  it('counts the length after trimming', () => {
    expect(DisplayNameSchema.parse(`   ${'a'.repeat(40)}   `)).toBe('a'.repeat(40));
  });

  it('counts an emoji as one character, so 40 emoji are accepted', () => {
    expect(DisplayNameSchema.safeParse(EMOJI.repeat(40)).success).toBe(true);
  });

  it('rejects 41 emoji', () => {
    expect(DisplayNameSchema.safeParse(EMOJI.repeat(41)).success).toBe(false);
  });

  it('rejects an empty name', () => {
    expect(DisplayNameSchema.safeParse('').success).toBe(false);
  });

  it('accepts a name with an emoji joined by zero-width joiners', () => {
    expect(DisplayNameSchema.parse('Ada \u{1F469}\u200d\u{1F4BB}')).toBe(
      'Ada \u{1F469}\u200d\u{1F4BB}',
    );
  });

  it('rejects a blank name', () => {
    expect(DisplayNameSchema.safeParse(' \t\n ').success).toBe(false);
  });

  it.each([
    ['NUL', 'Ada\u0000'],
    ['a line feed', 'Ada\nAdmin'],
    ['a carriage return', 'Ada\rAdmin'],
    ['a tab', 'Ada\tAdmin'],
    ['an ANSI escape', '\u001b[31mAda'],
    ['DEL', 'Ada\u007f'],
    ['a C1 control (NEL)', 'Ada\u0085Admin'],
    ['a right-to-left override', 'Ada\u202eNIMDA'],
    ['a bidi isolate', '\u2067Ada'],
    ['only zero-width characters', '\u200b\u200b'],
  ])('rejects a name containing %s', (_, name) => {
    expect(DisplayNameSchema.safeParse(name).success).toBe(false);
  });
});

describe('PageSizeSchema', () => {
  it.each([1, 50, 100])('accepts %d', (size) => {
    expect(PageSizeSchema.parse(size)).toBe(size);
  });

  it.each([0, -1, 101, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (size) => {
    expect(PageSizeSchema.safeParse(size).success).toBe(false);
  });

  it('rejects a numeric string', () => {
    expect(PageSizeSchema.safeParse('10').success).toBe(false);
  });
});

describe('CatchUpPageSizeSchema', () => {
  it.each([1, 100, 101, LIMITS.catchUpPageMaxSize])('accepts %d', (size) => {
    expect(CatchUpPageSizeSchema.parse(size)).toBe(size);
  });

  it.each([0, LIMITS.catchUpPageMaxSize + 1, 1.5, Number.NaN])('rejects %d', (size) => {
    expect(CatchUpPageSizeSchema.safeParse(size).success).toBe(false);
  });
});

describe('SeqSchema and SeqCursorSchema', () => {
  it('starts message seq at 1', () => {
    expect(SeqSchema.safeParse(1).success).toBe(true);
    expect(SeqSchema.safeParse(0).success).toBe(false);
  });

  it('lets a cursor be 0, meaning before the first message', () => {
    expect(SeqCursorSchema.safeParse(0).success).toBe(true);
  });

  it.each([-1, 1.5])('rejects cursor %d', (cursor) => {
    expect(SeqCursorSchema.safeParse(cursor).success).toBe(false);
  });
});

describe('ClientIdSchema', () => {
  it.each([
    '0b6a6f4e-3c1d-4e8a-9d4b-3f2a1c0e9b7d',
    '01HZX3J5Q8Y2K7N4M6P9R0S1T2',
    'V1StGXR8_Z5jdHi6B-myT',
    'a.b:c',
  ])('accepts %j', (id) => {
    expect(ClientIdSchema.parse(id)).toBe(id);
  });

  it('accepts 64 characters and rejects 65', () => {
    expect(ClientIdSchema.safeParse('a'.repeat(64)).success).toBe(true);
    expect(ClientIdSchema.safeParse('a'.repeat(65)).success).toBe(false);
  });

  it.each(['', 'a b', 'a/b', 'a$b', `id${EMOJI}`])('rejects %j', (id) => {
    expect(ClientIdSchema.safeParse(id).success).toBe(false);
  });
});

describe('TimestampSchema', () => {
  it('accepts a UTC ISO-8601 timestamp', () => {
    expect(TimestampSchema.safeParse('2026-11-24T10:00:00.000Z').success).toBe(true);
  });

  it.each(['2026-11-24T10:00:00.000+02:00', '2026-11-24', 'yesterday', ''])(
    'rejects %j',
    (value) => {
      expect(TimestampSchema.safeParse(value).success).toBe(false);
    },
  );
});
