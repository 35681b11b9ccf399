import { LIMITS, MessageChangeSchema, MessageSchema } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument, ReactionDocument } from '../models/message-model.js';
import {
  excerptOf,
  missingParentIds,
  type ParentDocument,
  reactionsOf,
  replyToOf,
  toChange,
  toMessage,
} from './mongo-documents.js';

const ADA = { id: 'user-ada', name: 'Ada' };
const BOB = { id: 'user-bob', name: 'Bob' };
const CREATED = new Date('2026-01-02T03:04:05.678Z');
const LATER = new Date('2026-01-02T04:00:00.000Z');

const message = (fields: Partial<MessageDocument> = {}): MessageDocument => ({
  _id: 'm1',
  room: 'general',
  seq: 4,
  ordinal: 3,
  author: ADA,
  text: 'hello',
  createdAt: CREATED,
  ...fields,
});

const reactors = (emoji: string, ...numbers: number[]): ReactionDocument => ({
  emoji,
  users: numbers.map((n) => `user-${n}`),
});

describe('toMessage', () => {
  it('a message without changes has only the base fields, as the SQLite store returns it', () => {
    expect(toMessage(message())).toStrictEqual({
      id: 'm1',
      room: 'general',
      seq: 4,
      text: 'hello',
      author: ADA,
      createdAt: '2026-01-02T03:04:05.678Z',
    });
  });

  it('shows edits, reactions and the clientId; never ordinal or lastChangeSeq', () => {
    const doc = message({
      clientId: 'c-1',
      text: 'hello, fixed',
      editedAt: LATER,
      lastChangeSeq: 9,
      reactions: [reactors('👍', 5, 7)],
    });
    const shown = toMessage(doc);
    expect(shown).toStrictEqual({
      id: 'm1',
      room: 'general',
      seq: 4,
      text: 'hello, fixed',
      author: ADA,
      createdAt: '2026-01-02T03:04:05.678Z',
      clientId: 'c-1',
      editedAt: '2026-01-02T04:00:00.000Z',
      reactions: [{ emoji: '👍', count: 2, users: ['user-5', 'user-7'] }],
    });
    expect(z.strictObject(MessageSchema.shape).parse(shown)).toEqual(shown);
  });

  it('a deleted message is a tombstone: empty text, no reactions, editedAt kept', () => {
    const { text: _, ...textless } = message();
    const doc: MessageDocument = {
      ...textless,
      editedAt: CREATED,
      deletedAt: LATER,
      // Stale data a half-applied deletion could leave: never shown.
      reactions: [reactors('👍', 5)],
    };
    const shown = toMessage(doc);
    expect(shown).toStrictEqual({
      id: 'm1',
      room: 'general',
      seq: 4,
      text: '',
      author: ADA,
      createdAt: '2026-01-02T03:04:05.678Z',
      editedAt: '2026-01-02T03:04:05.678Z',
      deletedAt: '2026-01-02T04:00:00.000Z',
    });
    expect(z.strictObject(MessageSchema.shape).parse(shown)).toEqual(shown);
    // Even if a text were still there, a deleted message shows none.
    expect(toMessage({ ...doc, text: 'secret' }).text).toBe('');
  });

  it('a reply shows its parent as it is now, when the parent is given', () => {
    const parent: ParentDocument = { _id: 'p1', room: 'general', seq: 2, author: BOB, text: 'hi' };
    const reply = message({ replyTo: 'p1' });
    expect(toMessage(reply, new Map([['p1', parent]])).replyTo).toStrictEqual({
      id: 'p1',
      seq: 2,
      author: BOB,
      excerpt: 'hi',
    });
    // Without its parent (never the case once a page's parents are read) it has no replyTo.
    expect(toMessage(reply)).not.toHaveProperty('replyTo');
  });
});

describe('replyToOf and excerptOf', () => {
  it('cuts the parent text to the limit in code points, never splitting a pair', () => {
    const max = LIMITS.replyExcerptMaxLength;
    expect(excerptOf('short')).toBe('short');
    expect(excerptOf('x'.repeat(max))).toBe('x'.repeat(max));
    expect(excerptOf('x'.repeat(max + 1))).toBe('x'.repeat(max));
    // 😀 is two UTF-16 units and one code point: the limit counts code points.
    const emoji = '😀'.repeat(max + 5);
    expect(excerptOf(emoji)).toBe('😀'.repeat(max));
    expect([...excerptOf(emoji)]).toHaveLength(max);
    const mixed = `${'a'.repeat(max - 1)}😀😀`;
    expect(excerptOf(mixed)).toBe(`${'a'.repeat(max - 1)}😀`);
  });

  it('a deleted parent shows an empty excerpt and deleted: true', () => {
    const { text: _, ...deleted } = message({ deletedAt: LATER });
    const replyTo = replyToOf(deleted);
    expect(replyTo).toStrictEqual({ id: 'm1', seq: 4, author: ADA, excerpt: '', deleted: true });
    expect(replyToOf(message())).not.toHaveProperty('deleted');
  });
});

describe('reactionsOf', () => {
  it('is undefined when there are none', () => {
    expect(reactionsOf(undefined)).toBeUndefined();
    expect(reactionsOf([])).toBeUndefined();
    expect(reactionsOf([{ emoji: '👍', users: [] }])).toBeUndefined();
  });

  it('keeps the stored order of emoji (first used first) and counts every reactor', () => {
    const shown = reactionsOf([reactors('👍', 9, 12), reactors('❤️', 5), reactors('🎉', 7, 8)]);
    expect(shown).toEqual([
      { emoji: '👍', count: 2, users: ['user-9', 'user-12'] },
      { emoji: '❤️', count: 1, users: ['user-5'] },
      { emoji: '🎉', count: 2, users: ['user-7', 'user-8'] },
    ]);
  });

  it('lists the earliest reactors up to the limit; the count stays exact', () => {
    const many = LIMITS.reactionUsersListed + 25;
    const seqs = Array.from({ length: many }, (_, i) => i + 1);
    const [shown] = reactionsOf([reactors('👍', ...seqs)]) ?? [];
    expect(shown?.count).toBe(many);
    expect(shown?.users).toEqual(
      seqs.slice(0, LIMITS.reactionUsersListed).map((seq) => `user-${seq}`),
    );
  });
});

describe('toChange', () => {
  const entry: ChangeDocument = {
    _id: 'e1',
    room: 'general',
    seq: 9,
    ordinal: 3,
    kind: 'change',
    type: 'edited',
    messageId: 'm1',
    prev: 0,
    by: ADA.id,
    at: LATER,
    text: 'hello, fixed',
    editClientId: 'edit-1',
    pending: true,
  };

  it("shows an edit with its clientId and the message's current state, not the entry's text", () => {
    const current = toMessage(message({ text: 'edited again', editedAt: LATER }));
    const change = toChange(entry, current);
    expect(change).toStrictEqual({
      room: 'general',
      seq: 9,
      type: 'edited',
      message: current,
      by: ADA.id,
      at: '2026-01-02T04:00:00.000Z',
      clientId: 'edit-1',
    });
    expect(z.strictObject(MessageChangeSchema.shape).parse(change)).toEqual(change);
  });

  it('shows a reaction with its emoji, and nothing of the storage fields', () => {
    const { text: _, editClientId: __, ...bare } = entry;
    const change = toChange({ ...bare, type: 'reaction_added', emoji: '👍' }, toMessage(message()));
    expect(Object.keys(change).sort()).toEqual(
      ['at', 'by', 'emoji', 'message', 'room', 'seq', 'type'].sort(),
    );
  });
});

describe('missingParentIds', () => {
  it('lists each parent once, leaving out those in hand', () => {
    const docs = [
      message({ _id: 'a', replyTo: 'p1' }),
      message({ _id: 'b', replyTo: 'p2' }),
      message({ _id: 'c', replyTo: 'p1' }),
      message({ _id: 'd' }),
    ];
    expect(missingParentIds(docs, new Map())).toEqual(['p1', 'p2']);
    expect(missingParentIds(docs, new Map([['p2', true]]))).toEqual(['p1']);
  });
});
