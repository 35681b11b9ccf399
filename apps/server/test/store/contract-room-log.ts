import { LIMITS, type MessageChange } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ChangeResult,
  MessageNotFoundError,
  TooManyReactionsError,
} from '../../src/store/chat-store.js';
import { ADA, BOB, type ContractContext, range, sleep } from './contract-context.js';
import { changed, logActions } from './contract-log-helpers.js';

/** Edits, deletions, reactions and replies: each change is one entry of the room's log. */
export const describeRoomLog = (ctx: ContractContext): void => {
  const { edit, remove, react, unreact } = logActions(() => ctx.store);
  const head = async (room = 'general') => (await ctx.store.viewRoom(room)).head;

  describe('changes to messages', () => {
    it('an edit appends one edited entry with the next seq, carrying the new text', async () => {
      const { message } = await ctx.append('general', 'helo', { clientId: 'send-1' });
      await ctx.append('general', 'hi', { author: BOB });
      const before = Date.now();
      const result = await edit(message, 'hello', { clientId: 'edit-1' });
      const change = changed(result);
      expect(change).toStrictEqual({
        room: 'general',
        seq: 3,
        type: 'edited',
        by: ADA.id,
        at: expect.any(String),
        clientId: 'edit-1',
        message: { ...message, text: 'hello', editedAt: change.at },
      });
      expect(Date.parse(change.at)).toBeGreaterThanOrEqual(before);
      expect(await head()).toBe(3);
      expect(await ctx.store.getMessage(message.id)).toStrictEqual(result.message);
    });

    it('a delete appends one deleted entry and leaves a tombstone without text or reactions', async () => {
      const { message } = await ctx.append('general', 'oops');
      await react(message, '👍', BOB);
      const change = changed(await remove(message));
      expect(change).toMatchObject({ seq: 3, type: 'deleted', by: ADA.id });
      expect(change.message).toStrictEqual({
        ...message,
        text: '',
        deletedAt: change.at,
      });
      expect(await ctx.store.getMessage(message.id)).toStrictEqual(change.message);
      expect(await head()).toBe(3);
    });

    it('reactions add and remove one entry each, grouped per emoji in the order first used', async () => {
      const { message } = await ctx.append('general', 'party');
      const added = changed(await react(message, '👍', BOB));
      expect(added).toMatchObject({ seq: 2, type: 'reaction_added', by: BOB.id, emoji: '👍' });
      expect(added.message.reactions).toEqual([{ emoji: '👍', count: 1, users: [BOB.id] }]);
      expect(changed(await react(message, '🎉')).seq).toBe(3);
      const third = changed(await react(message, '👍'));
      expect(third.message.reactions).toEqual([
        { emoji: '👍', count: 2, users: [BOB.id, ADA.id] },
        { emoji: '🎉', count: 1, users: [ADA.id] },
      ]);
      // The first reactor leaving does not move the emoji from its place.
      const removed = changed(await unreact(message, '👍', BOB));
      expect(removed).toMatchObject({ seq: 5, type: 'reaction_removed', by: BOB.id, emoji: '👍' });
      expect(removed.message.reactions).toEqual([
        { emoji: '👍', count: 1, users: [ADA.id] },
        { emoji: '🎉', count: 1, users: [ADA.id] },
      ]);
      const last = changed(await unreact(message, '👍'));
      expect(last.message.reactions).toEqual([{ emoji: '🎉', count: 1, users: [ADA.id] }]);
      changed(await unreact(message, '🎉'));
      const bare = await ctx.store.getMessage(message.id);
      expect(bare).toStrictEqual(message);
      expect(Object.keys(bare ?? {})).not.toContain('reactions');
      expect(await head()).toBe(7);
    });

    it('changes that change nothing append nothing and answer change: null', async () => {
      const { message } = await ctx.append('general', 'same');
      changed(await react(message, '👍'));
      const noops: Array<() => Promise<ChangeResult>> = [
        () => react(message, '👍'),
        () => unreact(message, '🎉'),
        () => unreact(message, '👍', BOB),
        () => edit(message, 'same'),
        () => edit(message, 'same', { clientId: 'noop-edit' }),
      ];
      const current = await ctx.store.getMessage(message.id);
      for (const noop of noops) {
        expect(await noop()).toStrictEqual({ message: current, change: null });
      }
      expect(await head()).toBe(2);
      changed(await remove(message));
      const tombstone = await ctx.store.getMessage(message.id);
      expect(await remove(message)).toStrictEqual({ message: tombstone, change: null });
      expect(await head()).toBe(3);
      const page = await ctx.store.listMessages({ room: 'general', limit: 10, after: 0 });
      expect(page.changes.map((change) => change.type)).toEqual(['reaction_added', 'deleted']);
    });

    it('a retried edit applies once and answers its original entry with the current message', async () => {
      const { message } = await ctx.append('general', 'first');
      const original = changed(await edit(message, 'second', { clientId: 'e-1' }));
      await sleep(5); // a recomputed `at` would differ from the original's
      const retry = await edit(message, 'second', { clientId: 'e-1' });
      expect(retry).toStrictEqual({ message: original.message, change: original });
      expect(await head()).toBe(2);

      changed(await edit(message, 'third'));
      const late = await edit(message, 'second (retried late)', { clientId: 'e-1' });
      expect(late.change).toStrictEqual({ ...original, message: late.message });
      expect(late.message.text).toBe('third');
      expect(await head()).toBe(3);

      // The clientId is the actor's own in the room: another room's edit is another edit.
      const { message: elsewhere } = await ctx.append('other', 'first');
      expect(changed(await edit(elsewhere, 'second', { clientId: 'e-1' })).seq).toBe(2);
    });

    it('unknown messages, messages of another room and deleted ones are refused, appending nothing', async () => {
      const { message } = await ctx.append('general', 'here');
      const { message: gone } = await ctx.append('general', 'gone');
      changed(await remove(gone));
      const elsewhere = { ...message, room: 'other' };
      const missing = { ...message, id: 'no-such-message' };
      const expectRefused = async (
        attempt: Promise<unknown>,
        id: string,
        reason: 'missing' | 'deleted',
      ) => {
        const error = await attempt.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(MessageNotFoundError);
        expect(error).toMatchObject({ messageId: id, reason });
      };
      for (const target of [missing, elsewhere]) {
        await expectRefused(edit(target, 'x'), target.id, 'missing');
        await expectRefused(remove(target), target.id, 'missing');
        await expectRefused(react(target, '👍'), target.id, 'missing');
      }
      await expectRefused(edit(gone, 'back'), gone.id, 'deleted');
      await expectRefused(react(gone, '👍'), gone.id, 'deleted');
      await expectRefused(unreact(gone, '👍'), gone.id, 'deleted');
      expect(await head()).toBe(3);
      expect(await ctx.store.getRoom('other')).toBeNull();
    });

    it(`a message takes at most ${LIMITS.reactionsPerMessageMax} different emoji; the next is refused`, async () => {
      const { message } = await ctx.append('general', 'react to me');
      const emoji = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙😚🙂🤗🤩'];
      const allowed = emoji.slice(0, LIMITS.reactionsPerMessageMax);
      for (const each of allowed) changed(await react(message, each));
      const refused = emoji[LIMITS.reactionsPerMessageMax] as string;
      await expect(react(message, refused)).rejects.toBeInstanceOf(TooManyReactionsError);
      await expect(react(message, refused, BOB)).rejects.toBeInstanceOf(TooManyReactionsError);
      // An emoji already there takes more reactors.
      const more = changed(await react(message, allowed[0] as string, BOB));
      expect(more.message.reactions?.map((r) => r.emoji)).toEqual(allowed);
      expect(more.message.reactions?.[0]).toEqual({
        emoji: allowed[0],
        count: 2,
        users: [ADA.id, BOB.id],
      });
      expect(await head()).toBe(1 + LIMITS.reactionsPerMessageMax + 1);
    });

    it(`a reaction lists its earliest ${LIMITS.reactionUsersListed} users and counts them all`, async () => {
      const { message } = await ctx.append('general', 'popular');
      const users = range(1, LIMITS.reactionUsersListed + 3).map((n) => ({
        id: `user-${String(n).padStart(3, '0')}`,
        name: `User ${n}`,
      }));
      let last: MessageChange | undefined;
      for (const user of users) last = changed(await react(message, '❤️', user));
      const listed = users.slice(0, LIMITS.reactionUsersListed).map((user) => user.id);
      expect(last?.message.reactions).toEqual([{ emoji: '❤️', count: users.length, users: listed }]);
      // A listed user leaving lets the next one in.
      const after = changed(await unreact(message, '❤️', users[0]));
      expect(after.message.reactions).toEqual([
        {
          emoji: '❤️',
          count: users.length - 1,
          users: users.slice(1, LIMITS.reactionUsersListed + 1).map((user) => user.id),
        },
      ]);
    });
  });

  describe('replies', () => {
    it('a reply carries the parent id, seq, author and the start of its current text', async () => {
      // 119 ASCII characters, then emoji: a cut at 120 UTF-16 units would split the first pair.
      const text = `${'x'.repeat(119)}😀😀 and more`;
      const { message: parent } = await ctx.append('general', text, { author: BOB });
      const { message: reply } = await ctx.store.appendMessage({
        room: 'general',
        author: ADA,
        text: 'agreed',
        replyTo: parent.id,
      });
      const excerpt = `${'x'.repeat(119)}😀`;
      expect(reply.replyTo).toStrictEqual({ id: parent.id, seq: 1, author: BOB, excerpt });
      expect(reply.seq).toBe(2);
      const page = await ctx.store.listMessages({ room: 'general', limit: 10 });
      expect(page.messages[1]).toStrictEqual(reply);

      // The excerpt is the parent as it is when read: edited, then deleted.
      changed(await edit(parent, 'short now', { actor: BOB }));
      expect((await ctx.store.getMessage(reply.id))?.replyTo).toStrictEqual({
        id: parent.id,
        seq: 1,
        author: BOB,
        excerpt: 'short now',
      });
      changed(await remove(parent, BOB));
      expect((await ctx.store.getMessage(reply.id))?.replyTo).toStrictEqual({
        id: parent.id,
        seq: 1,
        author: BOB,
        excerpt: '',
        deleted: true,
      });
      const forward = await ctx.store.listMessages({ room: 'general', limit: 10, after: 0 });
      expect(forward.messages[1]?.replyTo?.deleted).toBe(true);
    });

    it('a reply to a deleted, unknown or other-room message is refused and stores nothing', async () => {
      const { message: parent } = await ctx.append('general', 'parent');
      const { message: gone } = await ctx.append('general', 'gone');
      changed(await remove(gone));
      const { message: foreign } = await ctx.append('other', 'elsewhere');
      const reply = (room: string, replyTo: string) =>
        ctx.store.appendMessage({ room, author: BOB, text: 'reply', replyTo });
      await expect(reply('general', gone.id)).rejects.toMatchObject({
        name: 'MessageNotFoundError',
        messageId: gone.id,
        reason: 'deleted',
      });
      for (const [room, id] of [
        ['general', 'no-such-message'],
        ['general', foreign.id],
        ['fresh', parent.id],
      ] as const) {
        const error = await reply(room, id).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(MessageNotFoundError);
        expect(error).toMatchObject({ messageId: id, reason: 'missing' });
      }
      expect(await head()).toBe(3);
      expect(await head('other')).toBe(1);
      expect(await ctx.store.getRoom('fresh')).toBeNull();
      expect((await reply('general', parent.id)).message.seq).toBe(4);
    });
  });
};
