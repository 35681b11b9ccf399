import type { Message } from '@chatter/protocol';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { MESSAGE_INDEXES, type MessageDocument } from '../models/message-model.js';
import { StoreUnavailableError } from './chat-store.js';
import { type AppendPolicy, type AppendSteps, appendWithRetries } from './mongo-append.js';
import { type CheckedAppend, toMessage } from './mongo-queries.js';

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
  rival: ((room: FakeRoom) => void) | undefined;

  constructor(private readonly idempotencyFirst = false) {}

  newest(): number {
    return Math.max(0, ...this.docs.map((doc) => doc.seq));
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
      author,
      text: 'rival',
      ...(clientId === undefined ? {} : { clientId }),
      createdAt: NOW,
    };
    this.store(doc);
    return doc;
  }

  steps(input: CheckedAppend, overrides: Partial<AppendSteps> = {}): AppendSteps {
    return {
      findOriginal: async () => {
        const doc = this.docs.find(
          (o) =>
            input.clientId !== undefined &&
            o.author.id === input.author.id &&
            o.clientId === input.clientId,
        );
        return doc ? toMessage(doc) : undefined;
      },
      ensureRoom: async () => {},
      newestSeq: async () => this.newest(),
      insert: async (doc) => {
        this.inserts += 1;
        this.rival?.(this);
        this.store(doc);
      },
      advanceHead: async (seq) => void this.heads.push(seq),
      ...overrides,
    };
  }

  policy(maxAttempts = 10): AppendPolicy {
    let ids = 0;
    return {
      maxAttempts,
      backoff: async (attempt) => void this.backoffs.push(attempt),
      newId: () => {
        ids += 1;
        return `ours-${ids}`;
      },
      now: () => NOW,
    };
  }

  append(input: CheckedAppend, maxAttempts?: number) {
    return appendWithRetries(input, this.steps(input), this.policy(maxAttempts));
  }
}

const input = (clientId?: string, author = ADA): CheckedAppend => ({
  room: 'general',
  author,
  text: 'hello',
  clientId,
});

const seqs = (room: FakeRoom) => room.docs.map((doc) => doc.seq).sort((x, y) => x - y);

describe('appendWithRetries', () => {
  it('inserts at head + 1 and then advances the room head', async () => {
    const room = new FakeRoom();
    for (const expected of [1, 2, 3]) {
      const { message, created } = await room.append(input());
      expect(created).toBe(true);
      expect(message.seq).toBe(expected);
    }
    expect(room.heads).toEqual([1, 2, 3]);
    expect(room.backoffs).toEqual([]);
  });

  it('returns the stored message, built from the inserted document', async () => {
    const room = new FakeRoom();
    const result = await room.append(input('c-1'));
    expect(result).toStrictEqual({
      created: true,
      message: {
        id: 'ours-1',
        room: 'general',
        seq: 1,
        text: 'hello',
        author: ADA,
        createdAt: NOW.toISOString(),
        clientId: 'c-1',
      } satisfies Message,
    });
    expect(result.message).toStrictEqual(toMessage(room.docs[0] as MessageDocument));
  });

  it('after losing a race for a seq, takes the next one: no gap, no duplicate', async () => {
    const room = new FakeRoom();
    await room.append(input());
    let rivals = 2;
    room.rival = (r) => {
      if (rivals-- > 0) r.storeRival();
    };
    const { message } = await room.append(input());
    expect(message.seq).toBe(4);
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
    expect(retry).toStrictEqual({ created: false, message: original.message });
    expect(room.inserts).toBe(2);
    expect(room.heads).toEqual([1, 2]);
  });

  it('the same clientId from another author is a new message', async () => {
    const room = new FakeRoom();
    await room.append(input('c-1'));
    const other = await room.append(input('c-1', BOB));
    expect(other).toMatchObject({ created: true, message: { seq: 2, author: BOB } });
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
      expect(result).toStrictEqual({ created: false, message: toMessage(twin as MessageDocument) });
      expect(seqs(room)).toEqual([1]);
      expect(room.heads).toEqual([]);
    },
  );

  it('passes on any other error without retrying', async () => {
    const room = new FakeRoom();
    const network = new mongoose.mongo.MongoNetworkError('connection reset');
    const steps = room.steps(input(), {
      insert: async () => {
        room.inserts += 1;
        throw network;
      },
    });
    await expect(appendWithRetries(input(), steps, room.policy())).rejects.toBe(network);
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
    const steps = room.steps(input('c-1'), {
      insert: async () => {
        throw conflict;
      },
    });
    await expect(appendWithRetries(input('c-1'), steps, room.policy())).rejects.toBe(conflict);
  });

  it('creates the room before the first insert', async () => {
    const room = new FakeRoom();
    const order: string[] = [];
    const steps = room.steps(input(), {
      ensureRoom: async () => void order.push('room'),
      insert: async (doc) => {
        order.push('insert');
        room.store(doc);
      },
    });
    await appendWithRetries(input(), steps, room.policy());
    expect(order).toEqual(['room', 'insert']);
  });
});
