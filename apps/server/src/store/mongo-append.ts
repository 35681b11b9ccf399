import type { MessageDocument } from '../models/message-model.js';
import { MessageNotFoundError, StoreUnavailableError } from './chat-store.js';
import type { ParentDocument } from './mongo-documents.js';
import { duplicateKeyOf } from './mongo-errors.js';
import { type CheckedAppend, messageDocument } from './mongo-queries.js';

/**
 * The room's newest log entry: its `seq` (the head) and its `ordinal` (how many messages the log
 * holds up to it); zeros for an empty room. A new message takes `seq + 1` and `ordinal + 1`, a
 * change `seq + 1` and `ordinal`: both are settled by the same insert that the `(room, seq)`
 * index referees, since a writer whose insert at `seq + 1` succeeds read the entry just before it.
 */
export interface Newest {
  seq: number;
  ordinal: number;
}

/** The reads and writes one batch of appends to one room needs, bound to that room. */
export interface BatchSteps {
  /** The stored messages among `inputs`' `(author.id, clientId)` pairs, by `idempotencyKey`. */
  findOriginals(inputs: readonly CheckedAppend[]): Promise<Map<string, MessageDocument>>;
  /** The one message stored with the input's `(author.id, clientId)`, if any. */
  findOriginal(input: CheckedAppend): Promise<MessageDocument | undefined>;
  /**
   * The messages with these ids, as they are once the room's pending changes are applied (a
   * reply must not answer a message whose deletion is in the log already). Unknown ids are left
   * out.
   */
  findParents(ids: readonly string[]): Promise<Map<string, ParentDocument>>;
  ensureRoom(): Promise<void>;
  /** The room's newest entry (zeros when it has none). */
  newest(): Promise<Newest>;
  /**
   * Inserts `docs` in order in one round trip, stopping at the first failure: how many were
   * stored, and the error of the one that was not (never rejects for a refused document).
   */
  insertOrdered(docs: readonly MessageDocument[]): Promise<{ inserted: number; failure?: unknown }>;
  /** Moves the room document's `head` forward to `seq` (never back). */
  advanceHead(seq: number): Promise<void>;
}

export interface AppendPolicy {
  /** How many seqs to try before giving up; each failed try is one lost race. */
  maxAttempts: number;
  /** Waits after the `attempt`-th lost race, so the losers do not collide again at once. */
  backoff(attempt: number): Promise<void>;
  newId(): string;
  now(): Date;
}

export interface AppendOutcome {
  /** The stored message: the one inserted, or the original of a retry. */
  doc: MessageDocument;
  created: boolean;
}

export const idempotencyKey = (input: {
  author: { id: string };
  clientId?: string | undefined;
}): string | undefined =>
  input.clientId === undefined ? undefined : `${input.author.id}\u0000${input.clientId}`;

type Settled = PromiseSettledResult<AppendOutcome>;

const created = (doc: MessageDocument): Settled => ({
  status: 'fulfilled',
  value: { doc, created: true },
});
const original = (doc: MessageDocument): Settled => ({
  status: 'fulfilled',
  value: { doc, created: false },
});
const failed = (reason: unknown): Settled => ({ status: 'rejected', reason });

/**
 * Appends a batch of messages to one room with one ordered `insertMany`: one round trip (and
 * one write-concern wait) for the batch, where one append at a time costs a chain of them per
 * message. Keeps `appendWithRetries`' guarantees, message by message:
 *
 * - the batch takes `newest + 1 …` in the order of arrival (and the ordinals after the newest
 *   entry's). An ordered insert stops at the first refused document, so what was stored is
 *   always a prefix and no seq is skipped;
 * - a reply whose parent is not a message of the room, or is deleted, fails alone
 *   (`MessageNotFoundError`) before any seq is taken;
 * - a refusal by the `(room, seq)` index means another process took that number: the rest of the
 *   batch reads the head again and retries, up to `policy.maxAttempts` lost races;
 * - a clientId stored before (or by a twin earlier in the batch) returns the original; a refusal
 *   by the idempotency index returns the twin that won;
 * - any other refusal fails that message alone and the batch goes on; an error that is not a
 *   refusal (the connection) fails every message not yet stored.
 */
export const appendBatch = async (
  inputs: readonly CheckedAppend[],
  steps: BatchSteps,
  policy: AppendPolicy,
): Promise<Settled[]> => {
  const results: Array<Settled | undefined> = new Array(inputs.length);
  // The room is stored with its first message, and only then: a batch of replies checks its
  // parents first, so a refused reply to a room nobody wrote in leaves nothing behind. Other
  // batches create it while they look for originals.
  const replies = inputs.some((input) => input.replyTo !== undefined);
  const [originals] = await Promise.all([
    steps.findOriginals(inputs),
    replies ? undefined : steps.ensureRoom(),
  ]);
  const firstOfKey = new Map<string, number>();
  const twins: Array<[twin: number, first: number]> = [];
  let pending: number[] = [];
  inputs.forEach((input, i) => {
    const key = idempotencyKey(input);
    const stored = key === undefined ? undefined : originals.get(key);
    const first = key === undefined ? undefined : firstOfKey.get(key);
    if (stored) results[i] = original(stored);
    else if (first !== undefined) twins.push([i, first]);
    else {
      if (key !== undefined) firstOfKey.set(key, i);
      pending.push(i);
    }
  });

  pending = await checkParents(inputs, pending, steps, results);
  if (replies && pending.length > 0) await steps.ensureRoom();

  let lostRaces = 0;
  let newest = 0;
  while (pending.length > 0) {
    const head = await steps.newest();
    const now = policy.now();
    const docs = pending.map((i, k) =>
      messageDocument(inputs[i] as CheckedAppend, {
        id: policy.newId(),
        seq: head.seq + 1 + k,
        ordinal: head.ordinal + 1 + k,
        now,
      }),
    );
    const { inserted, failure } = await steps.insertOrdered(docs);
    for (let k = 0; k < inserted; k++)
      results[pending[k] as number] = created(docs[k] as MessageDocument);
    if (inserted > 0) newest = (docs[inserted - 1] as MessageDocument).seq;
    if (failure === undefined) break;

    const refused = pending[inserted] as number;
    const rest = pending.slice(inserted + 1);
    const duplicate = duplicateKeyOf(failure);
    if (duplicate === 'seq') {
      lostRaces += 1;
      pending = pending.slice(inserted);
      if (lostRaces < policy.maxAttempts) {
        await policy.backoff(lostRaces);
        continue;
      }
      const error = new StoreUnavailableError(
        `MongoDB: no free seq in room "${inputs[refused]?.room}" after ${policy.maxAttempts} ` +
          'attempts; other writers took every one',
      );
      for (const i of pending) results[i] = failed(error);
      break;
    }
    if (duplicate === undefined) {
      for (const i of pending.slice(inserted)) results[i] = failed(failure);
      break;
    }
    const twin =
      duplicate === 'clientId'
        ? await steps.findOriginal(inputs[refused] as CheckedAppend)
        : undefined;
    results[refused] = twin ? original(twin) : failed(failure);
    pending = rest;
  }

  for (const [twin, first] of twins) {
    const outcome = results[first];
    results[twin] =
      outcome?.status === 'fulfilled' ? original(outcome.value.doc) : (outcome as Settled);
  }
  // The head only speeds up readers of the room document; the messages are the truth, so a
  // failure here does not undo what was stored.
  if (newest > 0) await steps.advanceHead(newest).catch(() => {});
  return results as Settled[];
};

/**
 * Fails the replies among `pending` whose parent is not a live message of the room, and returns
 * the rest. One query for the batch, and none when it holds no reply.
 */
const checkParents = async (
  inputs: readonly CheckedAppend[],
  pending: number[],
  steps: BatchSteps,
  results: Array<Settled | undefined>,
): Promise<number[]> => {
  const ids = [...new Set(pending.flatMap((i) => inputs[i]?.replyTo ?? []))];
  if (ids.length === 0) return pending;
  const parents = await steps.findParents(ids);
  return pending.filter((i) => {
    const input = inputs[i] as CheckedAppend;
    if (input.replyTo === undefined) return true;
    const parent = parents.get(input.replyTo);
    if (!parent || parent.room !== input.room) {
      results[i] = failed(new MessageNotFoundError(input.replyTo, 'missing'));
    } else if (parent.deletedAt instanceof Date) {
      results[i] = failed(new MessageNotFoundError(input.replyTo, 'deleted'));
    } else {
      return true;
    }
    return false;
  });
};
