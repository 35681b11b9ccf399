import { CLIENT_ID_PATTERN, LIMITS, ROOM_NAME_PATTERN } from '@chatter/protocol';
import { type Connection, type Model, Schema } from 'mongoose';
import { SCHEMA_OPTIONS } from './schema-options.js';

/** One stored message: `messages` collection. Fields mirror the protocol's `Message`. */
export interface MessageDocument {
  /** The message id (a UUID minted by the server). */
  _id: string;
  room: string;
  seq: number;
  /** The author as they were named when they sent it. */
  author: { id: string; name: string };
  /** Stored exactly as sent: no trimming, no normalisation. */
  text: string;
  /** Absent (not null) when the client sent none, so the idempotency index skips it. */
  clientId?: string;
  createdAt: Date;
}

const authorSchema = new Schema<MessageDocument['author']>(
  {
    id: { type: String, required: true, minlength: 1, maxlength: LIMITS.userIdMaxLength },
    name: { type: String, required: true },
  },
  { ...SCHEMA_OPTIONS, _id: false },
);

export const messageSchema = new Schema<MessageDocument>(
  {
    _id: { type: String, required: true },
    room: { type: String, required: true, match: ROOM_NAME_PATTERN },
    seq: {
      type: Number,
      required: true,
      min: 1,
      validate: { validator: Number.isSafeInteger, message: 'seq must be a whole number' },
    },
    author: { type: authorSchema, required: true },
    text: { type: String, required: true },
    clientId: { type: String, maxlength: LIMITS.clientIdMaxLength, match: CLIENT_ID_PATTERN },
    createdAt: { type: Date, required: true },
  },
  { ...SCHEMA_OPTIONS, collection: 'messages' },
);

/** Index names, so a duplicate-key error can be told apart by the index that raised it. */
export const MESSAGE_INDEXES = {
  roomSeq: 'room_seq_unique',
  idempotency: 'room_author_client_id_unique',
} as const;

// `seq` allocation rests on this index: of two writers inserting the same `(room, seq)`, MongoDB
// rejects the second, which then takes the next number. It also serves every history read
// (equality on `room`, a range on `seq`, sorted by `seq` either way) and "newest seq in a room"
// (one index key, read backwards), so no other index on messages is needed for reads.
messageSchema.index({ room: 1, seq: 1 }, { name: MESSAGE_INDEXES.roomSeq, unique: true });

// Idempotent sends: one message per `(room, author, clientId)`. Partial, so the many messages
// sent without a clientId are neither indexed nor treated as duplicates of each other (a plain
// unique index would count every missing clientId as the same null). A lookup by equality on a
// string clientId implies `$exists`, so the planner can use this index for it.
messageSchema.index(
  { room: 1, 'author.id': 1, clientId: 1 },
  {
    name: MESSAGE_INDEXES.idempotency,
    unique: true,
    partialFilterExpression: { clientId: { $exists: true } },
  },
);

export type MessageModel = Model<MessageDocument>;

export const messageModel = (connection: Connection): MessageModel =>
  connection.model<MessageDocument>('Message', messageSchema);
