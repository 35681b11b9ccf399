import { ClientIdSchema, MessageIdSchema } from '@chatter/protocol';
import { type QueryFilter, trusted, type UpdateQuery } from 'mongoose';
import { z } from 'zod';
import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument } from '../models/message-model.js';
import type { HistoryRange } from './chat-store.js';
import {
  check,
  checkCursor,
  checkMessageId,
  checkRoom,
  checkSeq,
  checkUserId,
} from './mongo-queries.js';

/**
 * Filters over a room's log, the `messages` collection: messages (no `kind`) and change entries
 * (`kind: 'change'`) under one `(room, seq)` index. Every filter that wants messages only says
 * `kind: { $ne: 'change' }`, and every one that wants changes says `kind: 'change'`. Inputs are
 * checked here as in `mongo-queries.ts`; our own operators are marked `trusted`.
 */

const PageLimitSchema = z.number().int().positive();

/**
 * Messages only: change entries share the collection. A message has no `kind` (or 'message',
 * should one ever be written with it); the model's type knows only 'message', hence the cast of
 * 'change', which is exactly the value this leaves out.
 */
const MESSAGES_ONLY = { kind: trusted({ $ne: 'change' as unknown as 'message' }) };

/** The newest entry of the room (message or change): its seq is the head, its ordinal the count. */
export const newestEntryQuery = (room: string) => ({
  filter: { room: checkRoom(room) } satisfies QueryFilter<MessageDocument>,
  sort: { seq: -1 as const },
  projection: { _id: 0, seq: 1, ordinal: 1 },
});

/** The entry at `seq` (every seq up to the head has one): for its ordinal. */
export const entryAtQuery = (room: string, seq: number) => ({
  filter: { room: checkRoom(room), seq: checkSeq(seq) } satisfies QueryFilter<MessageDocument>,
  projection: { _id: 0, ordinal: 1 },
});

/** A forward page request, checked before anything is read. */
export interface ForwardRequest {
  after: number;
  limit: number;
  before: number | undefined;
}

export const checkForward = ({
  limit,
  before,
  after,
}: Pick<HistoryRange, 'limit' | 'before' | 'after'>): ForwardRequest => ({
  after: checkCursor(after ?? 0, 'after'),
  limit: check(PageLimitSchema, limit, 'limit'),
  before: before === undefined ? undefined : checkCursor(before, 'before'),
});

/**
 * Where a forward page ends: it covers exactly `(after, end]`, `end = min(after + limit, head,
 * before - 1)`. Seqs are gap-free, so the range is known before anything in it is read, and
 * `hasMore` says whether the log goes on past `end` (within `before`).
 */
export const forwardRange = (
  { after, limit, before }: ForwardRequest,
  head: number,
): { after: number; end: number; hasMore: boolean } => {
  const bound = before === undefined ? head : Math.min(head, before - 1);
  const end = Math.max(after, Math.min(after + limit, bound));
  return { after, end, hasMore: end < bound };
};

/** Every entry in `(after, end]`, messages and changes alike, in log order: one index range. */
export const entriesQuery = (room: string, after: number, end: number) => ({
  filter: {
    room: checkRoom(room),
    seq: trusted({ $gt: checkCursor(after, 'after'), $lte: checkCursor(end, 'end') }),
  } satisfies QueryFilter<MessageDocument>,
  sort: { seq: 1 as const },
});

/** A backward page: the newest messages before `before` (or the head), newest first, plus one. */
export const backwardQuery = ({ room, limit, before }: Omit<HistoryRange, 'after'>) => ({
  filter: {
    room: checkRoom(room),
    ...MESSAGES_ONLY,
    ...(before === undefined ? {} : { seq: trusted({ $lt: checkCursor(before, 'before') }) }),
  } satisfies QueryFilter<MessageDocument>,
  sort: { seq: -1 as const },
  /** One more than the page, to tell whether more lie beyond it without a second query. */
  limit: check(PageLimitSchema, limit, 'limit') + 1,
});

/** One message by id, never a change entry (their ids share the `_id` index). */
export const messageFilter = (id: string) =>
  ({ _id: checkMessageId(id), ...MESSAGES_ONLY }) satisfies QueryFilter<MessageDocument>;

/** Messages by id, once each. */
export const messagesFilter = (ids: readonly string[]) =>
  ({
    _id: trusted({ $in: [...new Set(check(z.array(MessageIdSchema), ids, 'message ids'))] }),
    ...MESSAGES_ONLY,
  }) satisfies QueryFilter<MessageDocument>;

/** The room's change entries not yet applied to their messages, in log order. */
export const pendingQuery = (room: string) => ({
  filter: { room: checkRoom(room), pending: true as const } satisfies QueryFilter<ChangeDocument>,
  sort: { seq: 1 as const },
});

/** Marks an entry applied; the pending index forgets it. */
export const pendingClear = (entryId: string) => ({
  filter: { _id: checkMessageId(entryId, 'entry id'), kind: 'change' as const },
  update: { $unset: { pending: 1 } } satisfies UpdateQuery<ChangeDocument>,
});

/** The edit the user already made in the room with this clientId, if any (a retry). */
export const editOriginalFilter = (room: string, by: string, clientId: string) =>
  ({
    room: checkRoom(room),
    by: checkUserId(by),
    editClientId: check(ClientIdSchema, clientId, 'clientId'),
  }) satisfies QueryFilter<ChangeDocument>;

/**
 * A deleted message keeps no text, and neither do its edits: their texts go when it is deleted.
 * Served by the chain index (`messageId` first, `kind: 'change'` its filter).
 */
export const editTextsRemoval = (messageId: string) => ({
  filter: {
    kind: 'change' as const,
    messageId: checkMessageId(messageId),
    type: 'edited' as const,
    text: trusted({ $exists: true }),
  } satisfies QueryFilter<ChangeDocument>,
  update: { $unset: { text: 1 } } satisfies UpdateQuery<ChangeDocument>,
});
