import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { AppendMessageInput } from './chat-store.js';
import { toMessage } from './mongo-documents.js';
import { newestEntryQuery } from './mongo-log-queries.js';
import {
  checkAppend,
  headAdvance,
  InvalidStoreInputError,
  messageDocument,
  originalFilter,
  roomCreation,
  roomFilter,
  roomsFilter,
  toStoredUser,
  userFilter,
  usersFilter,
  userUpdate,
} from './mongo-queries.js';

const ADA = { id: 'user-ada', name: 'Ada' };
const input: AppendMessageInput = { room: 'general', author: ADA, text: 'hi', clientId: 'c-1' };

/** What `sanitizeFilter` would turn the filter into (it rewrites in place, so on a copy). */
const sanitized = (filter: Record<string, unknown>) =>
  mongoose.sanitizeFilter(
    Object.fromEntries(Object.entries(filter).map(([key, value]) => [key, value])),
  );

// The mark is a symbol key, which toEqual compares: an unmarked operator does not equal these.
const { trusted } = mongoose;

// Values a JavaScript caller could pass where a string or number belongs; each would be an
// operator (or a type MongoDB compares differently) if it reached a filter.
const HOSTILE = [{ $ne: null }, { $gt: '' }, ['general'], 7, null, '', 'General'] as const;

describe('filters and updates', () => {
  it('our own operators are marked trusted, so sanitizeFilter leaves them as they are', () => {
    expect(sanitized(usersFilter(['a', 'b']))).toEqual({ _id: trusted({ $in: ['a', 'b'] }) });
    expect(sanitized(roomsFilter(['a', 'b']))).toEqual({ _id: trusted({ $in: ['a', 'b'] }) });
    // Without the mark, sanitizing would match the operator object literally.
    expect(sanitized({ seq: { $gt: 3 } })).toEqual({ seq: { $eq: { $gt: 3 } } });
  });

  it('a retry is looked up by room, author id and clientId', () => {
    expect(originalFilter({ ...checkAppend(input), clientId: 'c-1' })).toEqual({
      room: 'general',
      'author.id': 'user-ada',
      clientId: 'c-1',
    });
  });

  it('rooms are created with $setOnInsert and their head only moves forward', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    expect(roomFilter('general')).toEqual({ _id: 'general' });
    expect(roomsFilter(['b', 'a', 'b'])).toEqual({ _id: trusted({ $in: ['b', 'a'] }) });
    expect(roomCreation('epoch-1', now)).toEqual({
      $setOnInsert: { epoch: 'epoch-1', head: 0, createdAt: now },
    });
    expect(headAdvance(7)).toEqual({ $max: { head: 7 } });
  });

  it('users are upserted by id with their name and lastSeen, and read with $in, once each', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(userFilter('user-ada')).toEqual({ _id: 'user-ada' });
    expect(userUpdate('Ada', at)).toEqual({ $set: { name: 'Ada', lastSeen: at } });
    expect(usersFilter(['b', 'a', 'b'])).toEqual({ _id: trusted({ $in: ['b', 'a'] }) });
  });
});

describe('documents', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');

  it('a message document has clientId and replyTo only when given, and no change fields', () => {
    const keyed = messageDocument(checkAppend(input), { id: 'm1', seq: 4, ordinal: 3, now });
    expect(keyed).toStrictEqual({
      _id: 'm1',
      room: 'general',
      seq: 4,
      ordinal: 3,
      author: ADA,
      text: 'hi',
      clientId: 'c-1',
      createdAt: now,
    });
    const plain = messageDocument(checkAppend({ ...input, clientId: undefined }), {
      id: 'm2',
      seq: 5,
      ordinal: 4,
      now,
    });
    expect(Object.keys(plain)).not.toContain('clientId');
    const reply = messageDocument(checkAppend({ ...input, replyTo: 'm1' }), {
      id: 'm3',
      seq: 6,
      ordinal: 5,
      now,
    });
    expect(reply).toMatchObject({ replyTo: 'm1', ordinal: 5 });
    expect(Object.keys(plain)).not.toContain('replyTo');
  });

  it('turns documents back into protocol messages and users, as the SQLite store returns them', () => {
    const doc = messageDocument(checkAppend(input), { id: 'm1', seq: 4, ordinal: 4, now });
    expect(toMessage(doc)).toStrictEqual({
      id: 'm1',
      room: 'general',
      seq: 4,
      text: 'hi',
      author: ADA,
      createdAt: '2026-01-02T03:04:05.678Z',
      clientId: 'c-1',
    });
    const { clientId: _, ...plain } = doc;
    expect(Object.keys(toMessage(plain))).not.toContain('clientId');
    expect(toStoredUser({ _id: 'user-ada', name: 'Ada', lastSeen: now })).toStrictEqual({
      id: 'user-ada',
      name: 'Ada',
      lastSeen: '2026-01-02T03:04:05.678Z',
    });
    expect(toStoredUser({ _id: 'user-ada', name: 'Ada', lastSeen: null }).lastSeen).toBeNull();
  });
});

describe('validation before any filter exists', () => {
  it.each(HOSTILE)('refuses %o as a room everywhere a room is used', (room) => {
    const bad = room as unknown as string;
    for (const build of [
      () => roomFilter(bad),
      () => newestEntryQuery(bad),
      () => checkAppend({ ...input, room: bad }),
    ]) {
      expect(build).toThrowError(InvalidStoreInputError);
    }
  });

  it('refuses an author, clientId or text that is not a plain string', () => {
    const cases: Array<[Partial<AppendMessageInput>, RegExp]> = [
      [{ author: { id: { $ne: null } as unknown as string, name: 'Ada' } }, /^author: /],
      [{ author: { ...ADA, role: 'admin' } as AppendMessageInput['author'] }, /^author: /],
      [{ clientId: { $exists: true } as unknown as string }, /^clientId: /],
      [{ clientId: 'has spaces' }, /^clientId: /],
      [{ text: { $regex: '.' } as unknown as string }, /^text: /],
      [{ text: '' }, /^text: /],
      [{ replyTo: { $ne: null } as unknown as string }, /^replyTo: /],
      [{ replyTo: 'not an id!' }, /^replyTo: /],
    ];
    for (const [change, message] of cases) {
      expect(() => checkAppend({ ...input, ...change })).toThrowError(message);
    }
  });

  it('refuses user ids that are not strings, and seqs that are not positive whole numbers', () => {
    expect(() => userFilter({ $ne: null } as unknown as string)).toThrowError(/^user id: /);
    expect(() => usersFilter([{ $gt: '' }] as unknown as string[])).toThrowError(/^user ids: /);
    expect(() => usersFilter('abc' as unknown as string[])).toThrowError(/^user ids: /);
    expect(() => userUpdate({ $set: 1 } as unknown as string, new Date())).toThrowError(/^name: /);
    expect(() => headAdvance(0)).toThrowError(/^seq: /);
    const checked = checkAppend(input);
    expect(() =>
      messageDocument(checked, { id: 'm', seq: 1.5, ordinal: 1, now: new Date() }),
    ).toThrowError(/^seq: /);
    expect(() =>
      messageDocument(checked, { id: 'm', seq: 1, ordinal: 0, now: new Date() }),
    ).toThrowError(/^ordinal: /);
    expect(() => roomsFilter([{ $gt: '' }] as unknown as string[])).toThrowError(/^rooms: /);
  });
});
