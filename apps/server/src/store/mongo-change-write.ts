import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument } from '../models/message-model.js';
import { MessageNotFoundError, StoreUnavailableError } from './chat-store.js';
import type { AppendPolicy, Newest } from './mongo-append.js';
import {
  type CheckedChange,
  changeEntry,
  decideChange,
  type EntryUpdate,
  planApply,
} from './mongo-change.js';
import { duplicateKeyOf } from './mongo-errors.js';

/**
 * Writing a change without transactions, and repairing one a process left half done.
 *
 * A change is two writes. First its entry is inserted into the room's log at the next seq, the
 * `(room, seq)` index refereeing between writers exactly as for messages, with `pending: true`
 * and `prev`, the `lastChangeSeq` of the message state it was decided on. A unique
 * `(messageId, prev)` index lets only one change be decided on each state of a message, so a
 * message's changes form one chain, each decided on what the one before left. Once the entry is
 * stored (durably: the connection's write concern), the change has happened.
 *
 * Then the entry is applied to the message document with an update guarded by
 * `lastChangeSeq == prev`, which sets `lastChangeSeq` to the entry's seq: it applies once, and
 * in chain order. Last, `pending` is removed.
 *
 * A process that dies between the writes leaves a pending entry. Every read of a room first
 * applies the room's pending entries in log order (one probe of the pending index, empty but for
 * that moment), and so does a writer whose insert collides with one in the chain index. Applying
 * is idempotent, so a reader and the writer applying the same entry at once is harmless.
 */

/** The database steps of applying entries, bound to one room. */
export interface ApplySteps {
  /** The message as stored now, or null. */
  findMessage(id: string): Promise<MessageDocument | null>;
  /**
   * Runs the guarded update; false when it matched nothing (someone applied it first). `next`
   * is the message as the update leaves it (`applyEntry`); MongoDB needs only the update.
   */
  update(plan: EntryUpdate & { next: MessageDocument }): Promise<boolean>;
  /** Removes the text of the message's edits (after the message is deleted). */
  removeEditTexts(messageId: string): Promise<void>;
  /** Marks the entry applied. */
  clearPending(entry: ChangeDocument): Promise<void>;
}

export interface RepairSteps extends ApplySteps {
  /** The room's pending entries, in log order. */
  findPending(): Promise<ChangeDocument[]>;
}

export interface ChangeSteps extends ApplySteps {
  /** Applies every pending entry of the room (`repairRoom`). */
  repair(): Promise<void>;
  /** The edit stored with this clientId by the same user in the room, if any. */
  findEdit(clientId: string): Promise<ChangeDocument | null>;
  newest(): Promise<Newest>;
  /** Inserts the entry: the refusal, if any (never rejects for one). */
  insert(entry: ChangeDocument): Promise<{ failure?: unknown }>;
  /** Moves the room document's `head` forward to `seq` (never back). */
  advanceHead(seq: number): Promise<void>;
}

const inconsistent = (entry: ChangeDocument, doc: MessageDocument) =>
  new Error(
    `change ${entry.seq} of room "${entry.room}" follows change ${entry.prev} of message ` +
      `${entry.messageId}, which shows change ${doc.lastChangeSeq ?? 0} as its last: the room's ` +
      'pending changes must be applied in order',
  );

/**
 * Applies one entry to its message. `known` is the message in the state the entry was decided
 * on, when the caller has it (the writer). Returns the message as it is afterwards, or null if
 * it does not exist (messages are never removed, so only for a corrupt log).
 */
export const applyChange = async (
  entry: ChangeDocument,
  steps: ApplySteps,
  known?: MessageDocument,
): Promise<MessageDocument | null> => {
  let doc = known ?? (await steps.findMessage(entry.messageId));
  if (!doc) {
    await steps.clearPending(entry);
    return null;
  }
  let plan = planApply(doc, entry);
  if (plan.action === 'apply') {
    if (await steps.update(plan)) {
      doc = plan.next;
    } else {
      // Someone else applied it between our read and our write: read what they left.
      doc = await steps.findMessage(entry.messageId);
      if (!doc) throw new Error(`message ${entry.messageId} vanished while a change was applied`);
      plan = planApply(doc, entry);
      if (plan.action === 'apply') throw inconsistent(entry, doc);
    }
  }
  if (plan.action === 'blocked') throw inconsistent(entry, doc);
  // A deletion removes the text from storage, the edits' included; before `pending` goes, so a
  // crash in between leaves the entry for the next reader to finish.
  if (entry.type === 'deleted') await steps.removeEditTexts(entry.messageId);
  await steps.clearPending(entry);
  return doc;
};

/** Applies the room's pending entries in log order; returns how many there were. */
export const repairRoom = async (steps: RepairSteps): Promise<number> => {
  const pending = await steps.findPending();
  for (const entry of pending) await applyChange(entry, steps);
  return pending.length;
};

export interface ChangeOutcome {
  /** The message as the change left it. */
  message: MessageDocument;
  /** The entry appended (the original one for a retried edit), or null for a no-op. */
  entry: ChangeDocument | null;
}

/**
 * Appends one change to the room's log and applies it (see above). No-ops append nothing; a
 * retried edit (same room, user and clientId) answers with its original entry and the message
 * as it is now.
 */
export const writeChange = async (
  change: CheckedChange,
  steps: ChangeSteps,
  policy: AppendPolicy,
): Promise<ChangeOutcome> => {
  const clientId = change.request.type === 'edit' ? change.request.clientId : undefined;
  const retried = async (): Promise<ChangeOutcome | undefined> => {
    if (clientId === undefined) return undefined;
    const original = await steps.findEdit(clientId);
    if (!original) return undefined;
    if (original.pending) await steps.repair();
    const message = await steps.findMessage(original.messageId);
    if (!message) throw new MessageNotFoundError(original.messageId, 'missing');
    return { message, entry: original };
  };

  const original = await retried();
  if (original) return original;
  let lostRaces = 0;
  for (;;) {
    const doc = await steps.findMessage(change.messageId);
    const intent = decideChange(doc, change);
    // decideChange throws for a missing message, so `doc` is there.
    if (!doc) throw new MessageNotFoundError(change.messageId, 'missing');
    if (!intent) {
      // An edit that finds its text in place may be the retry of an edit that got in since we
      // looked for it (a retry racing its original over two servers): that one is the answer.
      return (await retried()) ?? { message: doc, entry: null };
    }

    const head = await steps.newest();
    const entry = changeEntry(doc, change, intent, {
      id: policy.newId(),
      seq: head.seq + 1,
      ordinal: head.ordinal,
      now: policy.now(),
    });
    const { failure } = await steps.insert(entry);
    if (failure === undefined) {
      const message = (await applyChange(entry, steps, doc)) ?? doc;
      // The head only speeds up readers of the room document; the log is the truth.
      await steps.advanceHead(entry.seq).catch(() => {});
      return { message, entry };
    }

    const duplicate = duplicateKeyOf(failure);
    if (duplicate === 'editClientId') {
      // The same edit, retried over another connection, got in first.
      const twin = await retried();
      if (twin) return twin;
      throw failure;
    }
    if (duplicate !== 'seq' && duplicate !== 'chain') throw failure;
    lostRaces += 1;
    if (lostRaces >= policy.maxAttempts) {
      throw new StoreUnavailableError(
        `MongoDB: no free seq for a change in room "${change.room}" after ${policy.maxAttempts} ` +
          'attempts; other writers took every one',
      );
    }
    // `seq`: another writer took the number; read the head again. `chain`: another change of
    // this message was decided on the same state and is in the log, maybe not applied yet.
    // Apply it, then decide again on what it left (the request may have become a no-op), unless
    // it was this very edit, retried over another connection.
    if (duplicate === 'seq') {
      await policy.backoff(lostRaces);
      continue;
    }
    await steps.repair();
    const twin = await retried();
    if (twin) return twin;
  }
};
