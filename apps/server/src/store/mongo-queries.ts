import {
  ClientIdSchema,
  MessageIdSchema,
  RoomNameSchema,
  SeqCursorSchema,
  SeqSchema,
  UserIdSchema,
} from '@chatter/protocol';
import { type QueryFilter, trusted, type UpdateQuery } from 'mongoose';
import { z } from 'zod';
import type { MessageDocument } from '../models/message-model.js';
import type { RoomDocument } from '../models/room-model.js';
import type { UserDocument } from '../models/user-model.js';
import type { AppendMessageInput, StoredUser } from './chat-store.js';

/**
 * Every filter and update the MongoDB store sends is built here, from values checked here. A
 * room, id or cursor that is not the plain string or number it should be (an object such as
 * `{ $ne: null }` in particular) is refused before any query exists. The connection's
 * `sanitizeFilter` is the second line: it would match such an object literally. The operators
 * we write ourselves are marked `trusted` so that sanitizing leaves them alone.
 */
export class InvalidStoreInputError extends TypeError {
  override readonly name = 'InvalidStoreInputError';
}

export const check = <T>(schema: z.core.$ZodType<T>, value: unknown, what: string): T => {
  // Protocol schemas are zod/mini ones, without classic zod's methods; this parses either kind.
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  throw new InvalidStoreInputError(`${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
};

// Names and texts are stored as given (no trimming), so these only check the type.
export const AuthorSchema = z.strictObject({ id: UserIdSchema, name: z.string().min(1) });
export const TextSchema = z.string().min(1);

export const checkRoom = (room: unknown): string => check(RoomNameSchema, room, 'room');
export const checkSeq = (seq: unknown, what = 'seq'): number => check(SeqSchema, seq, what);
export const checkCursor = (seq: unknown, what: string): number =>
  check(SeqCursorSchema, seq, what);
export const checkMessageId = (id: unknown, what = 'message id'): string =>
  check(MessageIdSchema, id, what);
export const checkUserId = (id: unknown, what = 'user id'): string => check(UserIdSchema, id, what);

export interface CheckedAppend {
  room: string;
  author: { id: string; name: string };
  text: string;
  clientId: string | undefined;
  /** The id of the message answered; the append checks it is a live message of the room. */
  replyTo?: string | undefined;
}

export const checkAppend = (input: AppendMessageInput): CheckedAppend => {
  const replyTo =
    input.replyTo === undefined ? undefined : checkMessageId(input.replyTo, 'replyTo');
  return {
    room: checkRoom(input.room),
    author: check(AuthorSchema, input.author, 'author'),
    text: check(TextSchema, input.text, 'text'),
    clientId: check(z.optional(ClientIdSchema), input.clientId, 'clientId'),
    ...(replyTo === undefined ? {} : { replyTo }),
  };
};

export const roomFilter = (room: string): QueryFilter<RoomDocument> => ({ _id: checkRoom(room) });

/** Rooms by name, once each. */
export const roomsFilter = (rooms: readonly string[]): QueryFilter<RoomDocument> => ({
  _id: trusted({ $in: [...new Set(check(z.array(RoomNameSchema), rooms, 'rooms'))] }),
});

/** Creates the room with `epoch` (the default epoch) if it is missing; an existing room is left untouched. */
export const roomCreation = (epoch: string, now: Date): UpdateQuery<RoomDocument> => ({
  $setOnInsert: { epoch, head: 0, createdAt: now },
});

/** Moves the room's head forward to `seq`, never back (writers may finish out of order). */
export const headAdvance = (seq: number): UpdateQuery<RoomDocument> => ({
  $max: { head: checkSeq(seq) },
});

/** The message a client already sent with this clientId, if any. */
export const originalFilter = (input: CheckedAppend & { clientId: string }) =>
  ({
    room: checkRoom(input.room),
    'author.id': check(UserIdSchema, input.author.id, 'author.id'),
    clientId: check(ClientIdSchema, input.clientId, 'clientId'),
  }) satisfies QueryFilter<MessageDocument>;

/**
 * The messages that may be originals of `inputs` (one room): those with one of their clientIds.
 * The caller matches authors; the idempotency index `(room, author.id, clientId)` serves it.
 */
export const originalsFilter = (room: string, inputs: readonly CheckedAppend[]) =>
  ({
    room: checkRoom(room),
    clientId: trusted({
      $in: [
        ...new Set(
          check(
            z.array(ClientIdSchema),
            inputs.flatMap((input) => (input.clientId === undefined ? [] : [input.clientId])),
            'clientIds',
          ),
        ),
      ],
    }),
  }) satisfies QueryFilter<MessageDocument>;

/**
 * A new message at `seq`, the room's `ordinal`-th message. No `lastChangeSeq`, `reactions` or
 * other change fields: a message starts with none.
 */
export const messageDocument = (
  input: CheckedAppend,
  { id, seq, ordinal, now }: { id: string; seq: number; ordinal: number; now: Date },
): MessageDocument => ({
  _id: id,
  room: input.room,
  seq: checkSeq(seq),
  ordinal: checkSeq(ordinal, 'ordinal'),
  author: { id: input.author.id, name: input.author.name },
  text: input.text,
  ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
  createdAt: now,
  ...(input.replyTo === undefined ? {} : { replyTo: input.replyTo }),
});

export const userFilter = (id: string): QueryFilter<UserDocument> => ({
  _id: check(UserIdSchema, id, 'user id'),
});

export const userUpdate = (name: string, lastSeen: Date): UpdateQuery<UserDocument> => ({
  $set: { name: check(z.string().min(1), name, 'name'), lastSeen },
});

export const usersFilter = (ids: readonly string[]): QueryFilter<UserDocument> => ({
  _id: trusted({ $in: [...new Set(check(z.array(UserIdSchema), ids, 'user ids'))] }),
});

export const toStoredUser = (doc: UserDocument): StoredUser => ({
  id: doc._id,
  name: doc.name,
  lastSeen: doc.lastSeen instanceof Date ? doc.lastSeen.toISOString() : null,
});
