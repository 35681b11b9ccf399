import type { ReadReceipt } from '@chatter/protocol';
import { type QueryFilter, trusted, type UpdateQuery } from 'mongoose';
import { z } from 'zod';
import type { MembershipDocument } from '../models/membership-model.js';
import { check, checkCursor, checkRoom, checkUserId } from './mongo-queries.js';

/** Filters and updates of the `memberships` collection, from checked values. */

export const membershipFilter = (userId: string, room: string) =>
  ({
    userId: checkUserId(userId),
    room: checkRoom(room),
  }) satisfies QueryFilter<MembershipDocument>;

/** Every membership of the user: the unique `(userId, room)` index's prefix. */
export const userMembershipsFilter = (userId: string) =>
  ({ userId: checkUserId(userId) }) satisfies QueryFilter<MembershipDocument>;

/** Oldest membership first; `_id` (an ObjectId, in creation order) breaks ties within a ms. */
export const USER_ROOMS_SORT = { joinedAt: 1, _id: 1 } as const;

/**
 * Records a membership if it is missing, read up to `head`; an existing one, read position
 * included, is kept.
 */
export const membershipCreation = (now: Date, head: number): UpdateQuery<MembershipDocument> => ({
  $setOnInsert: { joinedAt: now, readSeq: checkCursor(head, 'head') },
});

/**
 * Moves the read position to `seq` if that is further; never back, even when two devices race
 * (`$max` compares in the write). Records the membership if it is missing.
 */
export const readAdvance = (seq: number, now: Date): UpdateQuery<MembershipDocument> => ({
  $max: { readSeq: checkCursor(seq, 'seq') },
  $setOnInsert: { joinedAt: now },
});

/** The members who have read something, the furthest first: the front of `room_read_seq_user`. */
export const receiptsQuery = (room: string, limit: number) => ({
  filter: {
    room: checkRoom(room),
    readSeq: trusted({ $gt: 0 }),
  } satisfies QueryFilter<MembershipDocument>,
  sort: { readSeq: -1 as const, userId: 1 as const },
  limit: check(z.number().int().nonnegative(), limit, 'limit'),
  projection: { _id: 0, userId: 1, readSeq: 1 },
});

export const toReadReceipt = (
  doc: Pick<MembershipDocument, 'userId' | 'readSeq'>,
): ReadReceipt => ({
  userId: doc.userId,
  seq: doc.readSeq,
});
