import { describe, expect, it, vi } from 'vitest';
import type * as z from 'zod/mini';
import {
  AccessTokenClaimsSchema,
  CreateSessionRequestSchema,
  DisplayNameSchema,
  EditMessagePayloadSchema,
  EditMessageRequestSchema,
  isMessage,
  JoinPayloadSchema,
  MessageChangeSchema,
  MessageSchema,
  MessageTextSchema,
  ReactionPayloadSchema,
  ReadReceiptSchema,
  SendMessagePayloadSchema,
  StatusQuerySchema,
  UserIdSchema,
} from './index.js';

// Lone halves of a surrogate pair, alone, at either end and between letters, and a pair in the
// wrong order. None has a UTF-8 form: each would be stored as U+FFFD.
const NOT_WELL_FORMED = ['\uD800', '\uDFFF', 'x\uD800y', 'x\uDC00', '\uD83Dx', '\uDE00\uD83D'];

// Astral-plane characters are pairs, and fine: an emoji, a ZWJ sequence, a CJK extension B ideograph.
const WELL_FORMED = ['😀', 'hi 👩\u200d💻', '\u{20000}'];

const messageWith = (text: string, authorName = 'Ada', authorId = 'u1') => ({
  id: 'm1',
  room: 'general',
  seq: 1,
  text,
  author: { id: authorId, name: authorName },
  createdAt: '2026-11-24T10:00:00.000Z',
});

const reactedBy = (userId: string) => ({
  ...messageWith('hi'),
  reactions: [{ emoji: '👍', count: 1, users: [userId] }],
});

const replyingTo = (authorName: string, authorId = 'u2') => ({
  ...messageWith('hi'),
  replyTo: { id: 'm0', seq: 1, author: { id: authorId, name: authorName }, excerpt: 'x' },
});

const changeBy = (by: string) => ({
  room: 'general',
  seq: 2,
  type: 'reaction_added',
  message: reactedBy('u1'),
  by,
  at: '2026-11-24T10:00:00.000Z',
  emoji: '👍',
});

const messagesOf = (schema: z.ZodMiniType, input: unknown): string[] =>
  schema.safeParse(input).error?.issues.map((issue) => issue.message) ?? [];

describe('text that is not well-formed UTF-16', () => {
  it.each(NOT_WELL_FORMED)('is refused as message text, display name and user id: %j', (value) => {
    expect(messagesOf(MessageTextSchema, value)).toContain(
      'Message text must be well-formed Unicode (it contains a lone surrogate)',
    );
    expect(messagesOf(DisplayNameSchema, value)).toContain(
      'Display name must be well-formed Unicode (it contains a lone surrogate)',
    );
    expect(messagesOf(UserIdSchema, value)).toContain(
      'User id must be well-formed Unicode (it contains a lone surrogate)',
    );
  });

  it.each(NOT_WELL_FORMED)('is refused in every payload that carries it: %j', (value) => {
    const refused: Array<[z.ZodMiniType, unknown]> = [
      [SendMessagePayloadSchema, { room: 'general', text: value }],
      [CreateSessionRequestSchema, { name: value }],
      [AccessTokenClaimsSchema, { sub: value, name: 'Ada', exp: 1_900_000_000 }],
      [AccessTokenClaimsSchema, { sub: 'u1', name: value, exp: 1_900_000_000 }],
      [StatusQuerySchema, { users: `u1,${value}` }],
      [JoinPayloadSchema, { room: 'general', since: 1, epoch: value }],
      [MessageSchema, messageWith(value)],
      [MessageSchema, messageWith('hi', value)],
      [MessageSchema, messageWith('hi', 'Ada', value)],
      [EditMessagePayloadSchema, { room: 'general', id: 'm1', text: value }],
      [EditMessageRequestSchema, { text: value }],
      [ReactionPayloadSchema, { room: 'general', id: 'm1', emoji: value }],
      [ReactionPayloadSchema, { room: 'general', id: 'm1', emoji: `👍${value}` }],
      [MessageSchema, reactedBy(value)],
      [MessageSchema, replyingTo(value)],
      [MessageSchema, replyingTo('Grace', value)],
      [MessageChangeSchema, changeBy(value)],
      [ReadReceiptSchema, { userId: value, seq: 1 }],
    ];
    for (const [schema, input] of refused) expect(schema.safeParse(input).success).toBe(false);
  });

  it.each(NOT_WELL_FORMED)('is turned down by isMessage as by MessageSchema: %j', (value) => {
    expect(isMessage(messageWith(value))).toBe(false);
    expect(isMessage(messageWith('hi', value))).toBe(false);
    expect(isMessage(messageWith('hi', 'Ada', value))).toBe(false);
    expect(isMessage(reactedBy(value))).toBe(false);
    expect(isMessage(replyingTo(value))).toBe(false);
    expect(isMessage(replyingTo('Grace', value))).toBe(false);
  });

  it.each(WELL_FORMED)('does not include astral-plane characters, kept as written: %j', (value) => {
    expect(MessageTextSchema.parse(value)).toBe(value);
    expect(DisplayNameSchema.parse(value)).toBe(value);
    expect(UserIdSchema.parse(value)).toBe(value);
    expect(isMessage(messageWith(value, value, value))).toBe(true);
    expect(isMessage(reactedBy(value))).toBe(true);
    expect(isMessage(replyingTo(value, value))).toBe(true);
  });

  it('is refused the same where String.prototype.isWellFormed is missing (browsers before 2023)', async () => {
    const native = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed');
    expect(native).toBeDefined();
    Reflect.deleteProperty(String.prototype, 'isWellFormed');
    try {
      vi.resetModules();
      const fallback = await import('./primitives.js');
      for (const value of NOT_WELL_FORMED) {
        expect(fallback.MessageTextSchema.safeParse(value).success).toBe(false);
        expect(fallback.isMessageText(value)).toBe(false);
      }
      for (const value of WELL_FORMED) {
        expect(fallback.MessageTextSchema.safeParse(value).success).toBe(true);
      }
    } finally {
      Object.defineProperty(String.prototype, 'isWellFormed', native as PropertyDescriptor);
    }
  });
});
