import type { ReadReceipt } from '@chatter/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadReceiptFanout } from './read-receipts.js';

const INTERVAL_MS = 1000;

describe('ReadReceiptFanout', () => {
  let sent: Array<{ room: string; reads: ReadReceipt[] }>;
  let fanout: ReadReceiptFanout;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    fanout = new ReadReceiptFanout(INTERVAL_MS, (room, reads) => sent.push({ room, reads }));
  });

  afterEach(() => {
    fanout.close();
    vi.useRealTimers();
  });

  it('sends the first receipt of a quiet room at once, then one event per interval', () => {
    fanout.publish('a', { userId: 'ada', seq: 1 });
    expect(sent).toEqual([{ room: 'a', reads: [{ userId: 'ada', seq: 1 }] }]);

    for (let seq = 2; seq <= 50; seq++) fanout.publish('a', { userId: 'bob', seq });
    fanout.publish('a', { userId: 'ada', seq: 7 });
    fanout.publish('a', { userId: 'ada', seq: 3 });
    expect(sent).toHaveLength(1);

    vi.advanceTimersByTime(INTERVAL_MS);
    expect(sent).toHaveLength(2);
    // The furthest position per user, never an older one that arrived later.
    expect(sent[1]).toEqual({
      room: 'a',
      reads: [
        { userId: 'bob', seq: 50 },
        { userId: 'ada', seq: 7 },
      ],
    });

    fanout.publish('a', { userId: 'carol', seq: 9 });
    vi.advanceTimersByTime(INTERVAL_MS - 1);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sent.at(-1)).toEqual({ room: 'a', reads: [{ userId: 'carol', seq: 9 }] });
  });

  it('keeps rooms apart, and forgets a room once an interval passes with no reads', () => {
    fanout.publish('a', { userId: 'ada', seq: 1 });
    fanout.publish('b', { userId: 'ada', seq: 4 });
    expect(sent.map((event) => event.room)).toEqual(['a', 'b']);

    vi.advanceTimersByTime(INTERVAL_MS);
    expect(sent).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);

    // Quiet again: the next receipt goes out at once.
    fanout.publish('a', { userId: 'bob', seq: 2 });
    expect(sent.at(-1)).toEqual({ room: 'a', reads: [{ userId: 'bob', seq: 2 }] });
  });

  it('stops its timers on close', () => {
    fanout.publish('a', { userId: 'ada', seq: 1 });
    fanout.publish('a', { userId: 'bob', seq: 2 });
    fanout.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(INTERVAL_MS * 2);
    expect(sent).toHaveLength(1);
  });
});
