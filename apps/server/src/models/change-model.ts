import {
  CLIENT_ID_PATTERN,
  LIMITS,
  MESSAGE_ID_PATTERN,
  MessageChangeType,
  ROOM_NAME_PATTERN,
} from '@chatter/protocol';
import { type Connection, type Model, Schema } from 'mongoose';
import { SCHEMA_OPTIONS } from './schema-options.js';

/**
 * One change entry of a room's log: an edit, a deletion, or a reaction added or removed. It is a
 * document of the `messages` collection, beside the messages, so that the unique `(room, seq)`
 * index numbers messages and changes as one gap-free sequence (MongoDB without a replica set has
 * no transactions to keep two collections in step).
 *
 * An entry is the truth; the message document's fields are derived from its entries. Writing a
 * change is two writes: insert the entry (with `pending: true`), then apply it to the message.
 * Whoever finds a pending entry (a reader, or the next writer) applies it first, so a process
 * that dies between the two writes leaves nothing behind that a later read does not repair (see
 * `mongo-change.ts`).
 */
export interface ChangeDocument {
  /** The entry's own id (a UUID); never shown to clients. */
  _id: string;
  room: string;
  seq: number;
  /** Messages in the room before this entry (the newest message's `ordinal`); see message-model. */
  ordinal: number;
  kind: 'change';
  type: MessageChangeType;
  /** The message changed. */
  messageId: string;
  /**
   * The `lastChangeSeq` of the message this entry was decided on (0: the message as created).
   * Unique per message: of two changes decided on the same state, only one is stored, so a
   * message's changes form one chain and each was decided on the state its predecessor left.
   */
  prev: number;
  /** The user who made the change. */
  by: string;
  at: Date;
  /** The reaction added or removed. */
  emoji?: string;
  /** An edit's new text; removed from every edit of a message when the message is deleted. */
  text?: string;
  /**
   * The clientId an edit was sent with. Not named `clientId`: the messages' idempotency index
   * covers every document with a `clientId` field in this collection.
   */
  editClientId?: string;
  /** Set while the entry may not be applied to its message yet; removed once it is. */
  pending?: true;
}

export const changeSchema = new Schema<ChangeDocument>(
  {
    _id: { type: String, required: true, match: MESSAGE_ID_PATTERN },
    room: { type: String, required: true, match: ROOM_NAME_PATTERN },
    seq: {
      type: Number,
      required: true,
      min: 1,
      validate: { validator: Number.isSafeInteger, message: 'seq must be a whole number' },
    },
    ordinal: {
      type: Number,
      required: true,
      min: 0,
      validate: { validator: Number.isSafeInteger, message: 'ordinal must be a whole number' },
    },
    kind: { type: String, required: true, enum: ['change'] },
    type: { type: String, required: true, enum: Object.values(MessageChangeType) },
    messageId: { type: String, required: true, match: MESSAGE_ID_PATTERN },
    prev: {
      type: Number,
      required: true,
      min: 0,
      validate: { validator: Number.isSafeInteger, message: 'prev must be a whole number' },
    },
    by: { type: String, required: true, minlength: 1, maxlength: LIMITS.userIdMaxLength },
    at: { type: Date, required: true },
    emoji: { type: String, minlength: 1, maxlength: LIMITS.emojiMaxLength },
    text: { type: String },
    editClientId: { type: String, maxlength: LIMITS.clientIdMaxLength, match: CLIENT_ID_PATTERN },
    pending: {
      type: Boolean,
      validate: {
        validator: (value: unknown) => value === true,
        message: 'pending is true or absent',
      },
    },
  },
  // The same collection as the messages: one `(room, seq)` index for the whole log.
  { ...SCHEMA_OPTIONS, collection: 'messages' },
);

/** Index names, so a duplicate-key error can be told apart by the index that raised it. */
export const CHANGE_INDEXES = {
  chain: 'change_message_prev_unique',
  editIdempotency: 'change_room_by_edit_client_id_unique',
  pending: 'change_room_pending_seq',
} as const;

// One change per message and predecessor (see `prev`). Partial: messages have neither field.
changeSchema.index(
  { messageId: 1, prev: 1 },
  { name: CHANGE_INDEXES.chain, unique: true, partialFilterExpression: { kind: 'change' } },
);

// Idempotent edits: one edit per `(room, user, clientId)`; a retry answers with the original.
changeSchema.index(
  { room: 1, by: 1, editClientId: 1 },
  {
    name: CHANGE_INDEXES.editIdempotency,
    unique: true,
    partialFilterExpression: { editClientId: { $exists: true } },
  },
);

// The entries not yet applied, per room, in log order: a reader's check for them costs one probe
// of an index that is empty but for the moment between a change's two writes.
changeSchema.index(
  { room: 1, pending: 1, seq: 1 },
  { name: CHANGE_INDEXES.pending, partialFilterExpression: { pending: true } },
);

export type ChangeModel = Model<ChangeDocument>;

export const changeModel = (connection: Connection): ChangeModel =>
  connection.model<ChangeDocument>('Change', changeSchema);
