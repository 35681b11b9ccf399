import type { PendingMessage } from '@chatter/client';
import type { Message } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  changesByMessage,
  lastOwnMessage,
  listNames,
  replyQuoteOf,
  timelineItems,
  viewOf,
} from './message-view';

const ada = { id: 'ada', name: 'Ada' };
const bob = { id: 'bob', name: 'Bob' };

const message = (seq: number, overrides: Partial<Message> = {}): Message => ({
  id: `m${seq}`,
  room: 'general',
  seq,
  text: `message ${seq}`,
  author: bob,
  createdAt: '2026-01-01T10:00:00.000Z',
  ...overrides,
});

let clientIds = 0;
const pending = (overrides: Partial<PendingMessage>): PendingMessage => {
  clientIds += 1;
  return {
    clientId: `c${clientIds}`,
    room: 'general',
    kind: 'message',
    text: '',
    createdAt: '2026-01-01T10:01:00.000Z',
    state: 'queued',
    ...overrides,
  };
};

describe('viewOf', () => {
  it('shows a pending edit’s text as edited and saving', () => {
    const view = viewOf(
      message(1, { author: ada }),
      [pending({ kind: 'edit', messageId: 'm1', text: 'fixed' })],
      ada.id,
    );
    expect(view).toMatchObject({ text: 'fixed', edited: true, saving: 'edit', deleted: false });
  });

  it('applies this person’s pending reactions to the counts, once each', () => {
    const stored = message(1, {
      reactions: [
        { emoji: '👍', count: 2, users: ['bob', 'ada'] },
        { emoji: '🎉', count: 1, users: ['bob'] },
      ],
    });
    const view = viewOf(
      stored,
      [
        pending({ kind: 'unreact', messageId: 'm1', emoji: '👍' }),
        pending({ kind: 'react', messageId: 'm1', emoji: '🎉' }),
        // Already reacted (queued above): no second count.
        pending({ kind: 'react', messageId: 'm1', emoji: '🎉' }),
        pending({ kind: 'react', messageId: 'm1', emoji: '👀' }),
      ],
      ada.id,
    );
    expect(
      view.reactions.map(({ emoji, count, mine, pending }) => [emoji, count, mine, pending]),
    ).toEqual([
      ['👍', 1, false, true],
      ['🎉', 2, true, true],
      ['👀', 1, true, true],
    ]);
  });

  it('drops a reaction whose last reactor takes it back', () => {
    const stored = message(1, { reactions: [{ emoji: '👍', count: 1, users: ['ada'] }] });
    const view = viewOf(
      stored,
      [pending({ kind: 'unreact', messageId: 'm1', emoji: '👍' })],
      ada.id,
    );
    expect(view.reactions).toEqual([]);
    expect(viewOf(stored, [], 'bob').reactions[0]?.mine).toBe(false);
  });

  it('lists refused changes instead of applying them', () => {
    const refused = pending({ kind: 'edit', messageId: 'm1', text: 'nope', state: 'failed' });
    const view = viewOf(message(1), [refused], ada.id);
    expect(view.text).toBe('message 1');
    expect(view.saving).toBeNull();
    expect(view.failed).toEqual([refused]);
  });

  it('shows a deleted message as a tombstone without reactions', () => {
    const deleted = message(1, { text: '', deletedAt: '2026-01-01T11:00:00.000Z' });
    expect(viewOf(deleted, [], ada.id)).toMatchObject({ deleted: true, reactions: [] });
  });
});

describe('timelineItems', () => {
  it('shows a message once when it is both stored and still in the outbox', () => {
    const sent = pending({ kind: 'message', text: 'hi', clientId: 'sent' });
    const waiting = pending({ kind: 'message', text: 'later' });
    const items = timelineItems(
      [message(1, { clientId: 'sent', author: ada })],
      [sent, waiting, pending({ kind: 'edit', messageId: 'm1', text: 'x' })],
      ada,
    );
    expect(items.map((item) => [item.kind, item.key])).toEqual([
      ['message', 'sent'],
      ['pending', waiting.clientId],
    ]);
  });
});

describe('changesByMessage', () => {
  it('groups changes by the message they change, in outbox order, without new messages', () => {
    const first = pending({ kind: 'react', messageId: 'm1', emoji: '👍' });
    const second = pending({ kind: 'delete', messageId: 'm2' });
    const third = pending({ kind: 'unreact', messageId: 'm1', emoji: '👍' });
    const grouped = changesByMessage([first, pending({ kind: 'message' }), second, third]);
    expect([...grouped]).toEqual([
      ['m1', [first, third]],
      ['m2', [second]],
    ]);
  });
});

describe('replies and receipts', () => {
  it('quotes a loaded parent for a reply still in the outbox, or says it was deleted', () => {
    const parent = message(3, { text: 'x'.repeat(200) });
    const reply = pending({ kind: 'message', replyTo: 'm3' });
    expect(replyQuoteOf(reply, [parent])?.excerpt).toHaveLength(120);
    const deleted = { ...parent, text: '', deletedAt: '2026-01-01T11:00:00.000Z' };
    expect(replyQuoteOf(reply, [deleted])).toMatchObject({ excerpt: '', deleted: true });
    expect(replyQuoteOf(reply, [])).toBeNull();
  });

  it('finds the newest message of this person that still stands', () => {
    const messages = [
      message(1, { author: ada }),
      message(2, { author: ada, text: '', deletedAt: '2026-01-01T11:00:00.000Z' }),
      message(3),
    ];
    expect(lastOwnMessage(messages, ada.id)?.id).toBe('m1');
    expect(lastOwnMessage(messages, 'nobody')).toBeUndefined();
  });

  it('writes names as a short sentence', () => {
    expect(listNames([])).toBe('');
    expect(listNames(['Ann'])).toBe('Ann');
    expect(listNames(['Ann', 'Bo', 'Cy'])).toBe('Ann, Bo and Cy');
    expect(listNames(['Ann', 'Bo', 'Cy', 'Di', 'Ed'])).toBe('Ann, Bo and 3 others');
  });
});
