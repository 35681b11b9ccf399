import {
  CLIENT_ID_PATTERN,
  LIMITS,
  MESSAGE_ID_PATTERN,
  ROOM_NAME_PATTERN,
} from '@chatter/protocol';
import { type Connection, type Model, Schema } from 'mongoose';
import { SCHEMA_OPTIONS } from './schema-options.js';

/**
 * One emoji on a message with the ids of everyone who reacted with it, earliest first. Every
 * reactor is kept (a removal must know whether the user is there, and the 101st reactor moves up
 * when one of the first 100 leaves); the protocol's `users` is the first
 * `LIMITS.reactionUsersListed` and its `count` is `users.length`. A message's emoji keep the order
 * in which each was first used: an emoji stays in its place while anyone still reacts with it,
 * and goes when its last reactor leaves. A message holds at most `LIMITS.reactionsPerMessageMax`
 * emoji, so its size grows with its reactors only (~40 bytes each): 16 MB, MongoDB's limit on a
 * document, is some 400,000 reactors on one message.
 */
export interface ReactionDocument {
  emoji: string;
  users: string[];
}

/**
 * One message of the `messages` collection, which is a room's whole log: messages, and the
 * change entries (`change-model.ts`) that share the `(room, seq)` index with them. Messages have
 * no `kind`; change entries have `kind: 'change'`. Fields mirror the protocol's `Message`, in the
 * message's latest state (every change entry up to `lastChangeSeq` applied).
 */
export interface MessageDocument {
  /** The message id (a UUID minted by the server). */
  _id: string;
  room: string;
  seq: number;
  /**
   * How many messages (not change entries) the room holds up to and including this one. A
   * change entry carries the same count for the entries before it, so the messages between two
   * seqs are the difference of two point reads of the `(room, seq)` index (see `mongo-unread.ts`).
   */
  ordinal: number;
  /** The author as they were named when they sent it. */
  author: { id: string; name: string };
  /** Stored exactly as sent: no trimming, no normalisation. Removed when the message is deleted. */
  text?: string;
  /** Absent (not null) when the client sent none, so the idempotency index skips it. */
  clientId?: string;
  createdAt: Date;
  /** The id of the message this one answers; its excerpt is read from it when read. */
  replyTo?: string;
  editedAt?: Date;
  deletedAt?: Date;
  /** Absent when there are none; never empty. */
  reactions?: ReactionDocument[];
  /** The `seq` of the last change entry applied to this message; absent when none was. */
  lastChangeSeq?: number;
  /** Never stored on messages: here so that filters can ask for `kind: { $ne: 'change' }`. */
  kind?: 'message';
}

const authorSchema = new Schema<MessageDocument['author']>(
  {
    id: { type: String, required: true, minlength: 1, maxlength: LIMITS.userIdMaxLength },
    name: { type: String, required: true },
  },
  { ...SCHEMA_OPTIONS, _id: false },
);

const wholeNumber = (what: string, min: number) => ({
  type: Number,
  min,
  validate: { validator: Number.isSafeInteger, message: `${what} must be a whole number` },
});

const reactionSchema = new Schema<ReactionDocument>(
  {
    emoji: { type: String, required: true, minlength: 1, maxlength: LIMITS.emojiMaxLength },
    users: {
      type: [{ type: String, minlength: 1, maxlength: LIMITS.userIdMaxLength }],
      required: true,
      validate: {
        validator: (users: unknown[]) => users.length > 0,
        message: 'a reaction has at least one user',
      },
    },
  },
  { ...SCHEMA_OPTIONS, _id: false },
);

export const messageSchema = new Schema<MessageDocument>(
  {
    _id: { type: String, required: true, match: MESSAGE_ID_PATTERN },
    room: { type: String, required: true, match: ROOM_NAME_PATTERN },
    seq: { ...wholeNumber('seq', 1), required: true },
    ordinal: { ...wholeNumber('ordinal', 1), required: true },
    author: { type: authorSchema, required: true },
    text: {
      type: String,
      // A deleted message keeps no text: required exactly while it is not deleted.
      required: [
        function (this: MessageDocument) {
          return this.deletedAt === undefined || this.deletedAt === null;
        },
        'text is required until the message is deleted',
      ],
      validate: {
        validator: function (this: MessageDocument, text: unknown) {
          return this.deletedAt === undefined || this.deletedAt === null || text === undefined;
        },
        message: 'a deleted message keeps no text',
      },
    },
    clientId: { type: String, maxlength: LIMITS.clientIdMaxLength, match: CLIENT_ID_PATTERN },
    createdAt: { type: Date, required: true },
    replyTo: { type: String, match: MESSAGE_ID_PATTERN },
    editedAt: { type: Date },
    deletedAt: { type: Date },
    reactions: {
      type: [reactionSchema],
      default: undefined,
      validate: {
        validator: (reactions: unknown[]) =>
          reactions.length > 0 && reactions.length <= LIMITS.reactionsPerMessageMax,
        message: `a message has 1 to ${LIMITS.reactionsPerMessageMax} reactions, or none stored`,
      },
    },
    lastChangeSeq: wholeNumber('lastChangeSeq', 1),
    kind: { type: String, enum: ['message'] },
  },
  { ...SCHEMA_OPTIONS, collection: 'messages' },
);

/** Index names, so a duplicate-key error can be told apart by the index that raised it. */
export const MESSAGE_INDEXES = {
  roomSeq: 'room_seq_unique',
  idempotency: 'room_author_client_id_unique',
  authorSeq: 'room_author_seq',
  deleted: 'room_seq_deleted',
} as const;

// `seq` allocation rests on this index: of two writers inserting the same `(room, seq)`, MongoDB
// rejects the second, which then takes the next number. Change entries live in the same
// collection, so the same index numbers them too: one gap-free sequence per room. It also serves
// every history read (equality on `room`, a range on `seq`, sorted by `seq` either way), "newest
// seq in a room" (one index key, read backwards) and "the entry at seq r" (one key).
messageSchema.index({ room: 1, seq: 1 }, { name: MESSAGE_INDEXES.roomSeq, unique: true });

// Idempotent sends: one message per `(room, author, clientId)`. Partial, so the many messages
// sent without a clientId are neither indexed nor treated as duplicates of each other (a plain
// unique index would count every missing clientId as the same null). A lookup by equality on a
// string clientId implies `$exists`, so the planner can use this index for it. Change entries
// never have a `clientId` field (an edit's is `editClientId`), so they stay out of it.
messageSchema.index(
  { room: 1, 'author.id': 1, clientId: 1 },
  {
    name: MESSAGE_INDEXES.idempotency,
    unique: true,
    partialFilterExpression: { clientId: { $exists: true } },
  },
);

// Unread counts: "the user's own messages after r" is a count over this index's range
// `(room, user, r..head]`, proportional to the user's own messages there and not to the room.
// Change entries have no author and never match an author id.
messageSchema.index({ room: 1, 'author.id': 1, seq: 1 }, { name: MESSAGE_INDEXES.authorSeq });

// Unread counts: "deleted messages after r" over this index holds only deleted messages, so the
// count is proportional to the deletions after r. (`deletedAt` is in the key only to make the key
// pattern differ from `room_seq_unique`'s: older MongoDB servers refuse two indexes on one key
// pattern that differ by their options alone.)
messageSchema.index(
  { room: 1, seq: 1, deletedAt: 1 },
  { name: MESSAGE_INDEXES.deleted, partialFilterExpression: { deletedAt: { $exists: true } } },
);

export type MessageModel = Model<MessageDocument>;

export const messageModel = (connection: Connection): MessageModel =>
  connection.model<MessageDocument>('Message', messageSchema);
