import type { Message } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import type { ChangeResult } from '../../src/store/chat-store.js';
import { ADA, BOB, type ContractContext, range } from './contract-context.js';
import { changed, entrySeqs, logActions, walkLog } from './contract-log-helpers.js';

/** Pages of a log that mixes messages and changes. */
export const describeLogPages = (ctx: ContractContext): void => {
  const { edit, remove, react, unreact } = logActions(() => ctx.store);

  /**
   * seq:  1 m1 | 2 m2 | 3 👍 m1 | 4 edit m1 | 5 🎉 m2 | 6 m3 | 7 delete m2 | 8 -👍 m1 | 9 m4 |
   *      10 edit m4 | 11 edit m4. Runs of changes: 3–5, 7–8, 10–11.
   */
  const buildLog = async () => {
    const m1 = (await ctx.append('log', 'one')).message;
    const m2 = (await ctx.append('log', 'two', { author: BOB })).message;
    changed(await react(m1, '👍', BOB));
    changed(await edit(m1, 'one, edited'));
    changed(await react(m2, '🎉'));
    const m3 = (await ctx.append('log', 'three')).message;
    changed(await remove(m2, BOB));
    changed(await unreact(m1, '👍', BOB));
    const m4 = (await ctx.append('log', 'four', { author: BOB })).message;
    changed(await edit(m4, 'four, edited', { actor: BOB }));
    changed(await edit(m4, 'four, edited twice', { actor: BOB }));
    const latest = await Promise.all(
      [m1, m2, m3, m4].map(async (m) => (await ctx.store.getMessage(m.id)) as Message),
    );
    return { m1, m2, m3, m4, latest };
  };

  const page = (after: number, limit: number, before?: number) =>
    ctx.store.listMessages({ room: 'log', limit, after, before });

  describe('forward pages of the log', () => {
    it('hold every entry in order, messages and changes, with gap-free seqs at any page size', async () => {
      const { latest } = await buildLog();
      expect((await ctx.store.getRoom('log'))?.head).toBe(11);
      for (const limit of range(1, 12)) {
        const { messages, changes } = await walkLog(ctx.store, 'log', limit);
        expect(messages.map((m) => m.seq)).toEqual([1, 2, 6, 9]);
        expect(changes.map((c) => [c.seq, c.type])).toEqual([
          [3, 'reaction_added'],
          [4, 'edited'],
          [5, 'reaction_added'],
          [7, 'deleted'],
          [8, 'reaction_removed'],
          [10, 'edited'],
          [11, 'edited'],
        ]);
        // Every entry shows its message as it is now, not as it was at the entry.
        expect(messages).toStrictEqual(latest);
        const byId = new Map(latest.map((m) => [m.id, m]));
        for (const change of changes)
          expect(change.message).toStrictEqual(byId.get(change.message.id));
      }
    });

    it('end inside a run of changes and say exactly whether more follow', async () => {
      const { m1, m2, latest } = await buildLog();
      const [l1, l2, l3] = latest as [Message, Message, Message, Message];
      const inRun = await page(2, 3);
      expect(inRun.messages).toEqual([]);
      expect(inRun.changes.map((c) => c.seq)).toEqual([3, 4, 5]);
      expect(inRun.hasMore).toBe(true);
      // Changes to messages before the page carry those messages whole.
      expect(inRun.changes.map((c) => c.message)).toStrictEqual([l1, l1, l2]);
      const across = await page(5, 2);
      expect(across.messages).toStrictEqual([l3]);
      expect(across.changes).toMatchObject([{ seq: 7, type: 'deleted', message: { id: m2.id } }]);
      expect(across.hasMore).toBe(true);
      const onlyChanges = await page(6, 2);
      expect(entrySeqs(onlyChanges)).toEqual([7, 8]);
      expect(onlyChanges.changes[1]).toMatchObject({
        emoji: '👍',
        by: BOB.id,
        message: { id: m1.id },
      });
      expect(onlyChanges.hasMore).toBe(true);
      const tail = await page(9, 5);
      expect(entrySeqs(tail)).toEqual([10, 11]);
      expect(tail.hasMore).toBe(false);
      const exact = await page(8, 3);
      expect(entrySeqs(exact)).toEqual([9, 10, 11]);
      expect(exact.hasMore).toBe(false);
      expect(await page(11, 5)).toEqual({ messages: [], changes: [], hasMore: false });
      expect(await page(20, 5)).toEqual({ messages: [], changes: [], hasMore: false });
    });

    it('with before, cover (after, before) and no further', async () => {
      await buildLog();
      const whole = await page(2, 10, 8);
      expect(entrySeqs(whole)).toEqual([3, 4, 5, 6, 7]);
      expect(whole.messages.map((m) => m.seq)).toEqual([6]);
      expect(whole.hasMore).toBe(false);
      const part = await page(2, 3, 8);
      expect(entrySeqs(part)).toEqual([3, 4, 5]);
      expect(part.hasMore).toBe(true);
      const upTo = await page(2, 3, 6);
      expect(entrySeqs(upTo)).toEqual([3, 4, 5]);
      expect(upTo.hasMore).toBe(false);
      expect(await page(5, 3, 6)).toEqual({ messages: [], changes: [], hasMore: false });
      const pastHead = await page(9, 10, 100);
      expect(entrySeqs(pastHead)).toEqual([10, 11]);
      expect(pastHead.hasMore).toBe(false);
    });
  });

  describe('backward pages', () => {
    it('count messages only and show each in its latest state', async () => {
      const { latest } = await buildLog();
      const [l1, l2, l3, l4] = latest as [Message, Message, Message, Message];
      expect(l1).toMatchObject({ text: 'one, edited', editedAt: expect.any(String) });
      expect(l1.reactions).toBeUndefined();
      expect(l2).toMatchObject({ text: '', deletedAt: expect.any(String) });
      expect(l2.reactions).toBeUndefined();
      expect(l4.text).toBe('four, edited twice');
      expect(await ctx.store.listMessages({ room: 'log', limit: 2 })).toStrictEqual({
        messages: [l3, l4],
        changes: [],
        hasMore: true,
      });
      expect(await ctx.store.listMessages({ room: 'log', limit: 2, before: 6 })).toStrictEqual({
        messages: [l1, l2],
        changes: [],
        hasMore: false,
      });
      expect(await ctx.walkBackwards('log', 3)).toStrictEqual(latest);
    });
  });

  describe('concurrent changes', () => {
    it('messages and changes written at once take gap-free seqs, one per change made', async () => {
      const messages: Message[] = [];
      for (const n of range(1, 10)) {
        messages.push((await ctx.append('busy', `m${n}`, { author: n % 2 ? ADA : BOB })).message);
      }
      const at = (index: number) => messages[index % messages.length] as Message;
      const writes: Array<Promise<ChangeResult | { created: boolean; message: Message }>> = [];
      for (const n of range(0, 59)) {
        const target = at(n);
        const author = target.author.id === ADA.id ? ADA : BOB;
        switch (n % 6) {
          case 0:
            writes.push(ctx.append('busy', `new ${n}`, { author: BOB }));
            break;
          case 1:
          case 2:
            // Two reactors and repeats: some of these change nothing.
            writes.push(react(target, n % 4 ? '👍' : '🎉', n % 3 ? ADA : BOB));
            break;
          case 3:
            writes.push(edit(target, `edit ${n}`, { actor: author, clientId: `e-${n % 20}` }));
            break;
          case 4:
            writes.push(unreact(target, '👍', ADA));
            break;
          default:
            // Deleting may race the reactions and edits above: those then fail, alone.
            if (n % 12 === 5) writes.push(remove(target, author));
        }
      }
      const settled = await Promise.allSettled(writes);
      const seqs: number[] = [];
      for (const outcome of settled) {
        if (outcome.status === 'rejected') {
          expect(outcome.reason).toMatchObject({ name: 'MessageNotFoundError', reason: 'deleted' });
          continue;
        }
        const value = outcome.value;
        if ('created' in value) seqs.push(value.message.seq);
        else if (value.change) seqs.push(value.change.seq);
      }
      const head = (await ctx.store.getRoom('busy'))?.head ?? 0;
      // A retried edit answers its original entry: count each entry once.
      const made = [...new Set(seqs)].sort((a, b) => a - b);
      expect(made).toEqual(range(11, head));
      const log = await walkLog(ctx.store, 'busy', 7);
      expect(log.messages.length + log.changes.length).toBe(head);
    });
  });
};
