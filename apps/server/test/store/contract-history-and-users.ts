import { describe, expect, it } from 'vitest';
import { ADA, BOB, type ContractContext, range, seqsOf } from './contract-context.js';

/** History paging, durability across a reopen, users and the store's lifecycle. */
export const describeHistoryAndUsers = (ctx: ContractContext): void => {
  describe('listMessages', () => {
    it('returns an empty page for an empty or unknown room', async () => {
      await ctx.store.viewRoom('empty');
      const empty = { messages: [], changes: [], hasMore: false };
      for (const room of ['empty', 'unknown']) {
        expect(await ctx.store.listMessages({ room, limit: 10 })).toEqual(empty);
        expect(await ctx.store.listMessages({ room, limit: 10, before: 5 })).toEqual(empty);
        expect(await ctx.store.listMessages({ room, limit: 10, after: 0 })).toEqual(empty);
      }
    });

    it('without a cursor returns the latest page, oldest first', async () => {
      const messages = await ctx.fill('general', 10);
      const latest = await ctx.store.listMessages({ room: 'general', limit: 3 });
      expect(latest).toStrictEqual({ messages: messages.slice(7), changes: [], hasMore: true });
      expect(await ctx.store.listMessages({ room: 'general', limit: 10 })).toStrictEqual({
        messages,
        changes: [],
        hasMore: false,
      });
      expect(await ctx.store.listMessages({ room: 'general', limit: 50 })).toStrictEqual({
        messages,
        changes: [],
        hasMore: false,
      });
    });

    it('before pages backwards from a seq, excluding it', async () => {
      await ctx.fill('general', 10);
      const page = (before: number, limit: number) =>
        ctx.store.listMessages({ room: 'general', limit, before });
      expect(await page(8, 3)).toMatchObject({ hasMore: true });
      expect(seqsOf(await page(8, 3))).toEqual([5, 6, 7]);
      expect(seqsOf(await page(4, 3))).toEqual([1, 2, 3]);
      expect((await page(4, 3)).hasMore).toBe(false);
      expect(seqsOf(await page(3, 5))).toEqual([1, 2]);
      expect(await page(1, 5)).toEqual({ messages: [], changes: [], hasMore: false });
      expect(seqsOf(await page(11, 2))).toEqual([9, 10]);
    });

    it('after pages forwards from a seq, excluding it, and says when more follow', async () => {
      await ctx.fill('general', 10);
      const page = (after: number, limit: number) =>
        ctx.store.listMessages({ room: 'general', limit, after });
      expect(seqsOf(await page(0, 3))).toEqual([1, 2, 3]);
      expect((await page(0, 3)).hasMore).toBe(true);
      expect(seqsOf(await page(4, 3))).toEqual([5, 6, 7]);
      expect((await page(4, 3)).hasMore).toBe(true);
      expect(seqsOf(await page(6, 4))).toEqual([7, 8, 9, 10]);
      expect((await page(6, 4)).hasMore).toBe(false);
      expect(seqsOf(await page(7, 5))).toEqual([8, 9, 10]);
      expect((await page(7, 5)).hasMore).toBe(false);
      expect(await page(10, 5)).toEqual({ messages: [], changes: [], hasMore: false });
    });

    it('after and before together return the messages strictly between them', async () => {
      await ctx.fill('general', 10);
      const page = (after: number, before: number, limit: number) =>
        ctx.store.listMessages({ room: 'general', limit, after, before });
      expect(await page(3, 8, 10)).toMatchObject({ hasMore: false });
      expect(seqsOf(await page(3, 8, 10))).toEqual([4, 5, 6, 7]);
      expect(seqsOf(await page(3, 8, 2))).toEqual([4, 5]);
      expect((await page(3, 8, 2)).hasMore).toBe(true);
      expect(seqsOf(await page(3, 8, 4))).toEqual([4, 5, 6, 7]);
      expect((await page(3, 8, 4)).hasMore).toBe(false);
      expect(await page(3, 4, 10)).toEqual({ messages: [], changes: [], hasMore: false });
      expect(seqsOf(await page(0, 100, 20))).toEqual(range(1, 10));
    });

    it('never returns messages from another room', async () => {
      for (const index of range(1, 6)) await ctx.append(index % 2 === 0 ? 'a' : 'b', `m${index}`);
      const page = await ctx.store.listMessages({ room: 'a', limit: 10 });
      expect(page.messages.map((message) => [message.room, message.text])).toEqual([
        ['a', 'm2'],
        ['a', 'm4'],
        ['a', 'm6'],
      ]);
    });

    it('walking the whole history backwards or forwards visits every message exactly once', async () => {
      const messages = await ctx.fill('general', 21);
      for (const limit of [1, 4, 7, 20, 21, 100]) {
        expect(await ctx.walkBackwards('general', limit)).toStrictEqual(messages);
        expect(await ctx.walkForwards('general', limit)).toStrictEqual(messages);
      }
    });
  });

  describe('durability', () => {
    it('messages, head and epoch survive a reopen, and seq continues after it', async ({
      skip,
    }) => {
      if (!ctx.canReopen) skip(`${ctx.backendName} cannot reopen its data`);
      const keyed = await ctx.append('general', 'kept', { clientId: 'durable' });
      const room = await ctx.store.getRoom('general');
      await ctx.fill('general', 2);
      const before = await ctx.store.listMessages({ room: 'general', limit: 100 });
      await ctx.reopen();
      expect(await ctx.store.getRoom('general')).toEqual({ ...room, head: 3 });
      expect(await ctx.store.listMessages({ room: 'general', limit: 100 })).toStrictEqual(before);
      expect((await ctx.append('general', 'after reopen')).message.seq).toBe(4);
      const retry = await ctx.append('general', 'kept', { clientId: 'durable' });
      expect(retry).toStrictEqual({ created: false, message: keyed.message });
      expect((await ctx.store.viewRoom('general')).epoch).toBe(room?.epoch);
    });
  });

  describe('users', () => {
    it('saveUser then getUsers returns the id, name and lastSeen as an ISO time', async () => {
      await ctx.store.saveUser(ADA, new Date('2026-01-02T03:04:05.678Z'));
      expect(await ctx.store.getUsers([ADA.id])).toStrictEqual([
        { id: ADA.id, name: 'Ada', lastSeen: '2026-01-02T03:04:05.678Z' },
      ]);
    });

    it('saving a user again updates the name and lastSeen', async () => {
      await ctx.store.saveUser(ADA, new Date('2026-01-02T03:04:05.678Z'));
      await ctx.store.saveUser(
        { id: ADA.id, name: 'Ada L.' },
        new Date('2026-02-03T04:05:06.789Z'),
      );
      expect(await ctx.store.getUsers([ADA.id])).toStrictEqual([
        { id: ADA.id, name: 'Ada L.', lastSeen: '2026-02-03T04:05:06.789Z' },
      ]);
    });

    it('getUsers leaves out unknown ids and returns each user once', async () => {
      await ctx.store.saveUser(ADA, new Date('2026-01-02T03:04:05.678Z'));
      await ctx.store.saveUser(BOB, new Date('2026-01-03T03:04:05.678Z'));
      await ctx.store.saveUser({ id: 'user-eve', name: 'Eve' }, new Date());
      const users = await ctx.store.getUsers([BOB.id, 'user-nobody', ADA.id, BOB.id]);
      expect(users.sort((x, y) => x.id.localeCompare(y.id))).toStrictEqual([
        { id: ADA.id, name: 'Ada', lastSeen: '2026-01-02T03:04:05.678Z' },
        { id: BOB.id, name: 'Bob', lastSeen: '2026-01-03T03:04:05.678Z' },
      ]);
      expect(await ctx.store.getUsers(['user-nobody'])).toEqual([]);
    });

    it('getUsers with no ids returns an empty list', async () => {
      await ctx.store.saveUser(ADA, new Date());
      expect(await ctx.store.getUsers([])).toEqual([]);
    });
  });

  describe('lifecycle', () => {
    it('ping resolves on an open store', async () => {
      await expect(ctx.store.ping()).resolves.toBeUndefined();
    });

    it('after close, ping and every read and write reject', async () => {
      await ctx.append('general', 'before close');
      await ctx.store.close();
      await expect(ctx.store.ping()).rejects.toThrow();
      await expect(ctx.append('general', 'too late')).rejects.toThrow();
      await expect(ctx.store.listMessages({ room: 'general', limit: 10 })).rejects.toThrow();
      await expect(ctx.store.getRoom('general')).rejects.toThrow();
      await expect(ctx.store.saveUser(ADA, new Date())).rejects.toThrow();
    });

    it('closing twice does not throw', async () => {
      await ctx.store.close();
      await expect(ctx.store.close()).resolves.toBeUndefined();
    });
  });
};
