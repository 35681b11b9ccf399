import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import {
  membershipCreation,
  membershipFilter,
  readAdvance,
  receiptsQuery,
  toReadReceipt,
  USER_ROOMS_SORT,
  userMembershipsFilter,
} from './mongo-members.js';
import { InvalidStoreInputError } from './mongo-queries.js';

const { trusted } = mongoose;
const NOW = new Date('2026-01-02T03:04:05.678Z');

describe('membership queries', () => {
  it('a membership is found by user and room; a user lists theirs oldest first', () => {
    expect(membershipFilter('user-ada', 'general')).toEqual({
      userId: 'user-ada',
      room: 'general',
    });
    expect(userMembershipsFilter('user-ada')).toEqual({ userId: 'user-ada' });
    expect(USER_ROOMS_SORT).toEqual({ joinedAt: 1, _id: 1 });
  });

  it('joining records a missing membership at read position 0 and keeps an existing one', () => {
    expect(membershipCreation(NOW, 7)).toEqual({ $setOnInsert: { joinedAt: NOW, readSeq: 7 } });
  });

  it('a read position only moves forward, in the write itself', () => {
    expect(readAdvance(7, NOW)).toEqual({
      $max: { readSeq: 7 },
      $setOnInsert: { joinedAt: NOW },
    });
    expect(readAdvance(0, NOW)).toMatchObject({ $max: { readSeq: 0 } });
  });

  it('read receipts: those who read something, furthest first, at most the limit', () => {
    expect(receiptsQuery('general', 100)).toEqual({
      filter: { room: 'general', readSeq: trusted({ $gt: 0 }) },
      sort: { readSeq: -1, userId: 1 },
      limit: 100,
      projection: { _id: 0, userId: 1, readSeq: 1 },
    });
    expect(toReadReceipt({ userId: 'user-ada', readSeq: 4 })).toEqual({
      userId: 'user-ada',
      seq: 4,
    });
  });

  it('refuses operators and bad numbers', () => {
    const hostile = { $ne: null } as unknown as string;
    for (const build of [
      () => membershipFilter(hostile, 'general'),
      () => membershipFilter('user-ada', hostile),
      () => userMembershipsFilter(hostile),
      () => readAdvance(-1, NOW),
      () => readAdvance(1.5, NOW),
      () => receiptsQuery(hostile, 5),
      () => receiptsQuery('general', -1),
    ]) {
      expect(build).toThrowError(InvalidStoreInputError);
    }
  });
});
