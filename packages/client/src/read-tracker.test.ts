import type { Message, MessageChange } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { changeEntry, type LogEntry, messageEntry } from './message-log.js';
import { ReadTracker } from './read-tracker.js';

const ME = 'me';

const message = (seq: number, author = 'bob'): Message => ({
  id: `id-${seq}`,
  room: 'general',
  seq,
  text: `message ${seq}`,
  author: { id: author, name: author },
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
});

const deletion = (target: Message, seq: number): MessageChange => ({
  room: 'general',
  seq,
  type: 'deleted',
  message: { ...target, text: '', deletedAt: target.createdAt },
  by: target.author.id,
  at: target.createdAt,
});

const edit = (target: Message, seq: number): MessageChange => ({
  room: 'general',
  seq,
  type: 'edited',
  message: { ...target, text: 'edited', editedAt: target.createdAt },
  by: target.author.id,
  at: target.createdAt,
});

const messages = (...seqs: number[]): LogEntry[] => seqs.map((seq) => messageEntry(message(seq)));

const tracker = (base = { seq: 0, unread: 0, head: 0 }) => {
  const reads = new ReadTracker(() => ME);
  reads.reset(base);
  return reads;
};

describe('ReadTracker: the unread count', () => {
  it("starts from the server's count and adds each message by someone else after its head", () => {
    const reads = tracker({ seq: 4, unread: 2, head: 6 });
    expect(reads.unreadCount).toBe(2);
    // At or before the head the server counted them already.
    expect(reads.passed(messages(5, 6))).toBe(false);
    expect(reads.unreadCount).toBe(2);
    expect(reads.passed(messages(7, 8))).toBe(true);
    expect(reads.unreadCount).toBe(4);
  });

  it("does not count this user's own messages, edits or reactions", () => {
    const reads = tracker({ seq: 0, unread: 0, head: 0 });
    reads.passed([messageEntry(message(1, ME)), changeEntry(edit(message(1, ME), 2))]);
    reads.passed([changeEntry(edit(message(3), 4))]);
    expect(reads.unreadCount).toBe(0);
  });

  it('takes away a deletion of a counted message, whether the server or the client counted it', () => {
    const reads = tracker({ seq: 2, unread: 3, head: 5 });
    reads.passed(messages(6));
    expect(reads.unreadCount).toBe(4);
    // 4 was counted by the server (after the read position, before its head), 6 here.
    reads.passed([changeEntry(deletion(message(4), 7)), changeEntry(deletion(message(6), 8))]);
    expect(reads.unreadCount).toBe(2);
    // 1 was read already, and our own message was never counted.
    reads.passed([changeEntry(deletion(message(1), 9)), changeEntry(deletion(message(3, ME), 10))]);
    expect(reads.unreadCount).toBe(2);
  });

  it('ignores a deletion at or before the head: the server counted it', () => {
    const reads = tracker({ seq: 0, unread: 1, head: 3 });
    reads.passed([changeEntry(deletion(message(2), 3))]);
    expect(reads.unreadCount).toBe(1);
  });

  it('counts a message that arrives deleted, and its deletion, to nothing', () => {
    const reads = tracker();
    const gone = message(1);
    reads.passed([
      messageEntry({ ...gone, text: '', deletedAt: gone.createdAt }),
      changeEntry(deletion(gone, 2)),
    ]);
    expect(reads.unreadCount).toBe(0);
  });

  it('recounts from a newer base, keeping what it saw after that base’s head', () => {
    const reads = tracker({ seq: 0, unread: 0, head: 0 });
    reads.passed(messages(1, 2, 3, 4));
    expect(reads.unreadCount).toBe(4);
    // The server read up to 2 when its head was 3: 3 is unread by its count, 4 by ours.
    expect(reads.setBase({ seq: 2, unread: 1, head: 3 })).toBe(true);
    expect(reads.readSeq).toBe(2);
    expect(reads.unreadCount).toBe(2);
  });

  it('ignores an older word from the server: a lower position, or the same one counted earlier', () => {
    const reads = tracker({ seq: 5, unread: 1, head: 9 });
    expect(reads.setBase({ seq: 4, unread: 3, head: 10 })).toBe(false);
    expect(reads.setBase({ seq: 5, unread: 2, head: 8 })).toBe(false);
    expect(reads.setBase({ seq: 5, unread: 1, head: 9 })).toBe(false);
    expect(reads.readSeq).toBe(5);
    expect(reads.unreadCount).toBe(1);
    expect(reads.setBase({ seq: 5, unread: 2, head: 11 })).toBe(true);
    expect(reads.unreadCount).toBe(2);
  });

  it('only counts messages after the read position, even ones it saw before the base moved past them', () => {
    const reads = tracker({ seq: 0, unread: 0, head: 0 });
    reads.passed(messages(1, 2));
    // Read up to 2 when the server's head was only 1 (this client saw 2 before the answer).
    reads.setBase({ seq: 2, unread: 0, head: 1 });
    expect(reads.unreadCount).toBe(0);
  });
});

describe('ReadTracker: others’ read positions', () => {
  it('keeps the furthest position of each other user, in a new map only when one moves', () => {
    const reads = tracker();
    const empty = reads.positions;
    expect(
      reads.updatePositions([
        { userId: 'bob', seq: 3 },
        { userId: ME, seq: 9 },
      ]),
    ).toEqual([{ userId: 'bob', seq: 3 }]);
    const first = reads.positions;
    expect(first).not.toBe(empty);
    expect([...first]).toEqual([['bob', 3]]);
    expect(reads.updatePositions([{ userId: 'bob', seq: 2 }])).toEqual([]);
    expect(reads.positions).toBe(first);
    reads.updatePositions([
      { userId: 'bob', seq: 5 },
      { userId: 'carol', seq: 1 },
    ]);
    expect(Object.fromEntries(reads.positions)).toEqual({ bob: 5, carol: 1 });
  });

  it('lists who read a message, the author aside, furthest first, the same array until one moves', () => {
    const reads = tracker();
    reads.updatePositions([
      { userId: 'carol', seq: 4 },
      { userId: 'bob', seq: 9 },
      { userId: 'dave', seq: 2 },
      { userId: 'erin', seq: 4 },
    ]);
    const byBob = message(3, 'bob');
    const readers = reads.readBy(byBob);
    expect(readers).toEqual(['carol', 'erin']);
    expect(reads.readBy(byBob)).toBe(readers);
    reads.updatePositions([{ userId: 'dave', seq: 3 }]);
    expect(reads.readBy(byBob)).toEqual(['carol', 'erin', 'dave']);
    expect(reads.readBy(message(20))).toEqual([]);
  });
});
