import type { Message, MessageChange } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { ChatterError } from './errors.js';
import { Outbox, type OutboxResult } from './outbox.js';
import { createMemoryOutbox, type StoredOutboxEntry } from './outbox-storage.js';

const stored = (message: Partial<Message> & { seq: number }): Message => ({
  id: `id-${message.seq}`,
  room: 'general',
  text: 'text',
  author: { id: 'ada', name: 'Ada' },
  createdAt: new Date(0).toISOString(),
  ...message,
});

/** An outbox over a memory storage, connected, whose server answers with `answer`. */
const setup = (answer: (entry: StoredOutboxEntry) => OutboxResult | ChatterError) => {
  const storage = createMemoryOutbox();
  const sent: StoredOutboxEntry[] = [];
  const delivered: OutboxResult[] = [];
  const outbox = new Outbox({
    storage,
    send: async (entry) => {
      sent.push(entry);
      const result = answer(entry);
      if (result instanceof ChatterError) throw result;
      return result;
    },
    isConnected: () => true,
    refreshToken: () => false,
    delivered: (result) => delivered.push(result),
    changed: () => {},
    reportError: () => {},
  });
  return { outbox, storage, sent, delivered };
};

const base = { userId: 'ada', room: 'general', createdAt: new Date(0).toISOString() };

describe('Outbox', () => {
  it('sends messages and changes one at a time, in the order they were queued', async () => {
    const edited = stored({ seq: 1, text: 'edited' });
    const change: MessageChange = {
      room: 'general',
      seq: 2,
      type: 'edited',
      message: edited,
      by: 'ada',
      at: new Date(0).toISOString(),
    };
    const { outbox, sent, delivered } = setup((entry) =>
      entry.kind === 'edit' ? { message: edited, change } : { message: stored({ seq: 1 }) },
    );
    const results = await Promise.all([
      outbox.enqueue({ ...base, clientId: 'a', kind: 'message', text: 'hi' }),
      outbox.enqueue({ ...base, clientId: 'b', kind: 'edit', messageId: 'id-1', text: 'edited' }),
      outbox.enqueue({
        ...base,
        clientId: 'c',
        kind: 'react',
        messageId: 'id-1',
        text: '',
        emoji: '👍',
      }),
    ]);
    expect(sent.map((entry) => entry.kind)).toEqual(['message', 'edit', 'react']);
    expect(results[1]).toBe(edited);
    expect(delivered[1]).toEqual({ message: edited, change });
  });

  it('restores an entry kept by an earlier version (no kind) as a message', async () => {
    const { outbox, storage, sent } = setup(() => ({ message: stored({ seq: 1 }) }));
    storage.put({ ...base, clientId: 'old', text: 'from before' });
    await outbox.restore('ada');
    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toMatchObject({ clientId: 'old', kind: 'message', text: 'from before' });
  });

  it('lists pending entries with their kind and target, in the same array until one changes', async () => {
    const { outbox } = setup(() => new ChatterError('NOT_FOUND', 'gone'));
    const failed = outbox.enqueue({
      ...base,
      clientId: 'r',
      kind: 'unreact',
      messageId: 'id-7',
      text: '',
      emoji: '🎉',
    });
    await expect(failed).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const pending = outbox.pending('general');
    expect(pending).toEqual([
      expect.objectContaining({ kind: 'unreact', messageId: 'id-7', emoji: '🎉', state: 'failed' }),
    ]);
    expect(outbox.pending('general')).toBe(pending);
    expect(outbox.pending()).toBe(outbox.pending());
    expect(await outbox.discard('r')).toBe(true);
    expect(outbox.pending('general')).toEqual([]);
  });
});
