import { type Message, MessageSchema, type User } from '@chatter/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppendMessageInput, ChatStore, HistoryPage } from '../../src/store/chat-store.js';

/** One fresh, empty store per test, as a backend's test file provides it. */
export interface ChatStoreFixture {
  store: ChatStore;
  /** Opens the same data again. The contract closes every store it holds before calling it. */
  reopen?: () => Promise<ChatStore>;
  /** Frees what the backend allocated (files, databases); runs after the stores are closed. */
  cleanup: () => Promise<void>;
}

const ADA: User = { id: 'user-ada', name: 'Ada' };
const BOB: User = { id: 'user-bob', name: 'Bob' };

const seqsOf = (page: HistoryPage): number[] => page.messages.map((message) => message.seq);

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The guarantees every `ChatStore` backend keeps (see `src/store/chat-store.ts`). A backend's
 * test file calls this with a factory that opens an empty store for each test.
 */
export const describeChatStoreContract = (
  backendName: string,
  openStore: () => Promise<ChatStoreFixture>,
): void => {
  describe(`ChatStore contract: ${backendName}`, () => {
    let fixture: ChatStoreFixture;
    let store: ChatStore;
    let opened: ChatStore[] = [];

    beforeEach(async () => {
      fixture = await openStore();
      store = fixture.store;
      opened = [store];
    });

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
      await fixture.cleanup();
    });

    const append = (
      room: string,
      text: string,
      { author = ADA, clientId }: { author?: User; clientId?: string } = {},
    ) =>
      store.appendMessage({ room, text, author, ...(clientId === undefined ? {} : { clientId }) });

    /** Appends `count` messages one after another and returns them in order. */
    const fill = async (room: string, count: number): Promise<Message[]> => {
      const messages: Message[] = [];
      for (let index = 1; index <= count; index += 1) {
        messages.push((await append(room, `${room} message ${index}`)).message);
      }
      return messages;
    };

    /** Reads a room newest to oldest with `before`, checking every page on the way. */
    const walkBackwards = async (room: string, limit: number): Promise<Message[]> => {
      const seen: Message[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 1000; pages += 1) {
        const page = await store.listMessages({ room, limit, before });
        expect(page.messages.length).toBeLessThanOrEqual(limit);
        seen.unshift(...page.messages);
        if (!page.hasMore) return seen;
        expect(page.messages).toHaveLength(limit);
        before = page.messages[0]?.seq;
      }
      throw new Error('walking backwards did not reach the first message');
    };

    /** Reads a room oldest to newest with `after`, checking every page on the way. */
    const walkForwards = async (room: string, limit: number): Promise<Message[]> => {
      const seen: Message[] = [];
      let after = 0;
      for (let pages = 0; pages < 1000; pages += 1) {
        const page = await store.listMessages({ room, limit, after });
        expect(page.messages.length).toBeLessThanOrEqual(limit);
        seen.push(...page.messages);
        if (!page.hasMore) return seen;
        expect(page.messages).toHaveLength(limit);
        after = page.messages.at(-1)?.seq ?? after;
      }
      throw new Error('walking forwards did not reach the newest message');
    };

    describe('rooms', () => {
      it('ensureRoom creates a room with a non-empty epoch and head 0', async () => {
        const room = await store.ensureRoom('general');
        expect(room).toEqual({ room: 'general', epoch: expect.any(String), head: 0 });
        expect(room.epoch.length).toBeGreaterThan(0);
        expect(await store.getRoom('general')).toEqual(room);
      });

      it('ensureRoom on an existing room keeps its epoch and reports its head', async () => {
        const created = await store.ensureRoom('general');
        await fill('general', 2);
        expect(await store.ensureRoom('general')).toEqual({ ...created, head: 2 });
      });

      it('gives each room its own epoch', async () => {
        const a = await store.ensureRoom('a');
        const b = await store.ensureRoom('b');
        expect(a.epoch).not.toBe(b.epoch);
      });

      it('getRoom returns null for a room that was never created', async () => {
        expect(await store.getRoom('nowhere')).toBeNull();
      });

      it('concurrent ensureRoom calls for a new room agree on one epoch', async () => {
        const states = await Promise.all(range(1, 20).map(() => store.ensureRoom('fresh')));
        const epochs = new Set(states.map((state) => state.epoch));
        expect(epochs.size).toBe(1);
        expect((await store.getRoom('fresh'))?.epoch).toBe(states[0]?.epoch);
      });
    });

    describe('appendMessage', () => {
      it('assigns seq 1, 2, 3 in order and moves the head along', async () => {
        await store.ensureRoom('general');
        for (const seq of [1, 2, 3]) {
          const { message, created } = await append('general', `number ${seq}`);
          expect(created).toBe(true);
          expect(message.seq).toBe(seq);
          expect((await store.getRoom('general'))?.head).toBe(seq);
        }
        expect((await store.ensureRoom('general')).head).toBe(3);
      });

      it('numbers each room independently', async () => {
        const order = ['a', 'b', 'a', 'a', 'c', 'b', 'a'];
        const seqs: Record<string, number[]> = {};
        for (const room of order) {
          const { message } = await append(room, `to ${room}`);
          expect(message.room).toBe(room);
          seqs[room] = [...(seqs[room] ?? []), message.seq];
        }
        expect(seqs).toEqual({ a: [1, 2, 3, 4], b: [1, 2], c: [1] });
        expect((await store.getRoom('a'))?.head).toBe(4);
        expect((await store.getRoom('b'))?.head).toBe(2);
        expect(seqsOf(await store.listMessages({ room: 'b', limit: 100 }))).toEqual([1, 2]);
      });

      it('creates the room on the first append when ensureRoom was never called', async () => {
        await append('unopened', 'first');
        const room = await store.getRoom('unopened');
        expect(room).toEqual({ room: 'unopened', epoch: expect.any(String), head: 1 });
        expect(room?.epoch.length).toBeGreaterThan(0);
      });

      it('returns the full stored message, with clientId only when one was given', async () => {
        const start = Date.now();
        const keyed = await append('general', 'hello', { clientId: 'client-1' });
        const plain = await append('general', 'again', { author: BOB });
        const end = Date.now();

        expect(keyed).toEqual({
          created: true,
          message: {
            id: expect.any(String),
            room: 'general',
            seq: 1,
            text: 'hello',
            author: { id: ADA.id, name: ADA.name },
            createdAt: expect.any(String),
            clientId: 'client-1',
          },
        });
        expect(plain.message).toEqual({
          id: expect.any(String),
          room: 'general',
          seq: 2,
          text: 'again',
          author: { id: BOB.id, name: BOB.name },
          createdAt: expect.any(String),
        });
        expect(Object.keys(plain.message)).not.toContain('clientId');
        expect(plain.message.id).not.toBe(keyed.message.id);
        for (const { message } of [keyed, plain]) {
          expect(MessageSchema.strict().parse(message)).toEqual(message);
          expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
          const at = Date.parse(message.createdAt);
          expect(at).toBeGreaterThanOrEqual(start);
          expect(at).toBeLessThanOrEqual(end);
        }

        // History returns exactly what the append returned, down to a missing clientId key.
        const page = await store.listMessages({ room: 'general', limit: 10 });
        expect(page.messages).toStrictEqual([keyed.message, plain.message]);
      });

      it('stores text exactly as given', async () => {
        const texts = [
          '  leading and trailing spaces  ',
          'line one\nline two\r\n\ttabbed',
          'quotes \' " ` and \\ backslash; DROP TABLE messages; --',
          'emoji 👩‍💻🎉 and accents é ü ñ 中文',
          'x'.repeat(4000),
        ];
        for (const text of texts) await append('general', text);
        const page = await store.listMessages({ room: 'general', limit: 10 });
        expect(page.messages.map((message) => message.text)).toEqual(texts);
      });

      it('keeps the author name a message was sent with', async () => {
        await append('general', 'before', { author: ADA });
        await append('general', 'after', { author: { id: ADA.id, name: 'Ada Lovelace' } });
        const page = await store.listMessages({ room: 'general', limit: 10 });
        expect(page.messages.map((message) => message.author)).toEqual([
          { id: ADA.id, name: 'Ada' },
          { id: ADA.id, name: 'Ada Lovelace' },
        ]);
      });
    });

    describe('idempotent sends', () => {
      it('a retry with the same clientId returns the original message and created: false', async () => {
        const original = await append('general', 'hello', { clientId: 'retry-me' });
        await append('general', 'someone else talks', { author: BOB });
        await sleep(5); // a recomputed createdAt would differ from the original's

        const retry = await append('general', 'hello (edited before retry)', {
          author: { id: ADA.id, name: 'Ada renamed' },
          clientId: 'retry-me',
        });

        expect(original.created).toBe(true);
        expect(retry.created).toBe(false);
        expect(retry.message).toStrictEqual(original.message);
        expect((await store.getRoom('general'))?.head).toBe(2);
        const page = await store.listMessages({ room: 'general', limit: 10 });
        expect(page.messages.map((message) => message.text)).toEqual([
          'hello',
          'someone else talks',
        ]);
      });

      it('the same clientId from another author is a different message', async () => {
        const fromAda = await append('general', 'hi', { clientId: 'shared-id' });
        const fromBob = await append('general', 'hi', { author: BOB, clientId: 'shared-id' });
        expect(fromBob.created).toBe(true);
        expect(fromBob.message.id).not.toBe(fromAda.message.id);
        expect(fromBob.message).toMatchObject({ seq: 2, author: BOB, clientId: 'shared-id' });
      });

      it('the same clientId in another room is a different message', async () => {
        const inA = await append('a', 'hi', { clientId: 'shared-id' });
        const inB = await append('b', 'hi', { clientId: 'shared-id' });
        expect(inB.created).toBe(true);
        expect(inB.message.id).not.toBe(inA.message.id);
        expect(inB.message).toMatchObject({ room: 'b', seq: 1, clientId: 'shared-id' });
        expect((await store.getRoom('a'))?.head).toBe(1);
      });

      it('messages without a clientId are never merged, even with the same text', async () => {
        const first = await append('general', 'same words');
        const second = await append('general', 'same words');
        expect(second.created).toBe(true);
        expect([first.message.seq, second.message.seq]).toEqual([1, 2]);
      });
    });

    describe('concurrency', () => {
      it('200 concurrent appends get seq 1..N with no gaps or duplicates, retries resolving to one message', async () => {
        // Inputs 120..199 repeat keys 0..79; a quarter of the keys carry no clientId, so those
        // repeats are new messages. Keyed: 90 distinct; plain: 30 + 20 = 50; in all 140.
        const inputs: AppendMessageInput[] = range(0, 199).map((index) => {
          const key = index % 120;
          const author = key % 2 === 0 ? ADA : BOB;
          const clientId = key % 4 === 3 ? undefined : `c-${key}`;
          return { room: 'busy', author, text: `input ${index}`, clientId };
        });
        // A fixed permutation (77 is coprime with 200) so a retry may race ahead of its original.
        const order = range(0, 199).map((index) => (index * 77) % 200);
        const fired = order.map((index) => inputs[index] as AppendMessageInput);
        const results = await Promise.all(fired.map((input) => store.appendMessage(input)));

        const distinct = new Map<string, Message>();
        for (const { message } of results) distinct.set(message.id, message);
        const expected = 140;
        expect(distinct.size).toBe(expected);
        expect(results.filter((result) => result.created)).toHaveLength(expected);
        const stored = [...distinct.values()].sort((x, y) => x.seq - y.seq);
        expect(stored.map((message) => message.seq)).toEqual(range(1, expected));

        const byKey = new Map<string, typeof results>();
        results.forEach((result, index) => {
          const input = fired[index] as AppendMessageInput;
          if (input.clientId === undefined) {
            expect(result).toMatchObject({ created: true, message: { text: input.text } });
            return;
          }
          expect(result.message).toMatchObject({ author: input.author, clientId: input.clientId });
          const key = `${input.author.id}/${input.clientId}`;
          byKey.set(key, [...(byKey.get(key) ?? []), result]);
        });
        expect(byKey.size).toBe(90);
        for (const group of byKey.values()) {
          expect(group.filter((result) => result.created)).toHaveLength(1);
          for (const result of group) expect(result.message).toStrictEqual(group[0]?.message);
        }

        expect((await store.getRoom('busy'))?.head).toBe(expected);
        expect(await walkForwards('busy', 100)).toStrictEqual(stored);
      });
    });

    describe('listMessages', () => {
      it('returns an empty page for an empty or unknown room', async () => {
        await store.ensureRoom('empty');
        const empty = { messages: [], hasMore: false };
        for (const room of ['empty', 'unknown']) {
          expect(await store.listMessages({ room, limit: 10 })).toEqual(empty);
          expect(await store.listMessages({ room, limit: 10, before: 5 })).toEqual(empty);
          expect(await store.listMessages({ room, limit: 10, after: 0 })).toEqual(empty);
        }
      });

      it('without a cursor returns the latest page, oldest first', async () => {
        const messages = await fill('general', 10);
        const latest = await store.listMessages({ room: 'general', limit: 3 });
        expect(latest).toStrictEqual({ messages: messages.slice(7), hasMore: true });
        expect(await store.listMessages({ room: 'general', limit: 10 })).toStrictEqual({
          messages,
          hasMore: false,
        });
        expect(await store.listMessages({ room: 'general', limit: 50 })).toStrictEqual({
          messages,
          hasMore: false,
        });
      });

      it('before pages backwards from a seq, excluding it', async () => {
        await fill('general', 10);
        const page = (before: number, limit: number) =>
          store.listMessages({ room: 'general', limit, before });
        expect(await page(8, 3)).toMatchObject({ hasMore: true });
        expect(seqsOf(await page(8, 3))).toEqual([5, 6, 7]);
        expect(seqsOf(await page(4, 3))).toEqual([1, 2, 3]);
        expect((await page(4, 3)).hasMore).toBe(false);
        expect(seqsOf(await page(3, 5))).toEqual([1, 2]);
        expect(await page(1, 5)).toEqual({ messages: [], hasMore: false });
        expect(seqsOf(await page(11, 2))).toEqual([9, 10]);
      });

      it('after pages forwards from a seq, excluding it, and says when more follow', async () => {
        await fill('general', 10);
        const page = (after: number, limit: number) =>
          store.listMessages({ room: 'general', limit, after });
        expect(seqsOf(await page(0, 3))).toEqual([1, 2, 3]);
        expect((await page(0, 3)).hasMore).toBe(true);
        expect(seqsOf(await page(4, 3))).toEqual([5, 6, 7]);
        expect((await page(4, 3)).hasMore).toBe(true);
        expect(seqsOf(await page(6, 4))).toEqual([7, 8, 9, 10]);
        expect((await page(6, 4)).hasMore).toBe(false);
        expect(seqsOf(await page(7, 5))).toEqual([8, 9, 10]);
        expect((await page(7, 5)).hasMore).toBe(false);
        expect(await page(10, 5)).toEqual({ messages: [], hasMore: false });
      });

      it('after and before together return the messages strictly between them', async () => {
        await fill('general', 10);
        const page = (after: number, before: number, limit: number) =>
          store.listMessages({ room: 'general', limit, after, before });
        expect(await page(3, 8, 10)).toMatchObject({ hasMore: false });
        expect(seqsOf(await page(3, 8, 10))).toEqual([4, 5, 6, 7]);
        expect(seqsOf(await page(3, 8, 2))).toEqual([4, 5]);
        expect((await page(3, 8, 2)).hasMore).toBe(true);
        expect(seqsOf(await page(3, 8, 4))).toEqual([4, 5, 6, 7]);
        expect((await page(3, 8, 4)).hasMore).toBe(false);
        expect(await page(3, 4, 10)).toEqual({ messages: [], hasMore: false });
        expect(seqsOf(await page(0, 100, 20))).toEqual(range(1, 10));
      });

      it('never returns messages from another room', async () => {
        for (const index of range(1, 6)) await append(index % 2 === 0 ? 'a' : 'b', `m${index}`);
        const page = await store.listMessages({ room: 'a', limit: 10 });
        expect(page.messages.map((message) => [message.room, message.text])).toEqual([
          ['a', 'm2'],
          ['a', 'm4'],
          ['a', 'm6'],
        ]);
      });

      it('walking the whole history backwards or forwards visits every message exactly once', async () => {
        const messages = await fill('general', 21);
        for (const limit of [1, 4, 7, 20, 21, 100]) {
          expect(await walkBackwards('general', limit)).toStrictEqual(messages);
          expect(await walkForwards('general', limit)).toStrictEqual(messages);
        }
      });
    });

    describe('durability', () => {
      it('messages, head and epoch survive a reopen, and seq continues after it', async ({
        skip,
      }) => {
        const reopen = fixture.reopen ?? skip(`${backendName} cannot reopen its data`);
        const room = await store.ensureRoom('general');
        const keyed = await append('general', 'kept', { clientId: 'durable' });
        await fill('general', 2);
        const before = await store.listMessages({ room: 'general', limit: 100 });
        for (const each of opened.splice(0)) await each.close();

        store = await reopen();
        opened.push(store);
        expect(await store.getRoom('general')).toEqual({ ...room, head: 3 });
        expect(await store.listMessages({ room: 'general', limit: 100 })).toStrictEqual(before);
        expect((await append('general', 'after reopen')).message.seq).toBe(4);
        const retry = await append('general', 'kept', { clientId: 'durable' });
        expect(retry).toStrictEqual({ created: false, message: keyed.message });
        expect((await store.ensureRoom('general')).epoch).toBe(room.epoch);
      });
    });

    describe('users', () => {
      it('saveUser then getUsers returns the id, name and lastSeen as an ISO time', async () => {
        await store.saveUser(ADA, new Date('2026-01-02T03:04:05.678Z'));
        expect(await store.getUsers([ADA.id])).toStrictEqual([
          { id: ADA.id, name: 'Ada', lastSeen: '2026-01-02T03:04:05.678Z' },
        ]);
      });

      it('saving a user again updates the name and lastSeen', async () => {
        await store.saveUser(ADA, new Date('2026-01-02T03:04:05.678Z'));
        await store.saveUser({ id: ADA.id, name: 'Ada L.' }, new Date('2026-02-03T04:05:06.789Z'));
        expect(await store.getUsers([ADA.id])).toStrictEqual([
          { id: ADA.id, name: 'Ada L.', lastSeen: '2026-02-03T04:05:06.789Z' },
        ]);
      });

      it('getUsers leaves out unknown ids and returns each user once', async () => {
        await store.saveUser(ADA, new Date('2026-01-02T03:04:05.678Z'));
        await store.saveUser(BOB, new Date('2026-01-03T03:04:05.678Z'));
        await store.saveUser({ id: 'user-eve', name: 'Eve' }, new Date());
        const users = await store.getUsers([BOB.id, 'user-nobody', ADA.id, BOB.id]);
        expect(users.sort((x, y) => x.id.localeCompare(y.id))).toStrictEqual([
          { id: ADA.id, name: 'Ada', lastSeen: '2026-01-02T03:04:05.678Z' },
          { id: BOB.id, name: 'Bob', lastSeen: '2026-01-03T03:04:05.678Z' },
        ]);
        expect(await store.getUsers(['user-nobody'])).toEqual([]);
      });

      it('getUsers with no ids returns an empty list', async () => {
        await store.saveUser(ADA, new Date());
        expect(await store.getUsers([])).toEqual([]);
      });
    });

    describe('lifecycle', () => {
      it('ping resolves on an open store', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('after close, ping and every read and write reject', async () => {
        await store.ensureRoom('general');
        await store.close();
        await expect(store.ping()).rejects.toThrow();
        await expect(append('general', 'too late')).rejects.toThrow();
        await expect(store.listMessages({ room: 'general', limit: 10 })).rejects.toThrow();
        await expect(store.getRoom('general')).rejects.toThrow();
        await expect(store.saveUser(ADA, new Date())).rejects.toThrow();
      });

      it('closing twice does not throw', async () => {
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
};
