import { LIMITS } from '@chatter/protocol';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument } from '../models/message-model.js';
import { MessageNotFoundError, TooManyReactionsError } from './chat-store.js';
import {
  applyEntry,
  type ChangeIntent,
  type CheckedChange,
  changeEntry,
  checkDelete,
  checkEdit,
  checkReaction,
  decideChange,
  type EntryUpdate,
  entryUpdate,
  planApply,
} from './mongo-change.js';
import { InvalidStoreInputError } from './mongo-queries.js';

const { trusted } = mongoose;
const ADA = { id: 'user-ada', name: 'Ada' };
const BOB = { id: 'user-bob', name: 'Bob' };
const CREATED = new Date('2026-01-02T03:04:05.678Z');
const NOW = new Date('2026-01-03T00:00:00.000Z');

const message = (fields: Partial<MessageDocument> = {}): MessageDocument => ({
  _id: 'm1',
  room: 'general',
  seq: 2,
  ordinal: 2,
  author: ADA,
  text: 'hello',
  createdAt: CREATED,
  ...fields,
});

const deleted = (): MessageDocument => {
  const { text: _, ...rest } = message({ deletedAt: NOW, lastChangeSeq: 5 });
  return rest;
};

const target = { room: 'general', messageId: 'm1' };
const edit = (text: string, clientId?: string, actor = ADA) =>
  checkEdit({ ...target, actor, text, clientId });
const remove = (actor = ADA) => checkDelete({ ...target, actor });
const react = (emoji: string, on = true, actor = BOB) =>
  checkReaction({ ...target, actor, emoji, on });

const reacted = (...pairs: Array<[emoji: string, user: string, seq: number]>) => {
  const reactions: NonNullable<MessageDocument['reactions']> = [];
  for (const [emoji, id] of pairs) {
    const found = reactions.find((each) => each.emoji === emoji);
    if (found) found.users.push(id);
    else reactions.push({ emoji, users: [id] });
  }
  return message({ reactions, lastChangeSeq: Math.max(...pairs.map(([, , seq]) => seq)) });
};

const entryFor = (doc: MessageDocument, change: CheckedChange, seq = 10): ChangeDocument => {
  const intent = decideChange(doc, change);
  if (!intent) throw new Error('expected a change');
  return changeEntry(doc, change, intent, { id: `e${seq}`, seq, ordinal: 7, now: NOW });
};

describe('checking change requests', () => {
  it('keeps only the plain fields it needs', () => {
    expect(edit('new', 'e-1')).toEqual({
      ...target,
      actor: ADA,
      request: { type: 'edit', text: 'new', clientId: 'e-1' },
    });
    expect(react('👍', false).request).toEqual({ type: 'react', emoji: '👍', on: false });
    expect(remove().request).toEqual({ type: 'delete' });
  });

  it('refuses operators and malformed values before any query exists', () => {
    const hostile = { $ne: null } as unknown as string;
    for (const [build, message] of [
      [() => edit(hostile), /^text: /],
      [() => edit('x', hostile), /^clientId: /],
      [() => checkEdit({ ...target, messageId: hostile, actor: ADA, text: 'x' }), /^message id: /],
      [() => checkDelete({ ...target, room: hostile, actor: ADA }), /^room: /],
      [() => checkDelete({ ...target, actor: { id: hostile, name: 'x' } }), /^actor: /],
      [() => react('not an emoji'), /^emoji: /],
      [() => react('👍👍'), /^emoji: /],
      [() => checkReaction({ ...target, actor: BOB, emoji: '👍', on: 'yes' as never }), /^on: /],
    ] as const) {
      expect(build).toThrowError(InvalidStoreInputError);
      expect(build).toThrowError(message);
    }
  });
});

describe('decideChange', () => {
  it('refuses a message that is missing or in another room', () => {
    expect(() => decideChange(null, edit('x'))).toThrowError(
      new MessageNotFoundError('m1', 'missing'),
    );
    expect(() => decideChange(message({ room: 'other' }), remove())).toThrowError(
      MessageNotFoundError,
    );
  });

  it('refuses to edit, react to or unreact on a deleted message; deleting again is a no-op', () => {
    for (const change of [edit('x'), react('👍'), react('👍', false)]) {
      expect(() => decideChange(deleted(), change)).toThrowError(
        new MessageNotFoundError('m1', 'deleted'),
      );
    }
    expect(decideChange(deleted(), remove())).toBeNull();
  });

  it('an edit to the same text is a no-op; another text is an edit with its clientId', () => {
    expect(decideChange(message(), edit('hello', 'e-1'))).toBeNull();
    expect(decideChange(message(), edit('hello!', 'e-1'))).toEqual({
      type: 'edited',
      text: 'hello!',
      editClientId: 'e-1',
    } satisfies ChangeIntent);
    expect(decideChange(message(), edit('hello!'))).toEqual({ type: 'edited', text: 'hello!' });
  });

  it('reactions have set semantics per user and emoji', () => {
    const doc = reacted(['👍', BOB.id, 3]);
    expect(decideChange(doc, react('👍'))).toBeNull();
    expect(decideChange(doc, react('👍', true, ADA))).toEqual({
      type: 'reaction_added',
      emoji: '👍',
    });
    expect(decideChange(doc, react('👍', false))).toEqual({
      type: 'reaction_removed',
      emoji: '👍',
    });
    expect(decideChange(doc, react('👍', false, ADA))).toBeNull();
    expect(decideChange(doc, react('❤️', false))).toBeNull();
  });

  it('refuses a new emoji past the limit, but not another user on an existing one', () => {
    const pairs = Array.from(
      { length: LIMITS.reactionsPerMessageMax },
      (_, i): [string, string, number] => [String.fromCodePoint(0x1f600 + i), BOB.id, i + 3],
    );
    const full = reacted(...pairs);
    expect(() => decideChange(full, react('🎉', true, ADA))).toThrowError(TooManyReactionsError);
    expect(decideChange(full, react(pairs[0]?.[0] ?? '', true, ADA))).toMatchObject({
      type: 'reaction_added',
    });
  });
});

describe('changeEntry', () => {
  it('is pending and chained to the state it was decided on', () => {
    expect(entryFor(message(), edit('hello!', 'e-1'))).toStrictEqual({
      _id: 'e10',
      room: 'general',
      seq: 10,
      ordinal: 7,
      kind: 'change',
      type: 'edited',
      messageId: 'm1',
      prev: 0,
      by: ADA.id,
      at: NOW,
      text: 'hello!',
      editClientId: 'e-1',
      pending: true,
    } satisfies ChangeDocument);
    const after = entryFor(reacted(['👍', BOB.id, 6]), react('❤️'));
    expect(after).toMatchObject({ prev: 6, type: 'reaction_added', emoji: '❤️', by: BOB.id });
    expect(after).not.toHaveProperty('text');
    expect(after).not.toHaveProperty('editClientId');
  });
});

/**
 * A small interpreter of the operators `entryUpdate` uses, with MongoDB's meaning: the filter's
 * equality and `$exists`, `reactions.emoji` binding the positional `$`, and `$set`, `$unset`,
 * `$push` and `$pull` on those paths. It checks that the update writes what `applyEntry` says.
 */
const run = (doc: MessageDocument, { filter, update }: EntryUpdate): MessageDocument | null => {
  const f = filter as Record<string, unknown>;
  const last = f.lastChangeSeq as number | { $exists: boolean };
  const lastOk =
    typeof last === 'number' ? doc.lastChangeSeq === last : doc.lastChangeSeq === undefined;
  const position = (doc.reactions ?? []).findIndex((each) => each.emoji === f['reactions.emoji']);
  if (f._id !== doc._id || !lastOk || ('reactions.emoji' in f && position < 0)) return null;
  const next = structuredClone(doc) as MessageDocument & Record<string, unknown>;
  const u = update as Record<string, Record<string, unknown>>;
  for (const [path, value] of Object.entries(u.$set ?? {})) next[path] = value;
  for (const path of Object.keys(u.$unset ?? {})) delete next[path];
  for (const [path, value] of Object.entries(u.$push ?? {})) {
    if (path === 'reactions') next.reactions = [...(next.reactions ?? []), value as never];
    else next.reactions?.[position]?.users.push(value as never);
  }
  for (const [path, value] of Object.entries(u.$pull ?? {})) {
    if (path === 'reactions') {
      const { emoji } = value as { emoji: string };
      next.reactions = next.reactions?.filter((each) => each.emoji !== emoji);
    } else {
      const reaction = next.reactions?.[position];
      if (reaction) reaction.users = reaction.users.filter((user) => user !== value);
    }
  }
  return next;
};

describe('applyEntry and entryUpdate', () => {
  const cases: Array<[string, MessageDocument, CheckedChange]> = [
    ['an edit', message(), edit('hello, world', 'e-1')],
    ['an edit after other changes', reacted(['👍', BOB.id, 4]), edit('again')],
    ['a deletion with reactions', reacted(['👍', BOB.id, 4], ['❤️', ADA.id, 5]), remove()],
    ['a first reaction', message(), react('👍')],
    ['a new emoji', reacted(['👍', ADA.id, 4]), react('❤️')],
    ['another user on an emoji', reacted(['👍', ADA.id, 4]), react('👍')],
    [
      'a removal of one user of two',
      reacted(['👍', ADA.id, 4], ['👍', BOB.id, 5]),
      react('👍', false),
    ],
    [
      'a removal of the last user of one emoji',
      reacted(['👍', BOB.id, 4], ['❤️', ADA.id, 5]),
      react('👍', false),
    ],
    ['a removal of the last reaction', reacted(['👍', BOB.id, 4]), react('👍', false)],
  ];

  it.each(cases)('the update for %s writes what applyEntry says', (_, doc, change) => {
    const entry = entryFor(doc, change);
    const next = applyEntry(doc, entry);
    expect(run(doc, entryUpdate(doc, entry))).toStrictEqual(next);
    expect(next.lastChangeSeq).toBe(10);
  });

  it.each(cases)('the update for %s matches nothing once applied (a replay)', (_, doc, change) => {
    const entry = entryFor(doc, change);
    const applied = applyEntry(doc, entry);
    expect(run(applied, entryUpdate(doc, entry))).toBeNull();
  });

  it('an edit sets the text and editedAt; a deletion removes text and reactions', () => {
    const edited = applyEntry(message(), entryFor(message(), edit('new')));
    expect(edited).toMatchObject({ text: 'new', editedAt: NOW, lastChangeSeq: 10 });
    const doc = reacted(['👍', BOB.id, 4]);
    const gone = applyEntry(doc, entryFor(doc, remove()));
    expect(gone).toMatchObject({ deletedAt: NOW, lastChangeSeq: 10 });
    expect(gone).not.toHaveProperty('text');
    expect(gone).not.toHaveProperty('reactions');
  });

  it('a reactor joins the end of the list; an emoji keeps its place while anyone reacts', () => {
    const doc = reacted(['👍', ADA.id, 4], ['🎉', ADA.id, 5]);
    const more = applyEntry(doc, entryFor(doc, react('👍')));
    expect(more.reactions).toEqual([
      { emoji: '👍', users: [ADA.id, BOB.id] },
      { emoji: '🎉', users: [ADA.id] },
    ]);
    const first = checkReaction({ ...target, actor: ADA, emoji: '👍', on: false });
    const left = applyEntry(more, entryFor(more, first, 11));
    expect(left.reactions).toEqual([
      { emoji: '👍', users: [BOB.id] },
      { emoji: '🎉', users: [ADA.id] },
    ]);
  });

  it('the update is guarded by lastChangeSeq, absent for a message never changed', () => {
    expect(entryUpdate(message(), entryFor(message(), edit('x'))).filter).toEqual({
      _id: 'm1',
      lastChangeSeq: trusted({ $exists: false }),
    });
    const doc = reacted(['👍', ADA.id, 4]);
    expect(entryUpdate(doc, entryFor(doc, react('👍')))).toEqual({
      filter: { _id: 'm1', lastChangeSeq: 4, 'reactions.emoji': '👍' },
      update: {
        $set: { lastChangeSeq: 10 },
        $push: { 'reactions.$.users': BOB.id },
      },
    });
  });
});

describe('planApply', () => {
  it('applies on the state the entry was decided on, and only there', () => {
    const doc = reacted(['👍', ADA.id, 4]);
    const entry = entryFor(doc, react('👍'));
    expect(planApply(doc, entry)).toMatchObject({ action: 'apply', next: applyEntry(doc, entry) });
    // Applied already, or followed by a later change: nothing to do.
    expect(planApply(applyEntry(doc, entry), entry)).toEqual({ action: 'done' });
    expect(planApply({ ...doc, lastChangeSeq: 12 }, entry)).toEqual({ action: 'done' });
    // Its predecessor is not applied yet: it must wait for it.
    expect(planApply({ ...doc, lastChangeSeq: 2 }, entry)).toEqual({ action: 'blocked' });
  });
});
