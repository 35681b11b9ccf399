import type { Message } from '@chatter/protocol';
import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument } from '../models/message-model.js';
import type { ChatModels } from '../models/models.js';
import { newMessageId } from '../utils/ids.js';
import {
  type AppendResult,
  type ChangeResult,
  type CommitObserver,
  StoreUnavailableError,
} from './chat-store.js';
import { KeyedBatches } from './keyed-batches.js';
import { type AppendOutcome, type AppendPolicy, appendBatch, type Newest } from './mongo-append.js';
import type { CheckedChange } from './mongo-change.js';
import { type ApplySteps, repairRoom, writeChange } from './mongo-change-write.js';
import {
  missingParentIds,
  PARENT_PROJECTION,
  type ParentDocument,
  toChange,
  toMessage,
} from './mongo-documents.js';
import { messagesFilter, newestEntryQuery, pendingQuery } from './mongo-log-queries.js';
import { applySteps, batchSteps, changeSteps, type RoomBindings } from './mongo-log-steps.js';
import type { CheckedAppend } from './mongo-queries.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const WRITE_POLICY: AppendPolicy = {
  // Each round of a race has a winner, so a writer only runs out after losing this many rounds
  // in a row to other processes (writes to one room within one process are queued, never race).
  maxAttempts: 100,
  // Random, growing waits so the writers that lost a round do not collide again on the next.
  backoff: (attempt) => sleep(Math.random() * Math.min(2 ** attempt, 50)),
  newId: newMessageId,
  now: () => new Date(),
};

type RoomWrite = { op: 'append'; input: CheckedAppend } | { op: 'change'; change: CheckedChange };
type Settled<T> = PromiseSettledResult<T>;

export interface MongoLogOptions {
  models: ChatModels;
  /** `hosts/database`, for messages. */
  target: string;
  /** Throws once the store is closed: writes still queued then must not run. */
  assertOpen(): void;
  /** Creates the room document, with the default epoch, if it is missing. */
  ensureRoom(room: string): Promise<void>;
  /** See `MongoChatStore`: told of each batch of appends that stored or found a message. */
  onCommit?: CommitObserver | undefined;
  /** Told of a failure of work done after answering (marking an applied change). */
  onBackgroundError?: ((error: unknown) => void) | undefined;
}

/**
 * A room's log in MongoDB: appends and changes, which take the room's seqs, and the repair of
 * changes a process left half applied (see `mongo-change-write.ts`). Within this process, every
 * write to one room waits in one queue (appends that wait together go as one batch), so only
 * other processes race for a room's seqs.
 */
export class MongoLog {
  readonly #options: MongoLogOptions;
  // Each item is answered with its own op's result: an append with an AppendResult, a change
  // with a ChangeResult (see #writeBatch), which is what `append` and `change` assert.
  readonly #writes = new KeyedBatches<RoomWrite, AppendResult | ChangeResult>((room, items) =>
    this.#writeBatch(room, items),
  );
  readonly #background = new Set<Promise<void>>();

  constructor(options: MongoLogOptions) {
    this.#options = options;
  }

  append(input: CheckedAppend): Promise<AppendResult> {
    return this.#writes.run(input.room, { op: 'append', input }) as Promise<AppendResult>;
  }

  change(change: CheckedChange): Promise<ChangeResult> {
    return this.#writes.run(change.room, { op: 'change', change }) as Promise<ChangeResult>;
  }

  /** The room's head: the seq of its newest entry, 0 when it has none. */
  async head(room: string): Promise<number> {
    return (await this.#newestEntry(room))?.seq ?? 0;
  }

  /** The room's newest entry: head and message count. */
  async newest(room: string): Promise<Newest> {
    const doc = await this.#newestEntry(room);
    if (!doc) return { seq: 0, ordinal: 0 };
    if (typeof doc.ordinal !== 'number') {
      throw new StoreUnavailableError(
        `MongoDB at ${this.#options.target}: entry ${doc.seq} of room "${doc.room}" has no ` +
          'ordinal, so an older Chatter is still writing to this database; stop every older ' +
          'server, then restart this one to upgrade the data',
      );
    }
    return { seq: doc.seq, ordinal: doc.ordinal };
  }

  /** Applies the room's pending changes, in log order; how many there were (usually 0). */
  repair(room: string): Promise<number> {
    const { Change } = this.#options.models;
    return repairRoom({
      ...this.#applySteps(false),
      findPending: () => {
        const query = pendingQuery(room);
        return Change.find(query.filter).sort(query.sort).lean<ChangeDocument[]>();
      },
    });
  }

  /**
   * The protocol messages of `docs`, replies with their parents' current excerpt: one query for
   * the parents that are neither in `docs` nor in `known`, none when there are none.
   */
  async messages(
    docs: readonly MessageDocument[],
    known?: ReadonlyMap<string, ParentDocument>,
  ): Promise<Message[]> {
    const parents = new Map<string, ParentDocument>(known ?? []);
    for (const doc of docs) parents.set(doc._id, doc);
    const missing = missingParentIds(docs, parents);
    if (missing.length > 0) {
      const found = await this.#options.models.Message.find(messagesFilter(missing))
        .select(PARENT_PROJECTION)
        .lean<ParentDocument[]>();
      for (const parent of found) parents.set(parent._id, parent);
    }
    return docs.map((doc) => toMessage(doc, parents));
  }

  /** Waits for the work started after answering (marking changes applied). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#background]);
  }

  #newestEntry(room: string) {
    const query = newestEntryQuery(room);
    return this.#options.models.Message.findOne(query.filter)
      .select(query.projection)
      .sort(query.sort)
      .lean<{ room?: string; seq: number; ordinal?: unknown }>();
  }

  /** Runs the room's queued writes in order: runs of appends as one batch, changes one by one. */
  async #writeBatch(
    room: string,
    items: RoomWrite[],
  ): Promise<Array<Settled<AppendResult | ChangeResult>>> {
    const results: Array<Settled<AppendResult | ChangeResult>> = [];
    for (let start = 0; start < items.length; ) {
      const item = items[start] as RoomWrite;
      if (item.op === 'change') {
        results.push(await settle(this.#writeChange(item.change)));
        start += 1;
        continue;
      }
      let end = start;
      const inputs: CheckedAppend[] = [];
      for (let next = items[end]; next?.op === 'append'; next = items[++end])
        inputs.push(next.input);
      results.push(...(await this.#appendRun(room, inputs)));
      start = end;
    }
    return results;
  }

  async #appendRun(room: string, inputs: CheckedAppend[]): Promise<Array<Settled<AppendResult>>> {
    try {
      this.#options.assertOpen();
      const startedAt = performance.now();
      const parents = new Map<string, ParentDocument>();
      const steps = batchSteps(this.#bindings(room), parents);
      const settled = await appendBatch(inputs, steps, WRITE_POLICY);
      const stored = settled.flatMap((result) => (result.status === 'fulfilled' ? [result] : []));
      if (this.#options.onCommit && stored.length > 0) {
        this.#options.onCommit((performance.now() - startedAt) / 1000, inputs.length);
      }
      const messages = await this.messages(
        stored.map((result) => result.value.doc),
        parents,
      );
      const byId = new Map(messages.map((message) => [message.id, message]));
      return settled.map((result) => toAppendResult(result, byId));
    } catch (error) {
      return inputs.map(() => ({ status: 'rejected', reason: error }));
    }
  }

  async #writeChange(change: CheckedChange): Promise<ChangeResult> {
    this.#options.assertOpen();
    const steps = changeSteps(this.#bindings(change.room), change.actor.id, this.#applySteps(true));
    const outcome = await writeChange(change, steps, WRITE_POLICY);
    const [message] = await this.messages([outcome.message]);
    if (!message) throw new Error('no message for a change');
    return { message, change: outcome.entry ? toChange(outcome.entry, message) : null };
  }

  #bindings(room: string): RoomBindings {
    return {
      models: this.#options.models,
      room,
      repair: () => this.repair(room),
      newest: () => this.newest(room),
      ensureRoom: () => this.#options.ensureRoom(room),
    };
  }

  /**
   * `deferClear`: the writer answers without waiting for `pending` to be removed (see
   * `applySteps`); a reader waits, so what it returns is settled.
   */
  #applySteps(deferClear: boolean): ApplySteps {
    return applySteps(this.#options.models, async (write) => {
      const done = write.then(() => {});
      if (deferClear) this.#track(done);
      else await done;
    });
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.#options.onBackgroundError?.(error));
    this.#background.add(tracked);
    void tracked.finally(() => this.#background.delete(tracked));
  }
}

const settle = async <T>(work: Promise<T>): Promise<Settled<T>> => {
  try {
    return { status: 'fulfilled', value: await work };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
};

const toAppendResult = (
  result: Settled<AppendOutcome>,
  messages: ReadonlyMap<string, Message>,
): Settled<AppendResult> => {
  if (result.status === 'rejected') return result;
  const message = messages.get(result.value.doc._id);
  if (!message)
    return { status: 'rejected', reason: new Error('a stored message was not converted') };
  return { status: 'fulfilled', value: { message, created: result.value.created } };
};
