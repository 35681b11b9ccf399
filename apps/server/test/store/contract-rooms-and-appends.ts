import { type Message, MessageSchema } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { AppendMessageInput } from '../../src/store/chat-store.js';
import { ADA, BOB, type ContractContext, range, seqsOf, sleep } from './contract-context.js';

/** Rooms, appends, idempotent sends and concurrent writers. */
export const describeRoomsAndAppends = (ctx: ContractContext): void => {
  describe('rooms', () => {
    it('viewRoom of an unwritten room reports head 0 and an epoch, and stores nothing', async () => {
      const room = await ctx.store.viewRoom('general');
      expect(room).toEqual({ room: 'general', epoch: expect.any(String), head: 0, stored: false });
      expect(room.epoch.length).toBeGreaterThan(0);
      expect(await ctx.store.getRoom('general')).toBeNull();
    });

    it('the first message stores the room with the epoch its joiners were shown', async () => {
      const before = await ctx.store.viewRoom('general');
      await ctx.fill('general', 2);
      const after = await ctx.store.viewRoom('general');
      expect(after).toEqual({ ...before, head: 2, stored: true });
      expect(await ctx.store.getRoom('general')).toEqual({
        room: 'general',
        epoch: before.epoch,
        head: 2,
      });
    });

    it('a stored room keeps its epoch however often it is viewed and written', async () => {
      await ctx.fill('general', 1);
      const first = await ctx.store.viewRoom('general');
      await ctx.fill('general', 2);
      expect(await ctx.store.viewRoom('general')).toEqual({ ...first, head: 3 });
    });

    it('getRoom returns null for a room that was never created', async () => {
      expect(await ctx.store.getRoom('nowhere')).toBeNull();
    });

    it('concurrent views and first appends of a new room agree on one epoch', async () => {
      const views = range(1, 10).map(() => ctx.store.viewRoom('fresh'));
      const appends = range(1, 10).map((n) => ctx.append('fresh', `m${n}`));
      const states = await Promise.all(views);
      await Promise.all(appends);
      const epochs = new Set(states.map((state) => state.epoch));
      expect(epochs.size).toBe(1);
      expect((await ctx.store.getRoom('fresh'))?.epoch).toBe(states[0]?.epoch);
    });
  });

  describe('appendMessage', () => {
    it('assigns seq 1, 2, 3 in order and moves the head along', async () => {
      for (const seq of [1, 2, 3]) {
        const { message, created } = await ctx.append('general', `number ${seq}`);
        expect(created).toBe(true);
        expect(message.seq).toBe(seq);
        expect((await ctx.store.getRoom('general'))?.head).toBe(seq);
      }
      expect((await ctx.store.viewRoom('general')).head).toBe(3);
    });

    it('numbers each room independently', async () => {
      const order = ['a', 'b', 'a', 'a', 'c', 'b', 'a'];
      const seqs: Record<string, number[]> = {};
      for (const room of order) {
        const { message } = await ctx.append(room, `to ${room}`);
        expect(message.room).toBe(room);
        seqs[room] = [...(seqs[room] ?? []), message.seq];
      }
      expect(seqs).toEqual({ a: [1, 2, 3, 4], b: [1, 2], c: [1] });
      expect((await ctx.store.getRoom('a'))?.head).toBe(4);
      expect((await ctx.store.getRoom('b'))?.head).toBe(2);
      expect(seqsOf(await ctx.store.listMessages({ room: 'b', limit: 100 }))).toEqual([1, 2]);
    });

    it('creates the room on the first append when viewRoom was never called', async () => {
      await ctx.append('unopened', 'first');
      const room = await ctx.store.getRoom('unopened');
      expect(room).toEqual({ room: 'unopened', epoch: expect.any(String), head: 1 });
      expect(room?.epoch.length).toBeGreaterThan(0);
    });

    it('returns the full stored message, with clientId only when one was given', async () => {
      const start = Date.now();
      const keyed = await ctx.append('general', 'hello', { clientId: 'client-1' });
      const plain = await ctx.append('general', 'again', { author: BOB });
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
        expect(z.strictObject(MessageSchema.shape).parse(message)).toEqual(message);
        expect(new Date(message.createdAt).toISOString()).toBe(message.createdAt);
        const at = Date.parse(message.createdAt);
        expect(at).toBeGreaterThanOrEqual(start);
        expect(at).toBeLessThanOrEqual(end);
      }

      // History returns exactly what the append returned, down to a missing clientId key.
      const page = await ctx.store.listMessages({ room: 'general', limit: 10 });
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
      for (const text of texts) await ctx.append('general', text);
      const page = await ctx.store.listMessages({ room: 'general', limit: 10 });
      expect(page.messages.map((message) => message.text)).toEqual(texts);
    });

    it('keeps the author name a message was sent with', async () => {
      await ctx.append('general', 'before', { author: ADA });
      await ctx.append('general', 'after', { author: { id: ADA.id, name: 'Ada Lovelace' } });
      const page = await ctx.store.listMessages({ room: 'general', limit: 10 });
      expect(page.messages.map((message) => message.author)).toEqual([
        { id: ADA.id, name: 'Ada' },
        { id: ADA.id, name: 'Ada Lovelace' },
      ]);
    });
  });

  describe('idempotent sends', () => {
    it('a retry with the same clientId returns the original message and created: false', async () => {
      const original = await ctx.append('general', 'hello', { clientId: 'retry-me' });
      await ctx.append('general', 'someone else talks', { author: BOB });
      await sleep(5); // a recomputed createdAt would differ from the original's

      const retry = await ctx.append('general', 'hello (edited before retry)', {
        author: { id: ADA.id, name: 'Ada renamed' },
        clientId: 'retry-me',
      });

      expect(original.created).toBe(true);
      expect(retry.created).toBe(false);
      expect(retry.message).toStrictEqual(original.message);
      expect((await ctx.store.getRoom('general'))?.head).toBe(2);
      const page = await ctx.store.listMessages({ room: 'general', limit: 10 });
      expect(page.messages.map((message) => message.text)).toEqual(['hello', 'someone else talks']);
    });

    it('the same clientId from another author is a different message', async () => {
      const fromAda = await ctx.append('general', 'hi', { clientId: 'shared-id' });
      const fromBob = await ctx.append('general', 'hi', { author: BOB, clientId: 'shared-id' });
      expect(fromBob.created).toBe(true);
      expect(fromBob.message.id).not.toBe(fromAda.message.id);
      expect(fromBob.message).toMatchObject({ seq: 2, author: BOB, clientId: 'shared-id' });
    });

    it('the same clientId in another room is a different message', async () => {
      const inA = await ctx.append('a', 'hi', { clientId: 'shared-id' });
      const inB = await ctx.append('b', 'hi', { clientId: 'shared-id' });
      expect(inB.created).toBe(true);
      expect(inB.message.id).not.toBe(inA.message.id);
      expect(inB.message).toMatchObject({ room: 'b', seq: 1, clientId: 'shared-id' });
      expect((await ctx.store.getRoom('a'))?.head).toBe(1);
    });

    it('messages without a clientId are never merged, even with the same text', async () => {
      const first = await ctx.append('general', 'same words');
      const second = await ctx.append('general', 'same words');
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
      const results = await Promise.all(fired.map((input) => ctx.store.appendMessage(input)));

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

      expect((await ctx.store.getRoom('busy'))?.head).toBe(expected);
      expect(await ctx.walkForwards('busy', 100)).toStrictEqual(stored);
    });
  });
};
