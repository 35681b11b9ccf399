import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../utils/errors.js';
import { consumeOrRefuse, inMemoryRateLimiters, type RateLimiters } from '../utils/rate-limit.js';

export interface WriteGateOptions {
  /** Sends, edits, deletions and reactions one user may make per minute, together. */
  messagesPerMinute: number;
  /** Where the per-user budget lives: this process, or Redis for a cluster. */
  limiters?: RateLimiters;
}

/**
 * What every write a user makes to a room's log passes: one per-user budget shared by sends,
 * edits, deletions and reactions (`CHATTER_MESSAGES_PER_MINUTE`), and the shutdown drain, which
 * refuses new writes and waits for those already started so that nothing acknowledged is lost.
 * `ChatService` and `MessageChangeService` share one gate, so the budget and the drain are one.
 */
export class WriteGate {
  readonly #limiter: RateLimiterAbstract;
  readonly #pending = new Set<Promise<unknown>>();
  #accepting = true;

  constructor({ messagesPerMinute, limiters = inMemoryRateLimiters }: WriteGateOptions) {
    this.#limiter = limiters('messages', { points: messagesPerMinute, duration: 60 });
  }

  /** Throws UNAVAILABLE once the server is shutting down. */
  open(): void {
    if (!this.#accepting) throw new AppError('UNAVAILABLE', 'The server is shutting down');
  }

  /** Takes one write from the user's budget, or throws RATE_LIMITED with `retryAfterMs`. */
  charge(userId: string): Promise<void> {
    return consumeOrRefuse(this.#limiter, userId, 'Too many messages and changes; slow down');
  }

  /**
   * Starts `write` unless the server began shutting down meanwhile, and keeps it until it
   * settles, so `drain` waits for it.
   */
  async write<T>(write: () => Promise<T>): Promise<T> {
    this.open();
    const pending = write();
    this.#pending.add(pending);
    try {
      return await pending;
    } finally {
      this.#pending.delete(pending);
    }
  }

  /** Refuses new writes and resolves once every write already started has finished. */
  async drain(): Promise<void> {
    this.#accepting = false;
    await Promise.allSettled([...this.#pending]);
  }
}
