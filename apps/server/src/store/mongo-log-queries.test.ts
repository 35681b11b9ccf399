import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import {
  backwardQuery,
  checkForward,
  editOriginalFilter,
  editTextsRemoval,
  entriesQuery,
  entryAtQuery,
  forwardRange,
  messageFilter,
  messagesFilter,
  newestEntryQuery,
  pendingClear,
  pendingQuery,
} from './mongo-log-queries.js';
import { InvalidStoreInputError } from './mongo-queries.js';

const { trusted } = mongoose;
const MESSAGES_ONLY = { kind: trusted({ $ne: 'change' }) };

describe('forwardRange', () => {
  // [after, limit, before, head] → [end, hasMore]
  it.each([
    [0, 3, undefined, 10, 3, true],
    [4, 3, undefined, 10, 7, true],
    [6, 4, undefined, 10, 10, false],
    [7, 5, undefined, 10, 10, false],
    [10, 5, undefined, 10, 10, false],
    [12, 5, undefined, 10, 12, false],
    [3, 10, 8, 10, 7, false],
    [3, 2, 8, 10, 5, true],
    [3, 4, 8, 10, 7, false],
    [3, 10, 4, 10, 3, false],
    [0, 20, 100, 10, 10, false],
    [0, 5, undefined, 0, 0, false],
  ])(
    'after %i, limit %i, before %s, head %i: up to %i, more: %s',
    (after, limit, before, head, end, hasMore) => {
      expect(forwardRange(checkForward({ after, limit, before }), head)).toEqual({
        after,
        end,
        hasMore,
      });
    },
  );

  it('without after, starts at the beginning', () => {
    expect(checkForward({ limit: 5 })).toEqual({ after: 0, limit: 5, before: undefined });
  });

  it('refuses cursors and limits that are not whole numbers', () => {
    for (const range of [
      { after: -1, limit: 5 },
      { after: 1.5, limit: 5 },
      { after: { $gt: 0 } as unknown as number, limit: 5 },
      { after: 0, limit: 0 },
      { after: 0, limit: 5, before: '9' as unknown as number },
    ]) {
      expect(() => checkForward(range)).toThrowError(InvalidStoreInputError);
    }
  });
});

describe('log queries', () => {
  it('the head and the message count come from the newest entry of any kind', () => {
    expect(newestEntryQuery('general')).toEqual({
      filter: { room: 'general' },
      sort: { seq: -1 },
      projection: { _id: 0, seq: 1, ordinal: 1 },
    });
    expect(entryAtQuery('general', 7)).toEqual({
      filter: { room: 'general', seq: 7 },
      projection: { _id: 0, ordinal: 1 },
    });
  });

  it('a forward page reads every entry of its range, messages and changes, in one range', () => {
    expect(entriesQuery('general', 3, 9)).toEqual({
      filter: { room: 'general', seq: trusted({ $gt: 3, $lte: 9 }) },
      sort: { seq: 1 },
    });
  });

  it('a backward page reads messages only, newest first, one more than the page', () => {
    expect(backwardQuery({ room: 'general', limit: 3, before: 8 })).toEqual({
      filter: { room: 'general', ...MESSAGES_ONLY, seq: trusted({ $lt: 8 }) },
      sort: { seq: -1 },
      limit: 4,
    });
    expect(backwardQuery({ room: 'general', limit: 20 })).toEqual({
      filter: { room: 'general', ...MESSAGES_ONLY },
      sort: { seq: -1 },
      limit: 21,
    });
  });

  it('messages by id never match a change entry', () => {
    expect(messageFilter('m1')).toEqual({ _id: 'm1', ...MESSAGES_ONLY });
    expect(messagesFilter(['m1', 'm2', 'm1'])).toEqual({
      _id: trusted({ $in: ['m1', 'm2'] }),
      ...MESSAGES_ONLY,
    });
  });

  it('pending entries are read in log order from the pending index, and cleared by id', () => {
    expect(pendingQuery('general')).toEqual({
      filter: { room: 'general', pending: true },
      sort: { seq: 1 },
    });
    expect(pendingClear('e1')).toEqual({
      filter: { _id: 'e1', kind: 'change' },
      update: { $unset: { pending: 1 } },
    });
  });

  it('a retried edit is found by room, user and clientId; a deletion clears its edits', () => {
    expect(editOriginalFilter('general', 'user-ada', 'e-1')).toEqual({
      room: 'general',
      by: 'user-ada',
      editClientId: 'e-1',
    });
    expect(editTextsRemoval('m1')).toEqual({
      filter: {
        kind: 'change',
        messageId: 'm1',
        type: 'edited',
        text: trusted({ $exists: true }),
      },
      update: { $unset: { text: 1 } },
    });
  });

  it('our operators are marked trusted, so sanitizeFilter leaves them as they are', () => {
    const filter = backwardQuery({ room: 'general', limit: 3, before: 8 }).filter;
    expect(mongoose.sanitizeFilter({ ...filter })).toEqual(filter);
  });

  it('refuses operators in every value', () => {
    const hostile = { $ne: null } as unknown as string;
    for (const build of [
      () => newestEntryQuery(hostile),
      () => entryAtQuery('general', 0),
      () => entriesQuery(hostile, 0, 1),
      () => entriesQuery('general', 0, hostile as unknown as number),
      () => backwardQuery({ room: 'general', limit: 3, before: hostile as unknown as number }),
      () => messageFilter(hostile),
      () => messageFilter('has spaces'),
      () => messagesFilter([hostile]),
      () => pendingQuery(hostile),
      () => pendingClear(hostile),
      () => editOriginalFilter('general', hostile, 'e-1'),
      () => editOriginalFilter('general', 'user-ada', hostile),
      () => editTextsRemoval(hostile),
    ]) {
      expect(build).toThrowError(InvalidStoreInputError);
    }
  });
});
