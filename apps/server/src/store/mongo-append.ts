import type { Message } from '@chatter/protocol';
import type { MessageDocument } from '../models/message-model.js';
import { StoreUnavailableError } from './chat-store.js';
import { duplicateKeyOf } from './mongo-errors.js';
import { type CheckedAppend, messageDocument, toMessage } from './mongo-queries.js';

/** The reads and writes one append needs, bound to one room and one input by the store. */
export interface AppendSteps {
  /** The message stored earlier with the same `(room, author.id, clientId)`, if any. */
  findOriginal(): Promise<Message | undefined>;
  /** Creates the room, and so its epoch, if it does not exist yet. */
  ensureRoom(): Promise<void>;
  /** The room's newest `seq`, 0 when it has no message. */
  newestSeq(): Promise<number>;
  /** Inserts the message; rejects with the driver's error when a unique index refuses it. */
  insert(doc: MessageDocument): Promise<void>;
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
  message: Message;
  created: boolean;
}

/**
 * One append, without transactions. The insert is the single write that both assigns the seq
 * and stores the message:
 *
 * - it takes `newest + 1`; the unique `(room, seq)` index refuses it when another writer took
 *   that number first, and we read the head again and retry. A refused insert stores nothing,
 *   so no number is ever skipped;
 * - a clientId seen before returns the stored message; if a concurrent twin wins the race, the
 *   unique `(room, author.id, clientId)` index refuses our insert and we return the twin;
 * - the room's `head` is advanced after the insert. Readers take heads from the messages, so a
 *   crash between the two writes leaves no wrong number behind.
 */
export const appendWithRetries = async (
  input: CheckedAppend,
  steps: AppendSteps,
  policy: AppendPolicy,
): Promise<AppendOutcome> => {
  const [original] = await Promise.all([steps.findOriginal(), steps.ensureRoom()]);
  if (original) return { message: original, created: false };

  for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
    const seq = (await steps.newestSeq()) + 1;
    const doc = messageDocument(input, { id: policy.newId(), seq, now: policy.now() });
    try {
      await steps.insert(doc);
    } catch (error) {
      const duplicate = duplicateKeyOf(error);
      if (duplicate === 'seq') {
        await policy.backoff(attempt);
        continue;
      }
      if (duplicate === 'clientId') {
        const twin = await steps.findOriginal();
        if (twin) return { message: twin, created: false };
      }
      throw error;
    }
    await steps.advanceHead(seq);
    return { message: toMessage(doc), created: true };
  }
  throw new StoreUnavailableError(
    `MongoDB: no free seq in room "${input.room}" after ${policy.maxAttempts} attempts; ` +
      'other writers took every one',
  );
};
