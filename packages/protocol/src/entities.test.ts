import { describe, expect, it } from 'vitest';
import { isMessage, LIMITS, type Message, MessageSchema } from './index.js';

const valid: Message = {
  id: 'm1',
  room: 'general',
  seq: 7,
  text: 'hello',
  author: { id: 'u1', name: 'Ada' },
  createdAt: '2026-11-24T10:00:00.000Z',
  clientId: 'c-1',
  editedAt: '2026-11-24T10:05:00.000Z',
  reactions: [{ emoji: '👍', count: 2, users: ['u2', 'u3'] }],
  replyTo: { id: 'm0', seq: 3, author: { id: 'u2', name: 'Grace' }, excerpt: 'hi' },
};

// JSON with every object's keys sorted: the schema's output follows its own key order.
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : 1)))
      : inner,
  );

/** What `isMessage` promises: true exactly when the schema accepts the value unchanged. */
const acceptedUnchanged = (value: unknown): boolean => {
  const result = MessageSchema.safeParse(value);
  return result.success && canonical(result.data) === canonical(value);
};

const {
  messageTextMaxLength: TEXT,
  displayNameMaxLength: NAME,
  reactionsPerMessageMax: REACTIONS,
  reactionUsersListed: LISTED,
  replyExcerptMaxLength: EXCERPT,
} = LIMITS;
const EMOJI = '😀';

/** `count` different emoji: 😀, 😁, 😂, … */
const differentEmoji = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => String.fromCodePoint(0x1f600 + i));

const reaction = (patch: object = {}) => ({ emoji: '👍', count: 1, users: ['u1'], ...patch });
const userIds = (count: number) => Array.from({ length: count }, (_, i) => `u${i}`);

const parent = { id: 'm0', seq: 3, author: { id: 'u2', name: 'Grace' }, excerpt: 'hi' };
const replyTo = (patch: object) => ({ ...parent, ...patch });

const timestamps = [
  '2026-11-24T10:00:00Z',
  '2026-11-24T10:00:00+01:00',
  '2026-11-24',
  'yesterday',
  '',
  0,
  null,
  undefined,
];

// Values for each field that sit on either side of one of the schema's rules.
const fieldValues: Record<string, unknown[]> = {
  id: [
    'm2',
    '0b6a6f4e-3c1d-4e8a-9d4b-3f2a1c0e9b7d',
    '65a1f0c2e4b0a1b2c3d4e5f6',
    '__proto__',
    'x'.repeat(64),
    'x'.repeat(65),
    '',
    ' m1',
    'm 1',
    '$gt',
    'm.1',
    'é',
    5,
    null,
    'x'.repeat(1000),
  ],
  room: ['a', 'General', '', 'a'.repeat(64), 'a'.repeat(65), '-x', 'a b', 'é', 7],
  seq: [1, 0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53 - 1, 2 ** 53, '1', null],
  text: [
    'x',
    '',
    ' ',
    '\n\t',
    '\u200b',
    '\u3164',
    '\u2800 \u115F\u1160\uFFA0',
    '\u00ad',
    ' hi ',
    '\u0001',
    'a\u202Eb',
    '\ud800',
    'x\udc00y',
    `${EMOJI}\ud83d`,
    'x'.repeat(TEXT),
    'x'.repeat(TEXT + 1),
    EMOJI.repeat(TEXT),
    EMOJI.repeat(TEXT / 2 + 1),
    EMOJI.repeat(TEXT + 1),
    42,
  ],
  author: [
    { id: 'u2', name: 'Grace' },
    { id: '', name: 'Ada' },
    { id: 'u'.repeat(LIMITS.userIdMaxLength), name: 'Ada' },
    { id: 'u'.repeat(LIMITS.userIdMaxLength + 1), name: 'Ada' },
    { id: 'u1', name: ' Ada' },
    { id: 'u1', name: 'Ada\n' },
    { id: 'u1', name: '' },
    { id: 'u1', name: '   ' },
    { id: 'u1', name: '\u200b' },
    { id: 'u1', name: '\u3164' },
    { id: 'u1', name: 'A\u0007da' },
    { id: 'u1', name: 'A\u202Eda' },
    { id: 'u1', name: 'A\u2066da' },
    { id: 'u1', name: 'A\ud800da' },
    { id: 'u\udfff', name: 'Ada' },
    { id: 'u1', name: 'n'.repeat(NAME) },
    { id: 'u1', name: 'n'.repeat(NAME + 1) },
    { id: 'u1', name: EMOJI.repeat(NAME) },
    { id: 'u1', name: EMOJI.repeat(NAME + 1) },
    { id: 'u1', name: 'Ada', role: 'admin' },
    { id: 'u1' },
    { id: 5, name: 'Ada' },
    null,
    'Ada',
    [],
  ],
  createdAt: [
    '2026-11-24T10:00:00Z',
    '2026-11-24T10:00:00.123456Z',
    '2026-11-24T10:00:00+01:00',
    '2026-11-24',
    '2026-13-24T10:00:00.000Z',
    'yesterday',
    '',
    0,
  ],
  clientId: ['c'.repeat(LIMITS.clientIdMaxLength), '', 'c'.repeat(65), 'a b', 'ü', 'a/b', 5, null],
  editedAt: timestamps,
  deletedAt: timestamps,
  reactions: [
    [reaction()],
    differentEmoji(REACTIONS).map((emoji) => reaction({ emoji })),
    differentEmoji(REACTIONS + 1).map((emoji) => reaction({ emoji })),
    [],
    [reaction({ emoji: '🇫🇷' }), reaction({ emoji: '👩🏽‍💻' }), reaction({ emoji: '1️⃣' })],
    [reaction({ emoji: 'a' })],
    [reaction({ emoji: '👍👍' })],
    [reaction({ emoji: '' })],
    [reaction({ emoji: '\ud83d' })],
    [reaction({ count: 0 })],
    [reaction({ count: -1 })],
    [reaction({ count: 1.5 })],
    [reaction({ count: 2 ** 53 - 1 })],
    [reaction({ count: 2 ** 53 })],
    [reaction({ count: '1' })],
    [reaction({ users: [] })],
    [reaction({ count: 5000, users: userIds(LISTED) })],
    [reaction({ count: 5000, users: userIds(LISTED + 1) })],
    [reaction({ users: [''] })],
    [reaction({ users: ['u\ud800'] })],
    [reaction({ users: ['u'.repeat(LIMITS.userIdMaxLength + 1)] })],
    [reaction({ users: [5] })],
    [reaction({ users: 'u1' })],
    [reaction({ mine: true })],
    [{ emoji: '👍', count: 1 }],
    [null],
    ['👍'],
    {},
    null,
    undefined,
  ],
  replyTo: [
    parent,
    replyTo({ excerpt: '', deleted: true }),
    replyTo({ deleted: false }),
    replyTo({ deleted: 'true' }),
    replyTo({ excerpt: 'x'.repeat(EXCERPT) }),
    replyTo({ excerpt: EMOJI.repeat(EXCERPT) }),
    replyTo({ excerpt: 'x'.repeat(EXCERPT * 2) }),
    replyTo({ excerpt: 'x'.repeat(EXCERPT * 2 + 1) }),
    replyTo({ excerpt: 5 }),
    replyTo({ id: '$gt' }),
    replyTo({ id: '' }),
    replyTo({ seq: 0 }),
    replyTo({ seq: 1.5 }),
    replyTo({ author: { id: 'u2', name: ' Grace' } }),
    replyTo({ author: { id: 'u2', name: 'Grace', role: 'admin' } }),
    replyTo({ author: 'u2' }),
    replyTo({ text: 'hi' }),
    { id: 'm0', seq: 3, author: { id: 'u2', name: 'Grace' } },
    'm0',
    null,
    undefined,
  ],
};

describe('isMessage', () => {
  it('accepts a stored message, with or without each optional field', () => {
    expect(isMessage(valid)).toBe(true);
    const { clientId: _, editedAt: _e, reactions: _r, replyTo: _p, ...plain } = valid;
    expect(isMessage(plain)).toBe(true);
  });

  it('accepts a tombstone: deletedAt set, text empty, no reactions', () => {
    const { reactions: _, ...rest } = valid;
    const tombstone = { ...rest, text: '', deletedAt: '2026-11-24T10:06:00.000Z' };
    expect(acceptedUnchanged(tombstone)).toBe(true);
    expect(isMessage(tombstone)).toBe(true);
  });

  it.each(Object.entries(fieldValues))('agrees with MessageSchema on every %s', (field, values) => {
    for (const value of values) {
      const message = { ...valid, [field]: value };
      expect({ value, accepted: isMessage(message) }).toEqual({
        value,
        accepted: acceptedUnchanged(message),
      });
    }
  });

  it('agrees with MessageSchema on a missing field', () => {
    for (const field of Object.keys(valid)) {
      const { [field as keyof Message]: _, ...message } = valid;
      expect({ field, accepted: isMessage(message) }).toEqual({
        field,
        accepted: acceptedUnchanged(message),
      });
    }
  });

  it('turns down what MessageSchema would change: unknown keys and untrimmed names', () => {
    const withExtra = { ...valid, extra: 1 };
    expect(MessageSchema.safeParse(withExtra).success).toBe(true);
    expect(isMessage(withExtra)).toBe(false);
    const ownProto = JSON.parse(JSON.stringify(valid).replace(/}$/, ',"__proto__":{"x":1}}'));
    expect(isMessage(ownProto)).toBe(false);
    const untrimmed = { ...valid, author: { id: 'u1', name: ' Ada ' } };
    expect(MessageSchema.parse(untrimmed).author.name).toBe('Ada');
    expect(isMessage(untrimmed)).toBe(false);
  });

  it.each([
    ['null', null],
    ['a string', 'hello'],
    ['an array', [valid]],
    ['undefined', undefined],
  ])('rejects %s', (_, value) => {
    expect(isMessage(value)).toBe(false);
  });

  it('agrees with MessageSchema when several fields vary at once', () => {
    // A fixed-seed generator (mulberry32), so a failure can be replayed.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    };
    const disagreements: unknown[] = [];
    for (let i = 0; i < 3000; i++) {
      const message: Record<string, unknown> = { ...valid };
      for (const [field, values] of Object.entries(fieldValues)) {
        if (random() < 0.3) message[field] = values[Math.floor(random() * values.length)];
      }
      if (isMessage(message) !== acceptedUnchanged(message)) disagreements.push(message);
    }
    expect(disagreements).toEqual([]);
  });
});
