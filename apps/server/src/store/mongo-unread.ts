import { type QueryFilter, trusted } from 'mongoose';
import type { MessageDocument } from '../models/message-model.js';
import type { Newest } from './mongo-append.js';
import { checkCursor, checkRoom, checkUserId } from './mongo-queries.js';

/**
 * Unread counts in milliseconds whatever the room's size. The messages after a read position
 * `r`, written by others and not deleted, as of the head `h`:
 *
 *   unread = (messages in (r, h]) − (own messages in (r, h]) − (others' deleted messages in (r, h])
 *
 * - messages in (r, h] is `ordinal(h) − ordinal(r)`: every log entry carries the count of
 *   messages up to it (`ordinal`, settled by the insert that takes its seq), and seqs are
 *   gap-free, so both are one key of the `(room, seq)` index. Constant cost.
 * - own messages in (r, h] is a count over the `(room, author.id, seq)` index range: as many
 *   keys as the user wrote there.
 * - others' deleted messages in (r, h] is a count over the partial index of deleted messages:
 *   as many keys as messages deleted there.
 *
 * So a user 1,000,000 messages behind costs two point reads and two counts bounded by their own
 * messages and the deletions since `r`, never by the room. The deletions counted are those
 * applied to their messages, so callers apply the room's pending changes first.
 */

/** The user's own messages in `(after, head]`: a range of `room_author_seq`. */
export const ownAfterFilter = (room: string, userId: string, after: number, head: number) =>
  ({
    room: checkRoom(room),
    'author.id': checkUserId(userId),
    seq: trusted({ $gt: checkCursor(after, 'after'), $lte: checkCursor(head, 'head') }),
  }) satisfies QueryFilter<MessageDocument>;

/** Others' deleted messages in `(after, head]`: a range of the partial `room_seq_deleted`. */
export const othersDeletedAfterFilter = (
  room: string,
  userId: string,
  after: number,
  head: number,
) =>
  ({
    room: checkRoom(room),
    seq: trusted({ $gt: checkCursor(after, 'after'), $lte: checkCursor(head, 'head') }),
    // The partial index's own filter, so the planner may use it.
    deletedAt: trusted({ $exists: true }),
    'author.id': trusted({ $ne: checkUserId(userId) }),
  }) satisfies QueryFilter<MessageDocument>;

/** The reads behind one count, bound to a room and a user. */
export interface UnreadSteps {
  /** The `ordinal` of the entry at `seq` (which exists: `0 < seq ≤ head`). */
  ordinalAt(seq: number): Promise<number>;
  countOwn(after: number, head: number): Promise<number>;
  countOthersDeleted(after: number, head: number): Promise<number>;
}

/** Messages after `readSeq` by others, not deleted, as of `head` (see above). */
export const countUnread = async (
  readSeq: number,
  head: Newest,
  steps: UnreadSteps,
): Promise<number> => {
  const after = Math.min(checkCursor(readSeq, 'readSeq'), head.seq);
  if (after >= head.seq) return 0;
  const [readOrdinal, own, othersDeleted] = await Promise.all([
    after === 0 ? 0 : steps.ordinalAt(after),
    steps.countOwn(after, head.seq),
    steps.countOthersDeleted(after, head.seq),
  ]);
  return Math.max(0, head.ordinal - readOrdinal - own - othersDeleted);
};
