import * as z from 'zod/mini';
import { LIMITS, MESSAGE_ID_PATTERN, ROOM_NAME_PATTERN } from './limits.js';
import {
  ClientIdSchema,
  DisplayNameSchema,
  EmojiSchema,
  isClientId,
  isDisplayName,
  isEmoji,
  isMessageText,
  isSeq,
  isUserId,
  isWellFormedText,
  MessageIdSchema,
  MessageTextSchema,
  RoomNameSchema,
  SeqCursorSchema,
  SeqSchema,
  TimestampSchema,
  UserIdSchema,
} from './primitives.js';

export const UserSchema = z.object({
  id: UserIdSchema,
  name: DisplayNameSchema,
});

export type User = z.infer<typeof UserSchema>;

/**
 * The people who reacted to a message with one emoji. `count` is exact; `users` lists the
 * earliest `LIMITS.reactionUsersListed` of them, so whether the reader reacted is known for
 * certain while `count` is within that many.
 */
export const ReactionSchema = z.object({
  emoji: EmojiSchema,
  count: z.int().check(z.positive()),
  users: z.array(UserIdSchema).check(z.maxLength(LIMITS.reactionUsersListed)),
});

export type Reaction = z.infer<typeof ReactionSchema>;

/**
 * The message a reply answers, as it is now: its author and the start of its text (empty once
 * the parent is deleted, with `deleted: true`).
 */
export const ReplyToSchema = z.object({
  id: MessageIdSchema,
  seq: SeqSchema,
  author: UserSchema,
  /** At most `LIMITS.replyExcerptMaxLength` code points (twice as many UTF-16 units). */
  excerpt: z
    .string()
    .check(
      z.maxLength(LIMITS.replyExcerptMaxLength * 2),
      z.refine(isWellFormedText, 'excerpt must be well-formed Unicode'),
    ),
  deleted: z.optional(z.literal(true)),
});

export type ReplyTo = z.infer<typeof ReplyToSchema>;

/**
 * A stored message in its latest state, exactly as the server broadcasts it and returns it from
 * history. `seq` is where it was created in the room's log and never changes; edits, deletions
 * and reactions are later entries of the log (see `MessageChangeSchema`) that carry this whole
 * state again. A deleted message stays as a tombstone: `deletedAt` set, `text` empty (the text
 * is removed from storage), no reactions.
 */
export const MessageSchema = z.object({
  id: MessageIdSchema,
  room: RoomNameSchema,
  seq: SeqSchema,
  /** Empty exactly when the message is deleted. */
  text: z.union([MessageTextSchema, z.literal('')]),
  author: UserSchema,
  createdAt: TimestampSchema,
  clientId: z.optional(ClientIdSchema),
  /** When the author last edited the text. */
  editedAt: z.optional(TimestampSchema),
  /** When the author deleted the message. */
  deletedAt: z.optional(TimestampSchema),
  /** Per emoji, in the order each was first used; absent when there are none. */
  reactions: z.optional(
    z.array(ReactionSchema).check(z.minLength(1), z.maxLength(LIMITS.reactionsPerMessageMax)),
  ),
  replyTo: z.optional(ReplyToSchema),
});

export type Message = z.infer<typeof MessageSchema>;

const MESSAGE_KEYS: ReadonlySet<string> = new Set(Object.keys(MessageSchema.shape));
const USER_KEYS: ReadonlySet<string> = new Set(Object.keys(UserSchema.shape));
const REACTION_KEYS: ReadonlySet<string> = new Set(Object.keys(ReactionSchema.shape));
const REPLY_KEYS: ReadonlySet<string> = new Set(Object.keys(ReplyToSchema.shape));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Unknown keys would be dropped by the schema, so the value would not be accepted unchanged. */
const hasOnlyKeys = (value: Record<string, unknown>, keys: ReadonlySet<string>): boolean =>
  Object.keys(value).every((key) => keys.has(key));

/**
 * Whether `MessageSchema` accepts `value` unchanged (no name trimmed, no unknown key dropped),
 * checked without zod's per-rule overhead: several times faster, for clients that check pages
 * of a thousand messages. `false` means "not for certain": parse with `MessageSchema` for the
 * verdict and its issues.
 *
 * @example
 * ```ts
 * const message = isMessage(raw) ? raw : MessageSchema.parse(raw);
 * ```
 */
export const isMessage = (value: unknown): value is Message => {
  if (!isRecord(value) || !hasOnlyKeys(value, MESSAGE_KEYS)) return false;
  const { id, room, seq, text, author, createdAt, clientId, editedAt, deletedAt } = value;
  return (
    isMessageId(id) &&
    typeof room === 'string' &&
    ROOM_NAME_PATTERN.test(room) &&
    isSeq(seq) &&
    (text === '' || isMessageText(text)) &&
    isUser(author) &&
    isTimestamp(createdAt) &&
    (clientId === undefined || isClientId(clientId)) &&
    (editedAt === undefined || isTimestamp(editedAt)) &&
    (deletedAt === undefined || isTimestamp(deletedAt)) &&
    isReactionList(value.reactions) &&
    (value.replyTo === undefined || isReplyTo(value.replyTo))
  );
};

const isMessageId = (value: unknown): value is string =>
  typeof value === 'string' && MESSAGE_ID_PATTERN.test(value);

const isTimestamp = (value: unknown): boolean => TimestampSchema.safeParse(value).success;

const isUser = (value: unknown): boolean =>
  isRecord(value) &&
  hasOnlyKeys(value, USER_KEYS) &&
  isUserId(value.id) &&
  isDisplayName(value.name);

const isReactionList = (value: unknown): boolean => {
  if (value === undefined) return true;
  if (!Array.isArray(value) || value.length === 0) return false;
  if (value.length > LIMITS.reactionsPerMessageMax) return false;
  return value.every(
    (reaction: unknown) =>
      isRecord(reaction) &&
      hasOnlyKeys(reaction, REACTION_KEYS) &&
      isEmoji(reaction.emoji) &&
      typeof reaction.count === 'number' &&
      Number.isSafeInteger(reaction.count) &&
      reaction.count > 0 &&
      Array.isArray(reaction.users) &&
      reaction.users.length <= LIMITS.reactionUsersListed &&
      reaction.users.every(isUserId),
  );
};

const isReplyTo = (value: unknown): boolean =>
  isRecord(value) &&
  hasOnlyKeys(value, REPLY_KEYS) &&
  isMessageId(value.id) &&
  isSeq(value.seq) &&
  isUser(value.author) &&
  typeof value.excerpt === 'string' &&
  value.excerpt.length <= LIMITS.replyExcerptMaxLength * 2 &&
  isWellFormedText(value.excerpt) &&
  (value.deleted === undefined || value.deleted === true);

/** What an entry of a room's log after the message's creation did to it. */
export const MessageChangeType = {
  EDITED: 'edited',
  DELETED: 'deleted',
  REACTION_ADDED: 'reaction_added',
  REACTION_REMOVED: 'reaction_removed',
} as const;

export type MessageChangeType = (typeof MessageChangeType)[keyof typeof MessageChangeType];

export const MessageChangeTypeSchema = z.enum(MessageChangeType);

/**
 * One entry of a room's log that changed a message already in it: it takes the room's next
 * `seq`, like a new message, and carries the message's whole state after the change (as it is
 * when read, so applying an entry again, or an older one after a newer, never goes back). A
 * client that does not hold the message (it lies before what it loaded) can skip the message
 * but must still count the `seq`.
 */
export const MessageChangeSchema = z.object({
  room: RoomNameSchema,
  seq: SeqSchema,
  type: MessageChangeTypeSchema,
  message: MessageSchema,
  /** Who made the change: the author for edits and deletions, the reactor for reactions. */
  by: UserIdSchema,
  at: TimestampSchema,
  /** The reaction added or removed. */
  emoji: z.optional(EmojiSchema),
  /** The `clientId` the edit was sent with, so its sender can tell its own retry. */
  clientId: z.optional(ClientIdSchema),
});

export type MessageChange = z.infer<typeof MessageChangeSchema>;

/** How far one user has read in a room: every entry up to `seq`. */
export const ReadReceiptSchema = z.object({
  userId: UserIdSchema,
  seq: SeqCursorSchema,
});

export type ReadReceipt = z.infer<typeof ReadReceiptSchema>;

/**
 * One of the rooms the server remembers for a user (joined and not left), with where the room's
 * log stands and where the user's reading stands. `unread` counts the messages after `readSeq`
 * that others wrote and nobody deleted.
 */
export const RoomSummarySchema = z.object({
  room: RoomNameSchema,
  epoch: z.string(),
  head: SeqCursorSchema,
  readSeq: SeqCursorSchema,
  unread: z.int().check(z.nonnegative()),
  joinedAt: TimestampSchema,
});

export type RoomSummary = z.infer<typeof RoomSummarySchema>;

export const PresenceStatus = {
  ONLINE: 'online',
  AWAY: 'away',
  OFFLINE: 'offline',
} as const;

export type PresenceStatus = (typeof PresenceStatus)[keyof typeof PresenceStatus];

export const PresenceStatusSchema = z.enum(PresenceStatus);

/**
 * A user's presence as the server pushes it. `lastSeen` is when the user last had a live
 * connection: the current time while online or away, the moment they left once offline,
 * and `null` for a user the server has never seen.
 */
export const PresenceSchema = z.object({
  user: UserSchema,
  status: PresenceStatusSchema,
  lastSeen: z.nullable(TimestampSchema),
});

export type Presence = z.infer<typeof PresenceSchema>;
