import * as z from 'zod/mini';
import { CLIENT_ID_PATTERN, LIMITS, MESSAGE_ID_PATTERN, ROOM_NAME_PATTERN } from './limits.js';
import { useEnglishMessages } from './locale.js';

useEnglishMessages();

const codePointLength = (value: string): number => {
  let length = 0;
  for (const _ of value) length += 1;
  return length;
};

// Characters that render as nothing: a message made only of these (and spaces) is blank.
const INVISIBLE = /^[\s\p{Cf}\u115F\u1160\u2800\u3164\uFFA0]*$/u;

// Bidirectional overrides and isolates let one name reorder the text shown after it.
const BIDI_CONTROL = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

const CONTROL = /\p{Cc}/u;

// A surrogate that is not half of a pair. In `u` mode a pair reads as one code point, so only a
// lone half matches. Such a string has no UTF-8 form: stored, it would come back as U+FFFD, so
// what a client sent, what was acknowledged and what is read back would differ.
const LONE_SURROGATE = /\p{Cs}/u;

// Node 20 and browsers since 2023 have it, and it is ~20× faster than the regex on 4,000 emoji.
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean })
  .isWellFormed;

/** Whether `value` is well-formed UTF-16, so it survives UTF-8 (JSON, SQLite, BSON) unchanged. */
export const isWellFormedText = (value: string): boolean =>
  nativeIsWellFormed ? nativeIsWellFormed.call(value) : !LONE_SURROGATE.test(value);

const NOT_WELL_FORMED = 'must be well-formed Unicode (it contains a lone surrogate)';

/** A string of at most `max` UTF-16 units has at most `max` code points: no need to count them. */
const withinCodePoints = (value: string, max: number): boolean =>
  value.length <= max || codePointLength(value) <= max;

export const RoomNameSchema = z
  .string()
  .check(
    z.regex(
      ROOM_NAME_PATTERN,
      'Room names are 1–64 characters of a–z, 0–9, "_" and "-", starting with a letter or digit',
    ),
  );

export type RoomName = z.infer<typeof RoomNameSchema>;

export const MessageTextSchema = z.string().check(
  z.minLength(1, 'Message text must not be empty'),
  z.refine(isWellFormedText, `Message text ${NOT_WELL_FORMED}`),
  z.refine((text) => !INVISIBLE.test(text), 'Message text must not be blank'),
  z.refine(
    (text) => withinCodePoints(text, LIMITS.messageTextMaxLength),
    `Message text must be at most ${LIMITS.messageTextMaxLength} characters`,
  ),
);

export const DisplayNameSchema = z.string().check(
  z.trim(),
  z.minLength(1, 'Display name must not be blank'),
  z.refine(isWellFormedText, `Display name ${NOT_WELL_FORMED}`),
  z.refine(
    (name) => withinCodePoints(name, LIMITS.displayNameMaxLength),
    `Display name must be at most ${LIMITS.displayNameMaxLength} characters`,
  ),
  // Control characters in names would let one user forge line breaks in everyone's UI.
  z.refine((name) => !CONTROL.test(name), 'Display name must not contain control characters'),
  z.refine(
    (name) => !BIDI_CONTROL.test(name),
    'Display name must not contain bidi control characters',
  ),
  z.refine((name) => !INVISIBLE.test(name), 'Display name must not be blank'),
);

export const UserIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(LIMITS.userIdMaxLength),
    z.refine(isWellFormedText, `User id ${NOT_WELL_FORMED}`),
  );

export const ClientIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(LIMITS.clientIdMaxLength),
    z.regex(CLIENT_ID_PATTERN, 'clientId may only contain letters, digits and . _ : -'),
  );

export const MessageIdSchema = z
  .string()
  .check(
    z.regex(MESSAGE_ID_PATTERN, 'Message ids are 1–64 characters of A–Z, a–z, 0–9, "_" and "-"'),
  );

// Unicode's list of recommended emoji (RGI): one emoji as every platform draws it, so "❤️" is a
// reaction and "❤" (the same heart without its emoji selector) is not a second one that looks
// alike. Runtimes without the regex `v` flag (before Node 20, Safari 17, Firefox 116) fall back
// to a looser check of emoji parts in one grapheme; the server, on Node 20, has the strict one.
const RGI_EMOJI = (() => {
  try {
    // biome-ignore lint/complexity/useRegexLiterals: a `v` literal would not even parse where the flag is missing
    return new RegExp('^\\p{RGI_Emoji}$', 'v');
  } catch {
    return undefined;
  }
})();

const LONE_SKIN_TONE = /^\p{Emoji_Modifier}$/u;

const EMOJI_PART = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;
const EMOJI_ONLY =
  /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\p{Emoji_Component}|[\u200D\uFE0E\uFE0F\u20E3])+$/u;

const segmenter =
  typeof Intl !== 'undefined' && 'Segmenter' in Intl
    ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
    : undefined;

const isOneGrapheme = (value: string): boolean => {
  if (!segmenter) return true;
  let graphemes = 0;
  for (const _ of segmenter.segment(value)) if (++graphemes > 1) return false;
  return true;
};

/** Whether `value` is exactly one emoji of Unicode's recommended set (RGI). */
export const isEmoji = (value: unknown): value is string => {
  if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.emojiMaxLength) {
    return false;
  }
  // A skin tone alone is RGI (a swatch), but it modifies an emoji rather than being a reaction.
  if (!isWellFormedText(value) || LONE_SKIN_TONE.test(value)) return false;
  if (RGI_EMOJI) return RGI_EMOJI.test(value);
  return EMOJI_ONLY.test(value) && EMOJI_PART.test(value) && isOneGrapheme(value);
};

/** A reaction: one emoji, such as 👍, 🇫🇷 or 👩🏽‍💻. */
export const EmojiSchema = z
  .string()
  .check(
    z.refine(isEmoji, `A reaction is one emoji of at most ${LIMITS.emojiMaxLength} UTF-16 units`),
  );

/**
 * A position in a room's log: 1 for the first entry, gap-free after that. A message keeps the
 * `seq` it was created at; each later edit, deletion and reaction takes the next one.
 */
export const SeqSchema = z.int().check(z.positive());

/** A `seq` position a reader has reached; 0 means "before the first message". */
export const SeqCursorSchema = z.int().check(z.nonnegative());

export const PageSizeSchema = z.int().check(z.gte(1), z.lte(LIMITS.historyPageMaxSize));

/** The size of a forward page read to catch up (`history { after }` over the socket). */
export const CatchUpPageSizeSchema = z.int().check(z.gte(1), z.lte(LIMITS.catchUpPageMaxSize));

/** ISO-8601 timestamps, always UTC, e.g. `2026-11-24T10:00:00.000Z`. */
export const TimestampSchema = z.iso.datetime();

// The same rules as plain predicates, for `isMessage`: a value they accept, the schemas above
// accept unchanged. Beside the schemas and on the same constants; entities.test.ts checks that
// they agree, value by value, on either side of every rule.

export const isMessageText = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  isWellFormedText(value) &&
  !INVISIBLE.test(value) &&
  withinCodePoints(value, LIMITS.messageTextMaxLength);

/** A display name that `DisplayNameSchema` accepts without trimming it. */
export const isDisplayName = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  value === value.trim() &&
  isWellFormedText(value) &&
  withinCodePoints(value, LIMITS.displayNameMaxLength) &&
  !CONTROL.test(value) &&
  !BIDI_CONTROL.test(value) &&
  !INVISIBLE.test(value);

export const isUserId = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= LIMITS.userIdMaxLength &&
  isWellFormedText(value);

export const isClientId = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= LIMITS.clientIdMaxLength &&
  CLIENT_ID_PATTERN.test(value);

export const isSeq = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
