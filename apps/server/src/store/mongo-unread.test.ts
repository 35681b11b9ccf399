import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { InvalidStoreInputError } from './mongo-queries.js';
import {
  countUnread,
  othersDeletedAfterFilter,
  ownAfterFilter,
  type UnreadSteps,
} from './mongo-unread.js';

const { trusted } = mongoose;

describe('unread filters', () => {
  it('own messages: a range of (room, author.id, seq)', () => {
    expect(ownAfterFilter('general', 'user-ada', 3, 9)).toEqual({
      room: 'general',
      'author.id': 'user-ada',
      seq: trusted({ $gt: 3, $lte: 9 }),
    });
  });

  it("others' deleted messages: the partial index's own filter, so the planner may use it", () => {
    expect(othersDeletedAfterFilter('general', 'user-ada', 0, 9)).toEqual({
      room: 'general',
      seq: trusted({ $gt: 0, $lte: 9 }),
      deletedAt: trusted({ $exists: true }),
      'author.id': trusted({ $ne: 'user-ada' }),
    });
  });

  it('refuses operators and bad cursors', () => {
    const hostile = { $ne: null } as unknown as string;
    for (const build of [
      () => ownAfterFilter(hostile, 'u', 0, 1),
      () => ownAfterFilter('general', hostile, 0, 1),
      () => othersDeletedAfterFilter('general', hostile, 0, 1),
      () => ownAfterFilter('general', 'u', -1, 1),
      () => othersDeletedAfterFilter('general', 'u', 0, 1.5),
    ]) {
      expect(build).toThrowError(InvalidStoreInputError);
    }
  });
});

/** A room's log as the store sees it, for checking the count against a brute-force one. */
interface Entry {
  seq: number;
  /** Messages up to and including this entry. */
  ordinal: number;
  message?: { author: string; deleted: boolean };
}

const USERS = ['ada', 'bob', 'eve'];

/** A deterministic generator (mulberry32), so a failure can be replayed from its seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const randomLog = (next: () => number, length: number): Entry[] => {
  const log: Entry[] = [];
  let messages = 0;
  for (let seq = 1; seq <= length; seq += 1) {
    const live = log.filter((entry) => entry.message && !entry.message.deleted);
    if (live.length === 0 || next() < 0.5) {
      messages += 1;
      const author = USERS[Math.floor(next() * USERS.length)] as string;
      log.push({ seq, ordinal: messages, message: { author, deleted: false } });
      continue;
    }
    // A change entry: a deletion of some live message, or an edit or reaction (no count change).
    const target = live[Math.floor(next() * live.length)];
    if (target?.message && next() < 0.4) target.message.deleted = true;
    log.push({ seq, ordinal: messages });
  }
  return log;
};

const bruteForce = (log: Entry[], user: string, after: number, head: number): number =>
  log.filter(
    (entry) =>
      entry.seq > after &&
      entry.seq <= head &&
      entry.message &&
      entry.message.author !== user &&
      !entry.message.deleted,
  ).length;

const stepsOver = (log: Entry[], user: string, calls: string[] = []): UnreadSteps => {
  const inRange = (after: number, head: number) =>
    log.filter((entry) => entry.seq > after && entry.seq <= head && entry.message);
  return {
    ordinalAt: async (seq) => {
      calls.push(`ordinal ${seq}`);
      return log[seq - 1]?.ordinal ?? Number.NaN;
    },
    countOwn: async (after, head) =>
      inRange(after, head).filter((entry) => entry.message?.author === user).length,
    countOthersDeleted: async (after, head) =>
      inRange(after, head).filter(
        (entry) => entry.message?.author !== user && entry.message?.deleted,
      ).length,
  };
};

describe('countUnread', () => {
  it('matches a brute-force count on random logs, for every reader and read position', async () => {
    for (let seed = 1; seed <= 60; seed += 1) {
      const next = random(seed);
      const log = randomLog(next, 1 + Math.floor(next() * 60));
      const last = log.at(-1) as Entry;
      // The head snapshot may be behind the log's end: entries after it are not counted.
      const headEntry = log[Math.floor(next() * log.length)] as Entry;
      for (const head of [last, headEntry]) {
        for (const user of USERS) {
          for (let readSeq = 0; readSeq <= last.seq + 1; readSeq += 1) {
            const counted = await countUnread(
              readSeq,
              { seq: head.seq, ordinal: head.ordinal },
              stepsOver(log, user),
            );
            const expected = bruteForce(log, user, Math.min(readSeq, head.seq), head.seq);
            expect({ seed, user, readSeq, head: head.seq, counted }).toEqual({
              seed,
              user,
              readSeq,
              head: head.seq,
              counted: expected,
            });
          }
        }
      }
    }
  });

  it('reads no ordinal from the log for a reader at 0 or at the head', async () => {
    const log = randomLog(random(7), 20);
    const last = log.at(-1) as Entry;
    const calls: string[] = [];
    const head = { seq: last.seq, ordinal: last.ordinal };
    await countUnread(0, head, stepsOver(log, 'ada', calls));
    expect(await countUnread(last.seq, head, stepsOver(log, 'ada', calls))).toBe(0);
    expect(await countUnread(last.seq + 5, head, stepsOver(log, 'ada', calls))).toBe(0);
    expect(calls).toEqual([]);
    await countUnread(3, head, stepsOver(log, 'ada', calls));
    expect(calls).toEqual(['ordinal 3']);
  });

  it('an empty room has nothing unread', async () => {
    expect(await countUnread(0, { seq: 0, ordinal: 0 }, stepsOver([], 'ada'))).toBe(0);
  });
});
