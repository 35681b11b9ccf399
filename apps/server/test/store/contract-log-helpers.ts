import {
  type Message,
  type MessageChange,
  MessageChangeSchema,
  MessageSchema,
  type User,
} from '@chatter/protocol';
import { expect } from 'vitest';
import * as z from 'zod';
import type { ChangeResult, ChatStore, HistoryPage } from '../../src/store/chat-store.js';
import { ADA } from './contract-context.js';

/** Edits, deletions and reactions with short calls; the actor is the author unless named. */
export const logActions = (store: () => ChatStore) => ({
  edit: (
    message: Message,
    text: string,
    { actor = ADA, clientId = undefined as string | undefined } = {},
  ) =>
    store().editMessage({
      room: message.room,
      messageId: message.id,
      actor,
      text,
      ...(clientId === undefined ? {} : { clientId }),
    }),
  remove: (message: Message, actor: User = ADA) =>
    store().deleteMessage({ room: message.room, messageId: message.id, actor }),
  react: (message: Message, emoji: string, actor: User = ADA) =>
    store().setReaction({ room: message.room, messageId: message.id, actor, emoji, on: true }),
  unreact: (message: Message, emoji: string, actor: User = ADA) =>
    store().setReaction({ room: message.room, messageId: message.id, actor, emoji, on: false }),
});

/** The seqs a page holds, messages and changes together, in order. */
export const entrySeqs = (page: HistoryPage): number[] =>
  [...page.messages.map((m) => m.seq), ...page.changes.map((c) => c.seq)].sort((a, b) => a - b);

/** Checks a change result against the wire schemas and returns its entry, which must exist. */
export const changed = (result: ChangeResult): MessageChange => {
  expect(z.strictObject(MessageSchema.shape).parse(result.message)).toEqual(result.message);
  expect(result.change).not.toBeNull();
  const change = result.change as MessageChange;
  expect(z.strictObject(MessageChangeSchema.shape).parse(change)).toEqual(change);
  expect(change.message).toStrictEqual(result.message);
  return change;
};

/**
 * Reads the whole log forwards in pages of `limit` and checks each page: it covers exactly
 * `(after, min(after + limit, head)]` without a gap, `hasMore` says whether entries remain, and
 * the messages and changes are each in seq order. Returns every entry read.
 */
export const walkLog = async (
  store: ChatStore,
  room: string,
  limit: number,
): Promise<{ messages: Message[]; changes: MessageChange[] }> => {
  const head = (await store.viewRoom(room)).head;
  const messages: Message[] = [];
  const changes: MessageChange[] = [];
  let after = 0;
  for (let pages = 0; pages < 10_000; pages += 1) {
    const page = await store.listMessages({ room, limit, after });
    const end = Math.min(after + limit, head);
    const seqs = entrySeqs(page);
    expect(seqs).toEqual(Array.from({ length: end - after }, (_, i) => after + 1 + i));
    for (const list of [page.messages, page.changes]) {
      const own = list.map((entry) => entry.seq);
      expect(own).toEqual([...own].sort((a, b) => a - b));
    }
    expect(page.hasMore).toBe(end < head);
    messages.push(...page.messages);
    changes.push(...page.changes);
    if (!page.hasMore) return { messages, changes };
    after = end;
  }
  throw new Error('walking the log did not reach its head');
};
