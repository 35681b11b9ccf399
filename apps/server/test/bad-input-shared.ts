import path from 'node:path';
import {
  ERROR_HTTP_STATUS,
  type ErrorCode,
  ErrorCodeSchema,
  ValidationIssueSchema,
} from '@chatter/protocol';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { z } from 'zod';
import type { HttpResult } from './helpers.js';

// What the REST and socket bad-input suites share: the room they use, token pieces, and the
// expected wording of validation messages.

export const ROOM = 'a';
export const OTHER_SECRET = 'another-secret-that-is-also-long-enough!!';

/** Counts every message in the SQLite file, whatever room it landed in (even an invalid one). */
export const countAllMessages = (dataDir: string): number => {
  const db = new Database(path.join(dataDir, 'chatter.db'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM messages').get()?.n ?? -1;
  } finally {
    db.close();
  }
};

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The summary zod gives for a value of the wrong type at `field`. */
export const wrongType = (field: string, expected: string, received: string): RegExp =>
  new RegExp(`^${escapeRegExp(field)}: .*expected ${expected}, received ${received}`);

export const unknownKey = (key: string): RegExp =>
  new RegExp(`Unrecognized key: "${escapeRegExp(key)}"`);

export const BAD_ROOM = /^room: Room names are 1–64 characters/;
export const TOO_LONG = /^text: Message text must be at most 4000 characters/;
export const INVALID_TOKEN = /Token is not valid/;

export const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export const claims = { sub: 'mallory', name: 'Mallory' };
export const inAnHour = (): number => Math.floor(Date.now() / 1000) + 3600;

export const NEEDS_JSON = /Content-Type: application\/json/;
export const TOO_LARGE = /larger than 32768 bytes/;
export const LONE_SURROGATE = '\ud800';
export const BAD_ID = /^id: Message ids are 1–64 characters/;
export const NOT_EMOJI = /^emoji: A reaction is one emoji/;
// Fourteen pictographs joined: one grapheme, but 41 UTF-16 units, past LIMITS.emojiMaxLength.
export const LONG_ZWJ = Array.from({ length: 14 }, () => '👩').join('\u200d');

// Socket acknowledgements.

/** `{ ok: false, error: { code, message, details? } }` and nothing else. */
const AckErrorSchema = z.strictObject({
  ok: z.literal(false),
  error: z.strictObject({
    code: ErrorCodeSchema,
    message: z.string().min(1),
    details: z.strictObject({ issues: z.array(ValidationIssueSchema).min(1) }).optional(),
  }),
});

export const expectAckError = (ack: unknown, code: ErrorCode, message: RegExp): void => {
  const shape = AckErrorSchema.safeParse(ack);
  expect(shape.error?.issues ?? [], `not the shared error shape: ${JSON.stringify(ack)}`).toEqual(
    [],
  );
  expect(ack).toMatchObject({
    ok: false,
    error: { code, message: expect.stringMatching(message) },
  });
};

/** One bad payload for an event, and the start of the VALIDATION message it gets. */
export interface PayloadCase {
  name: string;
  /** Everything emitted before the acknowledgement; `[]` sends no payload at all. */
  args: unknown[];
  message: RegExp;
}

export const bad = (name: string, payload: unknown, message: RegExp): PayloadCase => ({
  name,
  args: [payload],
  message,
});
export const noPayload: PayloadCase = {
  name: 'no payload at all',
  args: [],
  message: wrongType('payload', 'object', 'undefined'),
};
/** `__proto__` as an own key, the way JSON.parse (and so any JSON decoder) produces it. */
export const withProto = (json: string): unknown => JSON.parse(json);

// REST answers.

/** What a test sends as a request's body. */
export type Send = { body?: unknown; rawBody?: string; headers?: Record<string, string> };

/** `{ error: { code, message, details? } }` and nothing else. */
const ErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: ErrorCodeSchema,
    message: z.string().min(1),
    details: z.strictObject({ issues: z.array(ValidationIssueSchema).min(1) }).optional(),
  }),
});

export const expectErrorResponse = (res: HttpResult, code: ErrorCode, message: RegExp): void => {
  expect(res.status, JSON.stringify(res.body)).toBe(ERROR_HTTP_STATUS[code]);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const shape = ErrorBodySchema.safeParse(res.body);
  expect(
    shape.error?.issues ?? [],
    `not the shared error shape: ${JSON.stringify(res.body)}`,
  ).toEqual([]);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toMatch(message);
};
