import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { CHANGE_INDEXES, type ChangeDocument } from '../models/change-model.js';
import { MESSAGE_INDEXES, type MessageDocument } from '../models/message-model.js';
import {
  MessageNotFoundError,
  StoreUnavailableError,
  TooManyReactionsError,
} from './chat-store.js';
import type { AppendPolicy } from './mongo-append.js';
import {
  type CheckedChange,
  changeEntry,
  checkDelete,
  checkEdit,
  checkReaction,
} from './mongo-change.js';
import { applyChange, type ChangeSteps, repairRoom, writeChange } from './mongo-change-write.js';

const ADA = { id: 'user-ada', name: 'Ada' };
const BOB = { id: 'user-bob', name: 'Bob' };
const NOW = new Date('2026-01-03T00:00:00.000Z');

const duplicateKey = (index: string, keyPattern: Record<string, 1>) =>
  new mongoose.mongo.MongoServerError({
    message: `E11000 duplicate key error collection: chatter.messages index: ${index} dup key`,
    code: 11000,
    keyPattern,
  });

const SEQ_TAKEN = () => duplicateKey(MESSAGE_INDEXES.roomSeq, { room: 1, seq: 1 });
const CHAIN_TAKEN = () => duplicateKey(CHANGE_INDEXES.chain, { messageId: 1, prev: 1 });
const EDIT_TAKEN = () =>
  duplicateKey(CHANGE_INDEXES.editIdempotency, { room: 1, by: 1, editClientId: 1 });

/**
 * One room's log as MongoDB holds it: messages and change entries under the unique `(room, seq)`
 * index, the chain index `(messageId, prev)` and the edit idempotency index. The guarded update
 * is run as MongoDB would match it (`_id` and `lastChangeSeq`) and writes the state the plan says
 * it leads to (that the operators write that state is mongo-change.test.ts's job). `rival` runs
 * just before each of our inserts, standing in for another process.
 */
class FakeLog {
  readonly messages = new Map<string, MessageDocument>();
  readonly entries: ChangeDocument[] = [];
  readonly calls: string[] = [];
  readonly backoffs: number[] = [];
  rival: ((log: FakeLog) => void) | undefined;
  ids = 0;

  constructor() {
    this.addMessage('m1', ADA);
    this.addMessage('m2', BOB);
  }

  head(): number {
    const seqs = [...this.messages.values(), ...this.entries].map((doc) => doc.seq);
    return Math.max(0, ...seqs);
  }

  addMessage(id: string, author = ADA): MessageDocument {
    const doc: MessageDocument = {
      _id: id,
      room: 'general',
      seq: this.head() + 1,
      ordinal: this.messages.size + 1,
      author,
      text: `text of ${id}`,
      createdAt: NOW,
    };
    this.messages.set(id, doc);
    return doc;
  }

  store(entry: ChangeDocument): void {
    if (this.head() >= entry.seq) throw SEQ_TAKEN();
    if (this.entries.some((e) => e.messageId === entry.messageId && e.prev === entry.prev)) {
      throw CHAIN_TAKEN();
    }
    const { editClientId, by } = entry;
    if (
      editClientId !== undefined &&
      this.entries.some((e) => e.by === by && e.editClientId === editClientId)
    ) {
      throw EDIT_TAKEN();
    }
    this.entries.push(structuredClone(entry));
  }

  /** Another process's change, stored and not applied yet (pending). */
  storeRival(change: CheckedChange, intent: Parameters<typeof changeEntry>[2]) {
    const doc = this.messages.get(change.messageId) as MessageDocument;
    this.ids += 1;
    const entry = changeEntry(doc, change, intent, {
      id: `rival-${this.ids}`,
      seq: this.head() + 1,
      ordinal: this.messages.size,
      now: NOW,
    });
    this.store(entry);
    return entry;
  }

  steps(change: CheckedChange, overrides: Partial<ChangeSteps> = {}): ChangeSteps {
    return {
      findMessage: async (id) => structuredClone(this.messages.get(id) ?? null),
      update: async ({ filter, next }) => {
        const { _id, lastChangeSeq } = filter as { _id: string; lastChangeSeq: unknown };
        const doc = this.messages.get(_id);
        const guard = typeof lastChangeSeq === 'number' ? lastChangeSeq : undefined;
        if (!doc || doc.lastChangeSeq !== guard) return false;
        this.calls.push(`update ${next.lastChangeSeq}`);
        this.messages.set(_id, structuredClone(next));
        return true;
      },
      removeEditTexts: async (messageId) => {
        this.calls.push(`remove edit texts of ${messageId}`);
        for (const entry of this.entries) {
          if (entry.messageId === messageId && entry.type === 'edited') delete entry.text;
        }
      },
      clearPending: async (entry) => {
        this.calls.push(`clear ${entry.seq}`);
        const stored = this.entries.find((e) => e._id === entry._id);
        if (stored) delete stored.pending;
      },
      repair: async () => {
        this.calls.push('repair');
        await repairRoom({ ...this.steps(change), findPending: async () => this.pending() });
      },
      findEdit: async (clientId) =>
        structuredClone(
          this.entries.find((e) => e.by === change.actor.id && e.editClientId === clientId) ?? null,
        ),
      newest: async () => ({ seq: this.head(), ordinal: this.messages.size }),
      insert: async (entry) => {
        this.calls.push(`insert ${entry.seq}`);
        this.rival?.(this);
        try {
          this.store(entry);
          return {};
        } catch (failure) {
          return { failure };
        }
      },
      advanceHead: async (seq) => void this.calls.push(`head ${seq}`),
      ...overrides,
    };
  }

  pending(): ChangeDocument[] {
    return structuredClone(this.entries.filter((e) => e.pending)).sort((x, y) => x.seq - y.seq);
  }

  policy(maxAttempts = 10): AppendPolicy {
    return {
      maxAttempts,
      backoff: async (attempt) => void this.backoffs.push(attempt),
      newId: () => `ours-${++this.ids}`,
      now: () => NOW,
    };
  }

  write(change: CheckedChange, overrides?: Partial<ChangeSteps>, maxAttempts?: number) {
    return writeChange(change, this.steps(change, overrides), this.policy(maxAttempts));
  }

  message(id = 'm1'): MessageDocument {
    return this.messages.get(id) as MessageDocument;
  }

  seqs(): number[] {
    return [...this.messages.values(), ...this.entries].map((doc) => doc.seq).sort((x, y) => x - y);
  }
}

const target = { room: 'general', messageId: 'm1' };
const edit = (text: string, clientId?: string) =>
  checkEdit({ ...target, actor: ADA, text, clientId });
const react = (emoji: string, on = true, actor = BOB) =>
  checkReaction({ ...target, actor, emoji, on });

describe('writeChange', () => {
  it('appends the entry at the next seq, applies it, marks it applied, then moves the head', async () => {
    const log = new FakeLog();
    const { message, entry } = await log.write(edit('fixed', 'e-1'));
    expect(entry).toMatchObject({
      seq: 3,
      ordinal: 2,
      type: 'edited',
      messageId: 'm1',
      prev: 0,
      by: ADA.id,
      text: 'fixed',
      editClientId: 'e-1',
    });
    expect(message).toMatchObject({ text: 'fixed', editedAt: NOW, lastChangeSeq: 3 });
    expect(log.message()).toStrictEqual(message);
    expect(log.calls).toEqual(['insert 3', 'update 3', 'clear 3', 'head 3']);
    expect(log.pending()).toEqual([]);
  });

  it('a no-op appends nothing and answers the message as it is', async () => {
    const log = new FakeLog();
    const result = await log.write(edit('text of m1'));
    expect(result).toEqual({ message: log.message(), entry: null });
    expect(await log.write(react('👍', false))).toMatchObject({ entry: null });
    expect(log.calls).toEqual([]);
  });

  it('refusals append nothing', async () => {
    const log = new FakeLog();
    const missing = checkDelete({ ...target, messageId: 'm9', actor: ADA });
    await expect(log.write(missing)).rejects.toThrowError(
      new MessageNotFoundError('m9', 'missing'),
    );
    await log.write(checkDelete({ ...target, actor: ADA }));
    await expect(log.write(react('👍'))).rejects.toThrowError(
      new MessageNotFoundError('m1', 'deleted'),
    );
    log.messages.set('m2', {
      ...log.message('m2'),
      reactions: Array.from({ length: 20 }, (_, i) => ({
        emoji: String.fromCodePoint(0x1f600 + i),
        users: [ADA.id],
      })),
    });
    const tooMany = checkReaction({
      ...target,
      messageId: 'm2',
      actor: BOB,
      emoji: '🎉',
      on: true,
    });
    await expect(log.write(tooMany)).rejects.toThrowError(TooManyReactionsError);
    expect(log.seqs()).toEqual([1, 2, 3]);
  });

  it('a retried edit answers its original entry with the message as it is now', async () => {
    const log = new FakeLog();
    const first = await log.write(edit('fixed', 'e-1'));
    await log.write(edit('fixed again'));
    const retry = await log.write(edit('fixed', 'e-1'));
    expect(retry.entry).toStrictEqual(log.entries[0]);
    expect(retry.entry?.seq).toBe(first.entry?.seq);
    expect(retry.message).toMatchObject({ text: 'fixed again', lastChangeSeq: 4 });
    expect(log.seqs()).toEqual([1, 2, 3, 4]);
  });

  it('after losing a seq to another writer, takes the next one: no gap, no duplicate', async () => {
    const log = new FakeLog();
    let rivals = 2;
    log.rival = (l) => {
      if (rivals-- > 0) l.addMessage(`rival-message-${rivals}`);
    };
    const { entry } = await log.write(react('👍'));
    expect(entry).toMatchObject({ seq: 5, ordinal: 4, prev: 0 });
    expect(log.seqs()).toEqual([1, 2, 3, 4, 5]);
    expect(log.backoffs).toEqual([1, 2]);
  });

  it('a change of the same message decided on the same state goes first; ours is decided again', async () => {
    const log = new FakeLog();
    // Bob reacts 👍 from two devices at once: the other one's entry lands first, not applied yet.
    log.rival = (l) => {
      l.rival = undefined;
      l.storeRival(react('👍'), { type: 'reaction_added', emoji: '👍' });
    };
    const result = await log.write(react('👍'));
    expect(result.entry).toBeNull();
    expect(result.message.reactions).toEqual([{ emoji: '👍', users: [BOB.id] }]);
    expect(log.entries).toHaveLength(1);
    // Our first try also collided on seq 3 (either index may report it): then on the chain.
    expect(log.calls).toEqual(['insert 3', 'insert 4', 'repair', 'update 3', 'clear 3']);
  });

  it('a change decided again still changes what it should, chained after the other', async () => {
    const log = new FakeLog();
    log.rival = (l) => {
      l.rival = undefined;
      l.storeRival(react('❤️', true, ADA), { type: 'reaction_added', emoji: '❤️' });
    };
    const { entry, message } = await log.write(react('👍'));
    expect(entry).toMatchObject({ seq: 4, prev: 3, emoji: '👍' });
    expect(message.reactions?.map((reaction) => reaction.emoji)).toEqual(['❤️', '👍']);
    expect(log.pending()).toEqual([]);
  });

  it('a twin edit with the same clientId that lands first is the answer', async () => {
    const log = new FakeLog();
    log.rival = (l) => {
      l.rival = undefined;
      l.storeRival(edit('fixed', 'e-1'), { type: 'edited', text: 'fixed', editClientId: 'e-1' });
    };
    // Decided on the same state, so the chain index may report it first: it is decided again,
    // and then found as a retry.
    const result = await log.write(edit('fixed', 'e-1'));
    expect(result.entry).toMatchObject({ _id: expect.stringMatching(/^rival-/), seq: 3 });
    expect(result.message).toMatchObject({ text: 'fixed', lastChangeSeq: 3 });
    expect(log.entries).toHaveLength(1);
  });

  it('an edit that finds its text in place answers the original that just got in', async () => {
    const log = new FakeLog();
    // The original lands and is applied after our look for it, before we read the message.
    const steps = log.steps(edit('fixed', 'e-1'));
    const findEdit = steps.findEdit;
    let looked = false;
    steps.findEdit = async (clientId) => {
      const found = await findEdit(clientId);
      if (!looked) {
        looked = true;
        await log.write(edit('fixed', 'e-1'));
      }
      return found;
    };
    const result = await writeChange(edit('fixed', 'e-1'), steps, log.policy());
    expect(result.entry).toMatchObject({ seq: 3, editClientId: 'e-1' });
    expect(log.entries).toHaveLength(1);
  });

  it('a twin edit reported by the edit idempotency index is the answer', async () => {
    const log = new FakeLog();
    const twin = { ...edit('fixed', 'e-1'), messageId: 'm1' };
    const steps = log.steps(twin, {
      insert: async () => {
        log.storeRival(twin, { type: 'edited', text: 'fixed', editClientId: 'e-1' });
        return { failure: EDIT_TAKEN() };
      },
    });
    const result = await writeChange(twin, steps, log.policy());
    expect(result.entry).toMatchObject({ _id: expect.stringMatching(/^rival-/), seq: 3 });
    expect(result.message.text).toBe('fixed');
  });

  it('gives up with a clear error after losing every attempt, having stored nothing', async () => {
    const log = new FakeLog();
    log.rival = (l) => void l.addMessage(`rival-${l.head()}`);
    const failure = log.write(react('👍'), undefined, 4);
    await expect(failure).rejects.toThrowError(StoreUnavailableError);
    await expect(failure).rejects.toThrowError(
      'MongoDB: no free seq for a change in room "general" after 4 attempts',
    );
    expect(log.entries).toEqual([]);
  });

  it('passes on any other error', async () => {
    const log = new FakeLog();
    const network = new mongoose.mongo.MongoNetworkError('connection reset');
    await expect(
      log.write(react('👍'), { insert: async () => ({ failure: network }) }),
    ).rejects.toBe(network);
  });
});

describe('applyChange and repairRoom', () => {
  /** An entry stored by a process that died before applying it. */
  const orphan = (log: FakeLog, change: CheckedChange, intent: Parameters<typeof changeEntry>[2]) =>
    log.storeRival(change, intent);

  const repair = (log: FakeLog) =>
    repairRoom({ ...log.steps(edit('x')), findPending: async () => log.pending() });

  it('applies what a dead process left pending, in log order, then forgets it', async () => {
    const log = new FakeLog();
    const first = orphan(log, react('👍'), { type: 'reaction_added', emoji: '👍' });
    // The next change of the message was decided on the state the first one leaves.
    log.messages.set('m1', { ...log.message(), lastChangeSeq: first.seq });
    const second = orphan(log, react('👍', false), { type: 'reaction_removed', emoji: '👍' });
    log.messages.set('m1', { ...log.message(), lastChangeSeq: undefined });
    expect(second.prev).toBe(first.seq);

    expect(await repair(log)).toBe(2);
    expect(log.message()).toMatchObject({ lastChangeSeq: second.seq });
    expect(log.message()).not.toHaveProperty('reactions');
    expect(log.pending()).toEqual([]);
    expect(await repair(log)).toBe(0);
  });

  it('a replay finds the entry applied, changes nothing and still forgets it', async () => {
    const log = new FakeLog();
    const { entry } = await log.write(edit('fixed'));
    const before = structuredClone(log.message());
    const stored = log.entries[0] as ChangeDocument;
    stored.pending = true;
    expect(await applyChange(entry as ChangeDocument, log.steps(edit('x')))).toStrictEqual(before);
    expect(log.message()).toStrictEqual(before);
    expect(log.pending()).toEqual([]);
  });

  it('when someone else applies it first, reads what they left', async () => {
    const log = new FakeLog();
    const entry = orphan(log, edit('fixed'), { type: 'edited', text: 'fixed' });
    const steps = log.steps(edit('x'));
    const stale = structuredClone(log.message());
    // Another reader repairs between our read and our update.
    await applyChange(entry, steps);
    const result = await applyChange(entry, steps, stale);
    expect(result).toMatchObject({ text: 'fixed', lastChangeSeq: entry.seq });
  });

  it('a deletion removes the texts of the edits before the entry is marked applied', async () => {
    const log = new FakeLog();
    await log.write(edit('secret draft'));
    log.calls.length = 0;
    const { message } = await log.write(checkDelete({ ...target, actor: ADA }));
    expect(message).not.toHaveProperty('text');
    expect(log.entries.find((e) => e.type === 'edited')).not.toHaveProperty('text');
    expect(log.calls).toEqual([
      'insert 4',
      'update 4',
      'remove edit texts of m1',
      'clear 4',
      'head 4',
    ]);
  });

  it('refuses to apply an entry whose predecessor is not applied', async () => {
    const log = new FakeLog();
    const entry = orphan(log, edit('fixed'), { type: 'edited', text: 'fixed' });
    await expect(
      applyChange({ ...entry, prev: 99, seq: 100 }, log.steps(edit('x'))),
    ).rejects.toThrowError(/must be applied in order/);
    expect(log.pending()).toHaveLength(1);
  });
});
