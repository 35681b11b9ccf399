import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { MESSAGE_INDEXES, type MessageDocument } from '../models/message-model.js';
import { MessageNotFoundError, StoreUnavailableError } from './chat-store.js';
import { type AppendPolicy, appendBatch, type BatchSteps, idempotencyKey } from './mongo-append.js';
import type { ParentDocument } from './mongo-documents.js';
import type { CheckedAppend } from './mongo-queries.js';

const ADA = { id: 'user-ada', name: 'Ada' };
const BOB = { id: 'user-bob', name: 'Bob' };
const NOW = new Date('2026-01-02T03:04:05.678Z');

const duplicateKey = (index: string, keyPattern: Record<string, 1>) =>
  new mongoose.mongo.MongoServerError({
    message: `E11000 duplicate key error collection: chatter.messages index: ${index} dup key`,
    code: 11000,
    keyPattern,
  });

/**
 * The messages collection of one room with its two unique indexes, as MongoDB enforces them.
 * `rival` runs just before each of our inserts, standing in for another process that reads the
 * same head and inserts first. `idempotencyFirst` picks which index reports a document that
 * breaks both (the server does not promise an order).
 */
class FakeRoom {
  readonly docs: MessageDocument[] = [];
  readonly heads: number[] = [];
  readonly backoffs: number[] = [];
  inserts = 0;
  ids = 0;
  rival: ((room: FakeRoom) => void) | undefined;

  constructor(private readonly idempotencyFirst = false) {}

  newest(): number {
    return Math.max(0, ...this.docs.map((doc) => doc.seq));
  }

  /** Messages stored so far: every document here is a message, so the count is the ordinal. */
  ordinal(): number {
    return this.docs.length;
  }

  store(doc: MessageDocument): void {
    const seqTaken = this.docs.some((other) => other.seq === doc.seq);
    const keyTaken =
      doc.clientId !== undefined &&
      this.docs.some((o) => o.author.id === doc.author.id && o.clientId === doc.clientId);
    const seqError = duplicateKey(MESSAGE_INDEXES.roomSeq, { room: 1, seq: 1 });
    const keyError = duplicateKey(MESSAGE_INDEXES.idempotency, {
      room: 1,
      'author.id': 1,
      clientId: 1,
    });
    if (this.idempotencyFirst && keyTaken) throw keyError;
    if (seqTaken) throw seqError;
    if (keyTaken) throw keyError;
    this.docs.push(doc);
  }

  /** A message from someone else, stored at the next seq. */
  storeRival(author = BOB, clientId?: string): MessageDocument {
    const doc: MessageDocument = {
      _id: `rival-${this.docs.length + 1}`,
      room: 'general',
      seq: this.newest() + 1,
      ordinal: this.ordinal() + 1,
      author,
      text: 'rival',
      ...(clientId === undefined ? {} : { clientId }),
      createdAt: NOW,
    };
    this.store(doc);
    return doc;
  }

  steps(overrides: Partial<BatchSteps> = {}): BatchSteps {
    const findOriginal = async (input: CheckedAppend) => {
      const doc = this.docs.find(
        (o) =>
          input.clientId !== undefined &&
          o.author.id === input.author.id &&
          o.clientId === input.clientId,
      );
      return doc;
    };
    return {
      findOriginals: async (inputs) => {
        const found = new Map<string, MessageDocument>();
        for (const input of inputs) {
          const original = await findOriginal(input);
          const key = idempotencyKey(input);
          if (original && key !== undefined) found.set(key, original);
        }
        return found;
      },
      findOriginal,
      findParents: async (ids) =>
        new Map(
          this.docs
            .filter((doc) => ids.includes(doc._id))
            .map((doc): [string, ParentDocument] => [doc._id, doc]),
        ),
      ensureRoom: async () => {},
      newest: async () => ({ seq: this.newest(), ordinal: this.ordinal() }),
      // As MongoDB runs an ordered insertMany: in order, stopping at the first refusal.
      insertOrdered: async (docs) => {
        this.inserts += 1;
        this.rival?.(this);
        for (const [inserted, doc] of docs.entries()) {
          try {
            this.store(doc);
          } catch (failure) {
            return { inserted, failure };
          }
        }
        return { inserted: docs.length };
      },
      advanceHead: async (seq) => void this.heads.push(seq),
      ...overrides,
    };
  }

  policy(maxAttempts = 10): AppendPolicy {
    return {
      maxAttempts,
      backoff: async (attempt) => void this.backoffs.push(attempt),
      newId: () => {
        this.ids += 1;
        return `ours-${this.ids}`;
      },
      now: () => NOW,
    };
  }

  /** One message alone, as one batch. */
  async append(input: CheckedAppend, maxAttempts?: number) {
    const [result] = await this.batch([input], maxAttempts);
    if (result?.status === 'rejected') throw result.reason;
    if (!result) throw new Error('no result');
    return result.value;
  }

  batch(inputs: CheckedAppend[], maxAttempts?: number, overrides?: Partial<BatchSteps>) {
    return appendBatch(inputs, this.steps(overrides), this.policy(maxAttempts));
  }
}

const input = (clientId?: string, author = ADA): CheckedAppend => ({
  room: 'general',
  author,
  text: 'hello',
  clientId,
});

const seqs = (room: FakeRoom) => room.docs.map((doc) => doc.seq).sort((x, y) => x - y);
const ordinals = (room: FakeRoom) => room.docs.map((doc) => [doc.seq, doc.ordinal]);

describe('appendBatch, one message at a time', () => {
  it('inserts at head + 1 and then advances the room head', async () => {
    const room = new FakeRoom();
    for (const expected of [1, 2, 3]) {
      const { doc, created } = await room.append(input());
      expect(created).toBe(true);
      expect(doc).toMatchObject({ seq: expected, ordinal: expected });
    }
    expect(room.heads).toEqual([1, 2, 3]);
    expect(room.backoffs).toEqual([]);
  });

  it('returns the inserted document', async () => {
    const room = new FakeRoom();
    const result = await room.append(input('c-1'));
    expect(result).toStrictEqual({
      created: true,
      doc: {
        _id: 'ours-1',
        room: 'general',
        seq: 1,
        ordinal: 1,
        text: 'hello',
        author: ADA,
        createdAt: NOW,
        clientId: 'c-1',
      } satisfies MessageDocument,
    });
    expect(result.doc).toBe(room.docs[0]);
  });

  it('takes the ordinal after the newest entry, which a change entry carries too', async () => {
    const room = new FakeRoom();
    await room.append(input());
    // As if the log went on with change entries: seq 2 and 3, still one message.
    const steps = room.steps({ newest: async () => ({ seq: 3, ordinal: 1 }) });
    const [result] = await appendBatch([input(), input()], steps, room.policy());
    expect(result).toMatchObject({ status: 'fulfilled', value: { doc: { seq: 4, ordinal: 2 } } });
    expect(ordinals(room)).toEqual([
      [1, 1],
      [4, 2],
      [5, 3],
    ]);
  });

  it('after losing a race for a seq, takes the next one: no gap, no duplicate', async () => {
    const room = new FakeRoom();
    await room.append(input());
    let rivals = 2;
    room.rival = (r) => {
      if (rivals-- > 0) r.storeRival();
    };
    const { doc } = await room.append(input());
    expect(doc).toMatchObject({ seq: 4, ordinal: 4 });
    expect(seqs(room)).toEqual([1, 2, 3, 4]);
    expect(room.backoffs).toEqual([1, 2]);
    // Only our own insert moves the head here; the rivals advance theirs themselves.
    expect(room.heads).toEqual([1, 4]);
  });

  it('gives up with a clear error after losing every attempt, having stored nothing', async () => {
    const room = new FakeRoom();
    room.rival = (r) => void r.storeRival();
    const failure = room.append(input(), 5);
    await expect(failure).rejects.toThrowError(StoreUnavailableError);
    await expect(failure).rejects.toThrowError(
      'MongoDB: no free seq in room "general" after 5 attempts',
    );
    expect(room.inserts).toBe(5);
    expect(room.docs.filter((doc) => doc.author.id === ADA.id)).toEqual([]);
    expect(seqs(room)).toEqual([1, 2, 3, 4, 5]);
    expect(room.heads).toEqual([]);
  });

  it('a retried clientId returns the original without inserting', async () => {
    const room = new FakeRoom();
    const original = await room.append(input('c-1'));
    await room.append(input());
    const retry = await room.append(input('c-1'));
    expect(retry).toStrictEqual({ created: false, doc: original.doc });
    expect(room.inserts).toBe(2);
    expect(room.heads).toEqual([1, 2]);
  });

  it('the same clientId from another author is a new message', async () => {
    const room = new FakeRoom();
    await room.append(input('c-1'));
    const other = await room.append(input('c-1', BOB));
    expect(other).toMatchObject({ created: true, doc: { seq: 2, author: BOB } });
  });

  it.each([
    ['the seq index', false],
    ['the idempotency index', true],
  ])(
    'a twin that wins the race returns its message, whichever index reports it first (%s)',
    async (_, idempotencyFirst) => {
      const room = new FakeRoom(idempotencyFirst);
      let twin: MessageDocument | undefined;
      // The twin (the same send, retried over another connection) lands between our lookup and
      // our insert.
      room.rival = (r) => {
        twin ??= r.storeRival(ADA, 'c-1');
      };
      const result = await room.append(input('c-1'));
      expect(result).toStrictEqual({ created: false, doc: twin });
      expect(seqs(room)).toEqual([1]);
      expect(room.heads).toEqual([]);
    },
  );

  it('passes on any other error without retrying', async () => {
    const room = new FakeRoom();
    const network = new mongoose.mongo.MongoNetworkError('connection reset');
    const [result] = await room.batch([input()], 10, {
      insertOrdered: async () => {
        room.inserts += 1;
        return { inserted: 0, failure: network };
      },
    });
    expect(result).toEqual({ status: 'rejected', reason: network });
    expect(room.inserts).toBe(1);
    expect(room.heads).toEqual([]);
  });

  it('passes on a clientId conflict whose original cannot be found', async () => {
    const room = new FakeRoom();
    const conflict = duplicateKey(MESSAGE_INDEXES.idempotency, {
      room: 1,
      'author.id': 1,
      clientId: 1,
    });
    const [result] = await room.batch([input('c-1')], 10, {
      insertOrdered: async () => ({ inserted: 0, failure: conflict }),
    });
    expect(result).toEqual({ status: 'rejected', reason: conflict });
  });

  it('creates the room before the first insert', async () => {
    const room = new FakeRoom();
    const order: string[] = [];
    const plain = room.steps();
    await room.batch([input()], 10, {
      ensureRoom: async () => void order.push('room'),
      insertOrdered: async (docs) => {
        order.push('insert');
        return plain.insertOrdered(docs);
      },
    });
    expect(order).toEqual(['room', 'insert']);
  });
});

const texts = (room: FakeRoom) =>
  [...room.docs].sort((x, y) => x.seq - y.seq).map((doc) => `${doc.seq}:${doc.text}`);

const numbered = (n: number, clientId = (i: number) => `c-${i}`): CheckedAppend[] =>
  Array.from({ length: n }, (_, i) => ({ ...input(clientId(i)), text: `m${i}` }));

describe('appendBatch, many messages at once', () => {
  it('stores a batch with one insert, in the order of arrival, and moves the head once', async () => {
    const room = new FakeRoom();
    const results = await room.batch(numbered(5));
    expect(results.map((r) => r.status === 'fulfilled' && r.value.doc.seq)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    expect(texts(room)).toEqual(['1:m0', '2:m1', '3:m2', '4:m3', '5:m4']);
    expect(room.inserts).toBe(1);
    expect(room.heads).toEqual([5]);
  });

  it('after a rival takes the seq in the middle of a batch, the rest retries after it: no gap', async () => {
    const room = new FakeRoom();
    const plain = room.steps();
    let raced = false;
    const results = await room.batch(numbered(4), 10, {
      insertOrdered: async (docs) => {
        room.inserts += 1;
        // Our first two land, then another process takes the third number.
        if (!raced && docs.length === 4) {
          raced = true;
          room.store(docs[0] as MessageDocument);
          room.store(docs[1] as MessageDocument);
          room.storeRival();
          return plain.insertOrdered(docs.slice(2)).then(({ failure }) => ({
            inserted: 2,
            failure: failure ?? new Error('expected a refusal'),
          }));
        }
        return plain.insertOrdered(docs);
      },
    });
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(seqs(room)).toEqual([1, 2, 3, 4, 5]);
    expect(texts(room)).toEqual(['1:m0', '2:m1', '3:rival', '4:m2', '5:m3']);
    expect(room.backoffs).toEqual([1]);
    expect(room.heads).toEqual([5]);
  });

  it('a twin within the batch and a retry of an earlier message return the original', async () => {
    const room = new FakeRoom();
    const earlier = await room.append(input('c-old'));
    const results = await room.batch([
      { ...input('c-a'), text: 'first' },
      { ...input('c-old'), text: 'retry of the earlier one' },
      { ...input('c-a'), text: 'twin of first' },
      { ...input(), text: 'no clientId' },
    ]);
    const values = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    expect(values[0]).toMatchObject({ created: true, doc: { seq: 2, text: 'first' } });
    expect(values[1]).toStrictEqual({ created: false, doc: earlier.doc });
    expect(values[2]).toStrictEqual({ created: false, doc: values[0]?.doc });
    expect(values[3]).toMatchObject({ created: true, doc: { seq: 3 } });
    expect(texts(room)).toEqual(['1:hello', '2:first', '3:no clientId']);
  });

  it('a message refused by another index fails alone; the rest of the batch is stored gap-free', async () => {
    const room = new FakeRoom();
    const plain = room.steps();
    const other = duplicateKey('some_operator_index', { text: 1 });
    const results = await room.batch(numbered(3), 10, {
      // The second document breaks some other unique index: the first is stored, the batch stops.
      insertOrdered: async (docs) => {
        if (docs.length < 3) return plain.insertOrdered(docs);
        await plain.insertOrdered(docs.slice(0, 1));
        return { inserted: 1, failure: other };
      },
    });
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toEqual({ status: 'rejected', reason: other });
    expect(texts(room)).toEqual(['1:m0', '2:m2']);
  });

  it('a connection error fails what was not stored and keeps what was', async () => {
    const room = new FakeRoom();
    const plain = room.steps();
    const network = new mongoose.mongo.MongoNetworkError('connection reset');
    const results = await room.batch(numbered(3), 10, {
      insertOrdered: async (docs) => {
        await plain.insertOrdered(docs.slice(0, 1));
        return { inserted: 1, failure: network };
      },
    });
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(texts(room)).toEqual(['1:m0']);
    expect(room.heads).toEqual([1]);
  });
});

describe('appendBatch, replies', () => {
  const reply = (replyTo: string, room = 'general'): CheckedAppend => ({
    ...input(),
    room,
    text: `re ${replyTo}`,
    replyTo,
  });

  it('stores a reply to a live message of the room, with one lookup for the batch', async () => {
    const room = new FakeRoom();
    const parent = await room.append(input());
    const lookups: string[][] = [];
    const plain = room.steps();
    const results = await room.batch([reply(parent.doc._id), reply(parent.doc._id)], 10, {
      findParents: async (ids) => {
        lookups.push([...ids]);
        return plain.findParents(ids);
      },
    });
    expect(results.map((r) => r.status === 'fulfilled' && r.value.doc.replyTo)).toEqual([
      parent.doc._id,
      parent.doc._id,
    ]);
    expect(lookups).toEqual([[parent.doc._id]]);
  });

  it('fails a reply to an unknown, foreign or deleted message alone, taking no seq', async () => {
    const room = new FakeRoom();
    const parent = await room.append(input());
    const deleted = await room.append(input());
    const plain = room.steps();
    const foreign: ParentDocument = { ...parent.doc, _id: 'foreign', room: 'elsewhere' };
    const results = await room.batch(
      [reply('nowhere'), reply('foreign'), reply(deleted.doc._id), reply(parent.doc._id)],
      10,
      {
        findParents: async (ids) => {
          const found = await plain.findParents(ids);
          found.set('foreign', foreign);
          const gone = found.get(deleted.doc._id);
          if (gone) found.set(gone._id, { ...gone, text: undefined, deletedAt: NOW });
          return found;
        },
      },
    );
    expect(results.map((r) => (r.status === 'rejected' ? r.reason : r.value.doc.seq))).toEqual([
      new MessageNotFoundError('nowhere', 'missing'),
      new MessageNotFoundError('foreign', 'missing'),
      new MessageNotFoundError(deleted.doc._id, 'deleted'),
      3,
    ]);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ reason: 'deleted' });
    expect(seqs(room)).toEqual([1, 2, 3]);
  });

  it('stores no room for a refused reply, and creates it only after checking parents', async () => {
    const room = new FakeRoom();
    const order: string[] = [];
    const plain = room.steps();
    const steps = (found: boolean) =>
      room.steps({
        ensureRoom: async () => void order.push('room'),
        findParents: async (ids) => {
          order.push('parents');
          return found
            ? new Map([[ids[0] as string, { ...plainParent, _id: ids[0] as string }]])
            : plain.findParents(ids);
        },
      });
    const plainParent: ParentDocument = {
      _id: 'p',
      room: 'general',
      seq: 1,
      author: BOB,
      text: 'parent',
    };
    const [refused] = await appendBatch([reply('nowhere')], steps(false), room.policy());
    expect(refused?.status).toBe('rejected');
    expect(order).toEqual(['parents']);
    const [stored] = await appendBatch([reply('p')], steps(true), room.policy());
    expect(stored?.status).toBe('fulfilled');
    expect(order).toEqual(['parents', 'parents', 'room']);
  });

  it('answers a retried reply with its original without looking at the parent again', async () => {
    const room = new FakeRoom();
    const parent = await room.append(input());
    const original = await room.append({ ...reply(parent.doc._id), clientId: 'r-1' });
    let lookups = 0;
    const plain = room.steps();
    const [retry] = await room.batch([{ ...reply(parent.doc._id), clientId: 'r-1' }], 10, {
      findParents: async (ids) => {
        lookups += 1;
        return plain.findParents(ids);
      },
    });
    expect(retry).toEqual({ status: 'fulfilled', value: { created: false, doc: original.doc } });
    expect(lookups).toBe(0);
  });
});
