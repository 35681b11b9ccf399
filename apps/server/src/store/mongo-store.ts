import type { Message, User } from '@chatter/protocol';
import type { Connection } from 'mongoose';
import type { ChatModels } from '../models/models.js';
import type { RoomDocument } from '../models/room-model.js';
import { newMessageId } from '../utils/ids.js';
import type { Logger } from '../utils/logger.js';
import {
  type AppendMessageInput,
  type AppendResult,
  type ChatStore,
  type CommitObserver,
  type HistoryPage,
  type HistoryRange,
  type RoomState,
  type RoomView,
  type StoredUser,
  StoreUnavailableError,
} from './chat-store.js';
import { KeyedBatches } from './keyed-batches.js';
import { type AppendPolicy, appendBatch, type BatchSteps, idempotencyKey } from './mongo-append.js';
import { duplicateKeyOf, pingFailure, readFailure } from './mongo-errors.js';
import { readDefaultEpoch, rotateMongoEpochs } from './mongo-meta.js';
import {
  type CheckedAppend,
  checkAppend,
  headAdvance,
  historyQuery,
  newestSeqQuery,
  originalFilter,
  originalsFilter,
  roomCreation,
  roomFilter,
  toMessage,
  toStoredUser,
  userFilter,
  usersFilter,
  userUpdate,
} from './mongo-queries.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const APPEND_POLICY: AppendPolicy = {
  // Each round of a race has a winner, so a writer only runs out after losing this many rounds
  // in a row to other processes (appends within one process are queued, never race).
  maxAttempts: 100,
  // Random, growing waits so the writers that lost a round do not collide again on the next.
  backoff: (attempt) => sleep(Math.random() * Math.min(2 ** attempt, 50)),
  newId: newMessageId,
  now: () => new Date(),
};

const PING_TIMEOUT_MS = 5000;

/**
 * Where an ordered `insertMany` stopped: the driver reports the refused document's index and
 * its error in `writeErrors`; everything before that index was stored. An error without
 * `writeErrors` (the connection, a timeout) stored nothing we can count on.
 */
const orderedInsertFailure = (error: unknown): { inserted: number; failure: unknown } => {
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  const first = (Array.isArray(writeErrors) ? writeErrors[0] : writeErrors) as
    | { index?: unknown; code?: unknown; errmsg?: unknown; err?: { keyPattern?: unknown } }
    | undefined;
  if (typeof first?.index !== 'number') return { inserted: 0, failure: error };
  return {
    inserted: first.index,
    // The shape `duplicateKeyOf` reads: the code, the key pattern and the index name in the text.
    failure: Object.assign(new Error(String(first.errmsg ?? 'write error')), {
      code: first.code,
      keyPattern: first.err?.keyPattern,
      cause: error,
    }),
  };
};

/**
 * The MongoDB store, keeping the embedded store's guarantees without transactions (a standalone
 * server has none). A message's `seq` is assigned by the one insert that stores it, with the
 * unique `(room, seq)` index refereeing between processes (see `mongo-append.ts`). Appends to one
 * room are queued within a process, so those races only happen between processes. Heads are read
 * from the messages, the truth; the room document's `head` follows them with `$max`.
 */
export class MongoChatStore implements ChatStore {
  private closed = false;
  // Appends to one room wait while its previous batch is written, then go together.
  private readonly appends = new KeyedBatches<CheckedAppend, AppendResult>((room, inputs) =>
    this.appendBatch(room, inputs),
  );

  constructor(
    private readonly connection: Connection,
    private readonly models: ChatModels,
    /** `hosts/database`, for messages. */
    readonly target: string,
    logger?: Logger,
    /**
     * Told of each batch of appends to one room that stored or found at least one message: the
     * time from its first read to its last write, and how many appends it held.
     */
    private readonly onCommit?: CommitObserver,
  ) {
    // The driver reconnects by itself; these lines tell operators why writes fail meanwhile.
    connection.on('disconnected', () => {
      if (!this.closed) logger?.warn({ target }, `lost the connection to MongoDB at ${target}`);
    });
    connection.on('reconnected', () => {
      logger?.info({ target }, `reconnected to MongoDB at ${target}`);
    });
  }

  async viewRoom(room: string): Promise<RoomView> {
    const stored = await this.getRoom(room);
    if (stored) return { ...stored, stored: true };
    const epoch = await this.read(() => readDefaultEpoch(this.database()));
    return { room, epoch, head: 0, stored: false };
  }

  async getRoom(room: string): Promise<RoomState | null> {
    this.assertOpen();
    const [doc, head] = await this.read(() =>
      Promise.all([
        this.models.Room.findOne(roomFilter(room)).lean<RoomDocument>(),
        this.newestSeq(room),
      ]),
    );
    return doc ? { room, epoch: doc.epoch, head } : null;
  }

  async appendMessage(input: AppendMessageInput): Promise<AppendResult> {
    this.assertOpen();
    const checked = checkAppend(input);
    return this.appends.run(checked.room, checked);
  }

  async listMessages(range: HistoryRange): Promise<HistoryPage> {
    this.assertOpen();
    const query = historyQuery(range);
    const docs = await this.read(() =>
      this.models.Message.find(query.filter).sort(query.sort).limit(query.limit).lean(),
    );
    const page = docs.slice(0, range.limit).map(toMessage);
    if (query.sort.seq === -1) page.reverse();
    return { messages: page, hasMore: docs.length > range.limit };
  }

  async saveUser(user: User, lastSeen: Date): Promise<void> {
    this.assertOpen();
    await this.models.User.updateOne(userFilter(user.id), userUpdate(user.name, lastSeen), {
      upsert: true,
    });
  }

  async saveUsers(users: ReadonlyArray<{ user: User; lastSeen: Date }>): Promise<void> {
    this.assertOpen();
    if (users.length === 0) return;
    // One round trip for the batch; unordered, so one user's failure does not stop the rest.
    await this.models.User.bulkWrite(
      users.map(({ user, lastSeen }) => ({
        updateOne: {
          filter: userFilter(user.id),
          update: userUpdate(user.name, lastSeen),
          upsert: true,
        },
      })),
      { ordered: false },
    );
  }

  async getUsers(ids: readonly string[]): Promise<StoredUser[]> {
    this.assertOpen();
    if (ids.length === 0) return [];
    const docs = await this.read(() => this.models.User.find(usersFilter(ids)).lean());
    return docs.map(toStoredUser);
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const db = this.database();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer to ping within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([db.command({ ping: 1 }), timeout]);
    } catch (error) {
      throw pingFailure(error, this.target);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Gives every room (and the default epoch) a new epoch, after a `mongorestore`: every client
   * resets at its next join. Run with the servers stopped; a running one would keep serving
   * clients that have not rejoined from what they hold.
   */
  async rotateEpochs(): Promise<{ rooms: number; epoch: string }> {
    this.assertOpen();
    return rotateMongoEpochs(this.database());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connection.close();
  }

  /**
   * Closed is final. Checked by every method because the driver would otherwise reconnect a
   * closed client on its next operation.
   */
  /** Runs a read; what the driver throws reaches clients as UNAVAILABLE (see readFailure). */
  private async read<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw readFailure(error, this.target);
    }
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new StoreUnavailableError(`the MongoDB store (${this.target}) is closed`);
    }
  }

  private async appendBatch(
    room: string,
    inputs: CheckedAppend[],
  ): Promise<Array<PromiseSettledResult<AppendResult>>> {
    this.assertOpen();
    const startedAt = performance.now();
    const { Message, Room } = this.models;
    const steps: BatchSteps = {
      findOriginals: async (batch) => {
        const keyed = batch.filter((input) => input.clientId !== undefined);
        if (keyed.length === 0) return new Map();
        const docs = await Message.find(originalsFilter(room, keyed)).lean();
        const byKey = new Map<string, Message>();
        for (const doc of docs) {
          const key = idempotencyKey({ ...doc, clientId: doc.clientId ?? undefined });
          if (key !== undefined) byKey.set(key, toMessage(doc));
        }
        return byKey;
      },
      findOriginal: (input) => this.findOriginal(input),
      ensureRoom: async () => void (await this.roomDocument(room)),
      newestSeq: () => this.newestSeq(room),
      insertOrdered: async (docs) => {
        try {
          await Message.insertMany(docs, { ordered: true });
          return { inserted: docs.length };
        } catch (error) {
          return orderedInsertFailure(error);
        }
      },
      advanceHead: async (seq) => void (await Room.updateOne(roomFilter(room), headAdvance(seq))),
    };
    const results = await appendBatch(inputs, steps, APPEND_POLICY);
    if (this.onCommit && results.some((result) => result.status === 'fulfilled')) {
      this.onCommit((performance.now() - startedAt) / 1000, inputs.length);
    }
    return results;
  }

  private async findOriginal(input: CheckedAppend): Promise<Message | undefined> {
    if (input.clientId === undefined) return undefined;
    const filter = originalFilter({ ...input, clientId: input.clientId });
    const doc = await this.models.Message.findOne(filter).lean();
    return doc ? toMessage(doc) : undefined;
  }

  private async newestSeq(room: string): Promise<number> {
    const query = newestSeqQuery(room);
    const newest = await this.models.Message.findOne(query.filter, query.projection)
      .sort(query.sort)
      .lean();
    return newest?.seq ?? 0;
  }

  private database() {
    const db = this.connection.db;
    if (!db) throw new StoreUnavailableError(`MongoDB at ${this.target} is not connected`);
    return db;
  }

  /**
   * The room's document, created at its first message if it is missing. It takes the default
   * epoch, the one its joiners were shown while it was unwritten, so they do not reset.
   */
  private async roomDocument(room: string): Promise<RoomDocument> {
    const filter = roomFilter(room);
    const existing = await this.models.Room.findOne(filter).lean<RoomDocument>();
    if (existing) return existing;
    try {
      // Concurrent creators all upsert; `$setOnInsert` makes the first one's epoch the only one.
      const created = await this.models.Room.findOneAndUpdate(
        filter,
        roomCreation(await readDefaultEpoch(this.database()), new Date()),
        { upsert: true, returnDocument: 'after', runValidators: true },
      ).lean<RoomDocument>();
      if (created) return created;
    } catch (error) {
      // Two upserts raced to insert the same _id; the loser reads the winner's room.
      if (duplicateKeyOf(error) === undefined) throw error;
    }
    const winner = await this.models.Room.findOne(filter).lean<RoomDocument>();
    if (!winner) throw new Error(`room "${room}" vanished while it was being created`);
    return winner;
  }
}
