import type { ClientEventName, Message, MessageChange } from '@chatter/protocol';
import { EVENT_LIMITS } from '../event-limits.js';
import { AppError } from '../utils/errors.js';

/**
 * Which budget each client event spends. Writes to a room's log (`message`, `edit`, `delete`,
 * `react`, `unreact`) have none here: they share one budget per user
 * (`CHATTER_MESSAGES_PER_MINUTE`), across all of that user's connections and REST.
 */
export const EVENT_BUDGET_OF = {
  typing: 'events',
  away: 'events',
  leave: 'events',
  read: 'events',
  rooms: 'events',
  auth: 'events',
  join: 'reads',
  history: 'reads',
  message: undefined,
  edit: undefined,
  delete: undefined,
  react: undefined,
  unreact: undefined,
} as const satisfies Record<ClientEventName, 'events' | 'reads' | undefined>;

export interface EventBudgetOptions {
  eventsPerSecond: number;
  readBytesPerSecond: number;
  refusalsBeforeDisconnect: number;
  /** Milliseconds on a monotonic clock. */
  now?: () => number;
}

/** A refused event: its answer, and whether the connection has now been refused too often. */
export interface Refusal {
  error: AppError;
  disconnect: boolean;
}

/**
 * One connection's token buckets, made at its first budgeted event: six numbers (~80 bytes).
 * `refusals` counts up instead of down: recent refusals, less those forgiven since.
 */
interface Buckets {
  events: number;
  eventsAt: number;
  reads: number;
  readsAt: number;
  refusals: number;
  refusalsAt: number;
}

/** A token bucket's level after `elapsedMs` of refilling at `perMs`, never above `capacity`. */
const refilled = (level: number, elapsedMs: number, perMs: number, capacity: number): number =>
  Math.min(capacity, level + elapsedMs * perMs);

// JSON of a reaction beyond its emoji and user ids: the keys and the count.
const REACTION_OVERHEAD_BYTES = 40;

/** Roughly what a message weighs as JSON, without serialising it. */
const approximateMessageBytes = (message: Message): number => {
  let bytes = message.text.length + message.author.name.length + EVENT_LIMITS.messageOverheadBytes;
  if (message.replyTo) {
    bytes += message.replyTo.excerpt.length + message.replyTo.author.name.length;
    bytes += EVENT_LIMITS.messageOverheadBytes;
  }
  // Each reaction lists up to `LIMITS.reactionUsersListed` user ids: at worst far more than the text.
  for (const reaction of message.reactions ?? []) {
    bytes += reaction.emoji.length + REACTION_OVERHEAD_BYTES;
    for (const userId of reaction.users) bytes += userId.length + 3;
  }
  return bytes;
};

/**
 * Roughly what a page weighs as JSON, without serialising it: its messages, and the changes
 * of a forward page, each of which carries its message whole.
 */
export const approximateBytes = (
  messages: readonly Message[],
  changes: readonly MessageChange[] = [],
): number => {
  let bytes = 0;
  for (const message of messages) bytes += approximateMessageBytes(message);
  for (const change of changes) {
    bytes += approximateMessageBytes(change.message) + EVENT_LIMITS.messageOverheadBytes;
  }
  return bytes;
};

/**
 * Per-connection event budgets: token buckets for cheap events (typing, away, leave, read, auth,
 * rooms) and for reads (join, history), the latter in approximate bytes. A read is let through
 * while its budget holds the cost of a request; what it returned is charged afterwards, so one
 * large page may run the budget into debt, which the next reads wait out. Every refusal is counted, and a
 * connection refused `refusalsBeforeDisconnect` times in quick succession is told to go.
 *
 * Keyed weakly by the connection, so a closed connection's buckets go with it.
 */
export class EventBudgets {
  readonly #eventsPerMs: number;
  readonly #eventCapacity: number;
  readonly #readBytesPerMs: number;
  readonly #readCapacity: number;
  readonly #refusalsBeforeDisconnect: number;
  readonly #now: () => number;
  readonly #buckets = new WeakMap<object, Buckets>();

  constructor(options: EventBudgetOptions) {
    this.#eventsPerMs = options.eventsPerSecond / 1000;
    this.#eventCapacity = options.eventsPerSecond * EVENT_LIMITS.eventBurstSeconds;
    this.#readBytesPerMs = options.readBytesPerSecond / 1000;
    this.#readCapacity = options.readBytesPerSecond * EVENT_LIMITS.readBurstSeconds;
    this.#refusalsBeforeDisconnect = options.refusalsBeforeDisconnect;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Spends what `event` costs up front; a refusal when the budget cannot pay for it. */
  spend(connection: object, event: ClientEventName): Refusal | undefined {
    const budget = EVENT_BUDGET_OF[event];
    if (budget === undefined) return undefined;
    const buckets = this.#bucketsOf(connection);
    const now = this.#now();
    if (budget === 'events') {
      buckets.events = refilled(
        buckets.events,
        now - buckets.eventsAt,
        this.#eventsPerMs,
        this.#eventCapacity,
      );
      buckets.eventsAt = now;
      if (buckets.events >= 1) {
        buckets.events -= 1;
        return undefined;
      }
      return this.#refuse(buckets, now, (1 - buckets.events) / this.#eventsPerMs, event);
    }
    this.#refillReads(buckets, now);
    const cost = EVENT_LIMITS.readRequestCostBytes;
    if (buckets.reads >= cost) {
      buckets.reads -= cost;
      return undefined;
    }
    return this.#refuse(buckets, now, (cost - buckets.reads) / this.#readBytesPerMs, event);
  }

  /** Charges a read for the bytes it returned, after the fact. */
  chargeRead(connection: object, bytes: number): void {
    const buckets = this.#buckets.get(connection);
    if (!buckets) return;
    this.#refillReads(buckets, this.#now());
    buckets.reads -= bytes;
  }

  #bucketsOf(connection: object): Buckets {
    let buckets = this.#buckets.get(connection);
    if (!buckets) {
      const now = this.#now();
      buckets = {
        events: this.#eventCapacity,
        eventsAt: now,
        reads: this.#readCapacity,
        readsAt: now,
        refusals: 0,
        refusalsAt: now,
      };
      this.#buckets.set(connection, buckets);
    }
    return buckets;
  }

  #refillReads(buckets: Buckets, now: number): void {
    buckets.reads = refilled(
      buckets.reads,
      now - buckets.readsAt,
      this.#readBytesPerMs,
      this.#readCapacity,
    );
    buckets.readsAt = now;
  }

  #refuse(buckets: Buckets, now: number, waitMs: number, event: ClientEventName): Refusal {
    const forgiven = ((now - buckets.refusalsAt) / 1000) * EVENT_LIMITS.refusalsForgivenPerSecond;
    buckets.refusals = Math.max(0, buckets.refusals - forgiven) + 1;
    buckets.refusalsAt = now;
    const what =
      EVENT_BUDGET_OF[event] === 'reads'
        ? 'reads (join, history)'
        : 'typing, away, leave, read, rooms and auth events';
    return {
      error: new AppError('RATE_LIMITED', `Too many ${what} on this connection; slow down`, {
        retryAfterMs: Math.ceil(waitMs),
      }),
      disconnect: buckets.refusals >= this.#refusalsBeforeDisconnect,
    };
  }
}
