import {
  ClientIdSchema,
  type Message,
  RoomNameSchema,
  SeqCursorSchema,
  SeqSchema,
  UserIdSchema,
} from '@chatter/protocol';
import { type QueryFilter, type SortOrder, trusted, type UpdateQuery } from 'mongoose';
import { z } from 'zod';
import type { MessageDocument } from '../models/message-model.js';
import type { RoomDocument } from '../models/room-model.js';
import type { UserDocument } from '../models/user-model.js';
import type { AppendMessageInput, HistoryRange, StoredUser } from './chat-store.js';

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

const check = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidStoreInputError(`${what}: ${result.error.issues[0]?.message ?? 'invalid'}`);
};

// Names and texts are stored as given (no trimming), so these only check the type.
const AuthorSchema = z.strictObject({ id: UserIdSchema, name: z.string().min(1) });
const TextSchema = z.string().min(1);
const PageLimitSchema = z.number().int().positive();

export const checkRoom = (room: unknown): string => check(RoomNameSchema, room, 'room');

export interface CheckedAppend {
  room: string;
  author: { id: string; name: string };
  text: string;
  clientId: string | undefined;
}

export const checkAppend = (input: AppendMessageInput): CheckedAppend => ({
  room: checkRoom(input.room),
  author: check(AuthorSchema, input.author, 'author'),
  text: check(TextSchema, input.text, 'text'),
  clientId: check(ClientIdSchema.optional(), input.clientId, 'clientId'),
});

export const roomFilter = (room: string): QueryFilter<RoomDocument> => ({ _id: checkRoom(room) });

/** Creates the room with `epoch` (the default epoch) if it is missing; an existing room is left untouched. */
export const roomCreation = (epoch: string, now: Date): UpdateQuery<RoomDocument> => ({
  $setOnInsert: { epoch, head: 0, createdAt: now },
});

/** Moves the room's head forward to `seq`, never back (writers may finish out of order). */
export const headAdvance = (seq: number): UpdateQuery<RoomDocument> => ({
  $max: { head: check(SeqSchema, seq, 'seq') },
});

/** The room's newest message: the last key of the `(room, seq)` index. */
export const newestSeqQuery = (room: string) => ({
  filter: { room: checkRoom(room) } satisfies QueryFilter<MessageDocument>,
  sort: { seq: -1 } satisfies Record<string, SortOrder>,
  projection: { _id: 0, seq: 1 },
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

export const messageDocument = (
  input: CheckedAppend,
  { id, seq, now }: { id: string; seq: number; now: Date },
): MessageDocument => ({
  _id: id,
  room: input.room,
  seq: check(SeqSchema, seq, 'seq'),
  author: { id: input.author.id, name: input.author.name },
  text: input.text,
  ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
  createdAt: now,
});

export interface HistoryQuery {
  filter: QueryFilter<MessageDocument>;
  sort: { seq: 1 | -1 };
  /** One more than the page, to tell whether more lie beyond it without a second query. */
  limit: number;
}

/**
 * The query behind `listMessages`: with `after`, the oldest messages after it (and before
 * `before`); otherwise the newest before `before` (or the head), read newest first.
 */
export const historyQuery = ({ room, limit, before, after }: HistoryRange): HistoryQuery => {
  const seq: { $gt?: number; $lt?: number } = {};
  if (after !== undefined) seq.$gt = check(SeqCursorSchema, after, 'after');
  if (before !== undefined) seq.$lt = check(SeqCursorSchema, before, 'before');
  return {
    filter: {
      room: checkRoom(room),
      ...(Object.keys(seq).length === 0 ? {} : { seq: trusted(seq) }),
    },
    sort: { seq: after === undefined ? -1 : 1 },
    limit: check(PageLimitSchema, limit, 'limit') + 1,
  };
};

export const userFilter = (id: string): QueryFilter<UserDocument> => ({
  _id: check(UserIdSchema, id, 'user id'),
});

export const userUpdate = (name: string, lastSeen: Date): UpdateQuery<UserDocument> => ({
  $set: { name: check(z.string().min(1), name, 'name'), lastSeen },
});

export const usersFilter = (ids: readonly string[]): QueryFilter<UserDocument> => ({
  _id: trusted({ $in: [...new Set(check(z.array(UserIdSchema), ids, 'user ids'))] }),
});

export const toMessage = (doc: MessageDocument): Message => ({
  id: doc._id,
  room: doc.room,
  seq: doc.seq,
  text: doc.text,
  author: { id: doc.author.id, name: doc.author.name },
  createdAt: doc.createdAt.toISOString(),
  // Absent, not undefined or null, when the message had none: as the SQLite store returns it.
  ...(typeof doc.clientId === 'string' ? { clientId: doc.clientId } : {}),
});

export const toStoredUser = (doc: UserDocument): StoredUser => ({
  id: doc._id,
  name: doc.name,
  lastSeen: doc.lastSeen instanceof Date ? doc.lastSeen.toISOString() : null,
});
