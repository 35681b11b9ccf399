import { LIMITS, type Message } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { indexOfSeq, quoting, replyExcerpt } from './message-log.js';

const message = (seq: number, text = `message ${seq}`): Message => ({
  id: `id-${seq}`,
  room: 'general',
  seq,
  text,
  author: { id: 'ada', name: 'Ada' },
  createdAt: new Date(0).toISOString(),
});

describe('the message log helpers', () => {
  it('finds a message by seq in a timeline with gaps', () => {
    const timeline = [1, 4, 5, 9, 12].map((seq) => message(seq));
    expect(timeline.map((each) => indexOfSeq(timeline, each.seq))).toEqual([0, 1, 2, 3, 4]);
    expect(indexOfSeq(timeline, 6)).toBe(-1);
    expect(indexOfSeq([], 1)).toBe(-1);
  });

  it('cuts an excerpt to the first code points, never inside a surrogate pair', () => {
    const max = LIMITS.replyExcerptMaxLength;
    expect(replyExcerpt('short')).toBe('short');
    expect(replyExcerpt('a'.repeat(max + 5))).toBe('a'.repeat(max));
    const astral = '😀'.repeat(max + 1);
    expect(replyExcerpt(astral)).toBe('😀'.repeat(max));
    expect(replyExcerpt('😀'.repeat(max))).toBe('😀'.repeat(max));
  });

  it('quotes a parent as it is now, and leaves replies to others alone', () => {
    const parent = message(1, 'new text');
    const reply: Message = {
      ...message(2),
      replyTo: { id: parent.id, seq: 1, author: parent.author, excerpt: 'old text' },
    };
    expect(quoting(reply, parent).replyTo).toEqual({ ...reply.replyTo, excerpt: 'new text' });
    const deleted = { ...parent, text: '', deletedAt: parent.createdAt };
    expect(quoting(reply, deleted).replyTo).toEqual({
      ...reply.replyTo,
      excerpt: '',
      deleted: true,
    });
    expect(quoting(reply, message(3))).toBe(reply);
    const unchanged = { ...reply, replyTo: { ...reply.replyTo, excerpt: 'new text' } } as Message;
    expect(quoting(unchanged, parent)).toBe(unchanged);
  });
});
