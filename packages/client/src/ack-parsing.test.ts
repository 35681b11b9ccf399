import type { Message } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { parseAck } from './ack-parsing.js';

const message = (seq: number): Message => ({
  id: `m${seq}`,
  room: 'general',
  seq,
  text: `message ${seq}`,
  author: { id: 'u1', name: 'Ada' },
  createdAt: '2026-11-24T10:00:00.000Z',
});

const page = (messages: unknown[], changes: unknown[] = []) => ({
  ok: true,
  messages,
  changes,
  hasMore: false,
});

const edit = (seq: number, target: Message) => ({
  room: 'general',
  seq,
  type: 'edited',
  message: { ...target, text: 'edited', editedAt: '2026-11-24T10:01:00.000Z' },
  by: 'u1',
  at: '2026-11-24T10:01:00.000Z',
});

describe('parseAck', () => {
  it('accepts a page of well-formed messages as they came', () => {
    const messages = [message(1), message(2)];
    const parsed = parseAck('history', page(messages));
    expect(parsed).toEqual({ success: true, data: page(messages) });
    if (parsed.success) expect((parsed.data as { messages: unknown }).messages).toBe(messages);
  });

  it('refuses a page with one malformed message, with the schema’s issues', () => {
    const { author: _, ...withoutAuthor } = message(2);
    const parsed = parseAck('history', page([message(1), withoutAuthor]));
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(parsed.error.issues.map((issue) => issue.path)).toEqual([['messages', 1, 'author']]);
    }
  });

  it('accepts the changes of a page with the messages they carry as they came', () => {
    const changes = [edit(3, message(1)), { ...edit(4, message(2)), extra: 'dropped' }];
    const parsed = parseAck('history', page([message(1)], changes));
    expect(parsed).toEqual({
      success: true,
      data: page([message(1)], [edit(3, message(1)), edit(4, message(2))]),
    });
    if (parsed.success) {
      const [first] = (parsed.data as { changes: Array<{ message: unknown }> }).changes;
      expect(first?.message).toBe(changes[0]?.message);
    }
  });

  it('refuses a page with a malformed change, with the schema’s issues', () => {
    const { author: _, ...withoutAuthor } = message(2);
    const parsed = parseAck('history', page([], [{ ...edit(3, message(1)), type: 'renamed' }]));
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(parsed.error.issues.map((issue) => issue.path)).toEqual([['changes', 0, 'type']]);
    }
    const broken = parseAck(
      'history',
      page([], [{ ...edit(3, message(1)), message: withoutAuthor }]),
    );
    expect(broken.success).toBe(false);
    if (!broken.success) {
      expect(broken.error.issues.map((issue) => issue.path)).toEqual([
        ['changes', 0, 'message', 'author'],
      ]);
    }
  });

  it('refuses well-formed messages in a malformed acknowledgement', () => {
    const parsed = parseAck('join', page([message(1)]));
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(parsed.error.issues.map((issue) => issue.path)).toEqual(
        expect.arrayContaining([['room'], ['epoch'], ['head']]),
      );
    }
  });

  it('leaves what the schema would change to the schema: unknown keys are dropped', () => {
    const parsed = parseAck('history', page([{ ...message(1), extra: true }]));
    expect(parsed).toEqual({ success: true, data: page([message(1)]) });
  });

  it('parses acknowledgements without messages with their schema', () => {
    const error = { ok: false, error: { code: 'FORBIDDEN', message: 'no' } };
    expect(parseAck('history', error)).toEqual({ success: true, data: error });
    expect(parseAck('leave', { ok: true, room: 'general' })).toEqual({
      success: true,
      data: { ok: true, room: 'general' },
    });
    expect(parseAck('history', 'nonsense').success).toBe(false);
  });
});
