import { LIMITS, type Message, type User } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { TooManyRoomsError } from '../../src/store/chat-store.js';
import { ADA, BOB, type ContractContext, range } from './contract-context.js';
import { changed, logActions } from './contract-log-helpers.js';

const EVE: User = { id: 'user-eve', name: 'Eve' };

/** mulberry32: a small seeded generator, so a failing case can be run again by its seed. */
const random = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** Memberships, read positions, unread counts and read receipts. */
export const describeReadState = (ctx: ContractContext): void => {
  const { edit, remove, react, unreact } = logActions(() => ctx.store);

  describe('memberships', () => {
    it('listRooms lists the rooms a user joined, oldest first, stored or not', async () => {
      await ctx.fill('busy', 3);
      const unwritten = await ctx.store.viewRoom('quiet');
      const busy = await ctx.store.viewRoom('busy');
      const before = Date.now();
      await ctx.store.addMember(ADA.id, 'quiet');
      await ctx.store.addMember(ADA.id, 'busy');
      await ctx.store.addMember(BOB.id, 'busy');
      const rooms = await ctx.store.listRooms(ADA.id);
      expect(rooms).toEqual([
        {
          room: 'quiet',
          epoch: unwritten.epoch,
          head: 0,
          readSeq: 0,
          unread: 0,
          joinedAt: expect.any(String),
        },
        // A new member has read up to the head: the room's past is not news to them.
        {
          room: 'busy',
          epoch: busy.epoch,
          head: 3,
          readSeq: 3,
          unread: 0,
          joinedAt: expect.any(String),
        },
      ]);
      for (const room of rooms)
        expect(Date.parse(room.joinedAt)).toBeGreaterThanOrEqual(before - 1);
      expect(await ctx.store.listRooms(BOB.id)).toMatchObject([
        { room: 'busy', readSeq: 3, unread: 0 },
      ]);
      // What others write after the join is unread; what the member writes is not.
      await ctx.store.appendMessage({ room: 'busy', author: ADA, text: 'news' });
      await ctx.store.appendMessage({ room: 'busy', author: BOB, text: 'mine' });
      expect(await ctx.store.listRooms(BOB.id)).toMatchObject([
        { room: 'busy', readSeq: 3, unread: 1, head: 5 },
      ]);
      expect(await ctx.store.listRooms(EVE.id)).toEqual([]);
      // Joining does not store the room.
      expect(await ctx.store.getRoom('quiet')).toBeNull();
    });

    it('adding again keeps the read position and place; removing forgets both', async () => {
      await ctx.fill('general', 2);
      await ctx.store.addMember(BOB.id, 'general');
      await ctx.store.addMember(BOB.id, 'other');
      await ctx.fill('general', 2);
      const [first] = await ctx.store.listRooms(BOB.id);
      await ctx.store.addMember(BOB.id, 'general');
      expect(await ctx.store.listRooms(BOB.id)).toEqual([
        { ...first, readSeq: 2, unread: 2 },
        expect.objectContaining({ room: 'other' }),
      ]);
      await ctx.store.removeMember(BOB.id, 'general');
      await ctx.store.removeMember(BOB.id, 'never-joined');
      expect((await ctx.store.listRooms(BOB.id)).map((room) => room.room)).toEqual(['other']);
      expect(await ctx.store.readPosition(BOB.id, 'general')).toEqual({
        readSeq: 0,
        unread: 4,
        head: 4,
      });
      await ctx.store.addMember(BOB.id, 'general');
      expect(await ctx.store.listRooms(BOB.id)).toMatchObject([
        { room: 'other' },
        { room: 'general', readSeq: 4, unread: 0 },
      ]);
    });

    it(`a user is a member of at most ${LIMITS.roomsPerUserMax} rooms`, async () => {
      const rooms = range(1, LIMITS.roomsPerUserMax).map((n) => `room-${n}`);
      await Promise.all(rooms.map((room) => ctx.store.addMember(ADA.id, room)));
      await expect(ctx.store.addMember(ADA.id, 'one-too-many')).rejects.toBeInstanceOf(
        TooManyRoomsError,
      );
      await expect(ctx.store.markRead(ADA.id, 'one-too-many', 0)).rejects.toBeInstanceOf(
        TooManyRoomsError,
      );
      // Rooms already joined still work; other users are not limited by Ada's rooms.
      await ctx.store.addMember(ADA.id, 'room-1');
      await ctx.store.markRead(ADA.id, 'room-2', 0);
      await ctx.store.addMember(BOB.id, 'one-too-many');
      expect(await ctx.store.listRooms(ADA.id)).toHaveLength(LIMITS.roomsPerUserMax);
      await ctx.store.removeMember(ADA.id, 'room-7');
      await ctx.store.addMember(ADA.id, 'one-too-many');
      expect((await ctx.store.listRooms(ADA.id)).at(-1)?.room).toBe('one-too-many');
    });
  });

  describe('read positions', () => {
    it('markRead moves forward only, clamped to the head, and answers with the unread count', async () => {
      for (const n of range(1, 5))
        await ctx.append('general', `m${n}`, { author: n === 4 ? BOB : ADA });
      // Bob reads: messages 1, 2, 3 and 5 are Ada's.
      expect(await ctx.store.markRead(BOB.id, 'general', 2)).toEqual({
        room: 'general',
        seq: 2,
        unread: 2,
        head: 5,
      });
      expect(await ctx.store.markRead(BOB.id, 'general', 1)).toEqual({
        room: 'general',
        seq: 2,
        unread: 2,
        head: 5,
      });
      expect(await ctx.store.readPosition(BOB.id, 'general')).toEqual({
        readSeq: 2,
        unread: 2,
        head: 5,
      });
      expect(await ctx.store.markRead(BOB.id, 'general', 4)).toEqual({
        room: 'general',
        seq: 4,
        unread: 1,
        head: 5,
      });
      expect(await ctx.store.markRead(BOB.id, 'general', 99)).toEqual({
        room: 'general',
        seq: 5,
        unread: 0,
        head: 5,
      });
      await ctx.append('general', 'm6');
      expect(await ctx.store.readPosition(BOB.id, 'general')).toEqual({
        readSeq: 5,
        unread: 1,
        head: 6,
      });
      // Marking read made Bob a member.
      expect(await ctx.store.listRooms(BOB.id)).toMatchObject([
        { room: 'general', readSeq: 5, unread: 1, head: 6 },
      ]);
    });

    it('a read position may point at a change; unwritten rooms read as empty', async () => {
      const { message } = await ctx.append('general', 'one', { author: BOB });
      changed(await react(message, '👍'));
      await ctx.append('general', 'two', { author: BOB });
      expect(await ctx.store.markRead(ADA.id, 'general', 2)).toEqual({
        room: 'general',
        seq: 2,
        unread: 1,
        head: 3,
      });
      expect(await ctx.store.markRead(ADA.id, 'nowhere', 10)).toEqual({
        room: 'nowhere',
        seq: 0,
        unread: 0,
        head: 0,
      });
      expect(await ctx.store.readPosition(EVE.id, 'nowhere')).toEqual({
        readSeq: 0,
        unread: 0,
        head: 0,
      });
      expect(await ctx.store.readPosition(EVE.id, 'general')).toEqual({
        readSeq: 0,
        unread: 2,
        head: 3,
      });
      expect(await ctx.store.getRoom('nowhere')).toBeNull();
    });

    it('unread counts match a brute-force count over random logs', async () => {
      const users = [ADA, BOB, EVE];
      for (const seed of range(1, 25)) {
        const next = random(seed);
        const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
        const room = `prop-${seed}`;
        // The model: every message with its author and whether it is deleted.
        const model: Array<{ message: Message; deleted: boolean }> = [];
        let head = 0;
        const steps = 15 + Math.floor(next() * 35);
        for (let step = 0; step < steps; step += 1) {
          const roll = next();
          const live = model.filter((entry) => !entry.deleted);
          const target = live.length > 0 ? pick(live) : undefined;
          const author = users.find((user) => user.id === target?.message.author.id) ?? ADA;
          if (roll < 0.45 || !target) {
            const { message } = await ctx.append(room, `s${seed} #${step}`, {
              author: pick(users),
            });
            model.push({ message, deleted: false });
            head = message.seq;
          } else if (roll < 0.6) {
            head = changed(await remove(target.message, author)).seq;
            target.deleted = true;
          } else if (roll < 0.7) {
            head = changed(await edit(target.message, `edit ${step}`, { actor: author })).seq;
          } else if (roll < 0.85) {
            const result = await react(target.message, pick(['👍', '🎉']), pick(users));
            head = result.change?.seq ?? head;
          } else if (roll < 0.92) {
            const result = await unreact(target.message, '👍', pick(users));
            head = result.change?.seq ?? head;
          } else {
            const user = pick(users);
            const seq = Math.floor(next() * (head + 3));
            const state = await ctx.store.markRead(user.id, room, seq);
            expect(state.head).toBe(head);
          }
        }
        const expected = (userId: string, readSeq: number) =>
          model.filter(
            ({ message, deleted }) =>
              message.seq > readSeq && message.author.id !== userId && !deleted,
          ).length;
        expect((await ctx.store.viewRoom(room)).head).toBe(head);
        for (const user of users) {
          const context = `seed ${seed}, ${user.id}`;
          const position = await ctx.store.readPosition(user.id, room);
          expect(position.head, context).toBe(head);
          expect(position.unread, context).toBe(expected(user.id, position.readSeq));
          // Then at every position: read positions only move forward, so start again from 0.
          await ctx.store.removeMember(user.id, room);
          for (const readSeq of range(0, head)) {
            const state = await ctx.store.markRead(user.id, room, readSeq);
            const at = `${context}, read to ${readSeq}`;
            expect(state, at).toEqual({
              room,
              seq: readSeq,
              unread: expected(user.id, readSeq),
              head,
            });
            expect((await ctx.store.readPosition(user.id, room)).unread, at).toBe(state.unread);
          }
        }
      }
    }, 120_000);
  });

  describe('read receipts', () => {
    it('list members who read something, furthest first, at most limit', async () => {
      await ctx.fill('general', 6);
      await ctx.store.markRead(BOB.id, 'general', 2);
      await ctx.store.markRead(EVE.id, 'general', 5);
      await ctx.store.markRead('user-carol', 'general', 3);
      // Joining an empty room leaves nothing read; joining one with messages reads to its head.
      await ctx.store.addMember('user-dan', 'empty');
      await ctx.store.addMember('user-gil', 'general');
      await ctx.store.markRead('user-fay', 'other', 4);
      expect(await ctx.store.readReceipts('general', 10)).toEqual([
        { userId: 'user-gil', seq: 6 },
        { userId: EVE.id, seq: 5 },
        { userId: 'user-carol', seq: 3 },
        { userId: BOB.id, seq: 2 },
      ]);
      expect(await ctx.store.readReceipts('general', 2)).toEqual([
        { userId: 'user-gil', seq: 6 },
        { userId: EVE.id, seq: 5 },
      ]);
      expect(await ctx.store.readReceipts('empty', 10)).toEqual([]);
      expect(await ctx.store.readReceipts('nowhere', 10)).toEqual([]);
    });
  });
};
