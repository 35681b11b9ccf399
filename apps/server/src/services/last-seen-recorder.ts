import type { User } from '@chatter/protocol';
import type { ChatStore } from '../store/chat-store.js';
import type { Logger } from '../utils/logger.js';

/**
 * Keeps "last seen" times in memory and writes them in batches in the background: a presence
 * time does not need a disk sync per connection, and one batch write serves everyone who came or
 * went in the meantime. Reads see the times not yet written through `pending`.
 */
export class LastSeenRecorder {
  readonly #store: ChatStore;
  readonly #logger: Logger;
  readonly #waiting = new Map<string, { user: User; lastSeen: Date }>();
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> = Promise.resolve();

  constructor({
    store,
    logger,
    intervalMs,
  }: { store: ChatStore; logger: Logger; intervalMs: number }) {
    this.#store = store;
    this.#logger = logger;
    this.#timer = setInterval(() => void this.flush(), intervalMs);
    this.#timer.unref();
  }

  record(user: User, lastSeen: Date): void {
    this.#waiting.set(user.id, { user, lastSeen });
  }

  /** The time recorded for `userId` that is not in the store yet. */
  pending(userId: string): { name: string; lastSeen: string } | undefined {
    const entry = this.#waiting.get(userId);
    return entry && { name: entry.user.name, lastSeen: entry.lastSeen.toISOString() };
  }

  /** Writes what is waiting; one batch at a time, in order. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      if (this.#waiting.size === 0) return;
      const batch = [...this.#waiting.values()];
      try {
        await this.#store.saveUsers(batch);
        // Forget only what this batch wrote; a newer time recorded meanwhile stays for the next.
        for (const entry of batch) {
          if (this.#waiting.get(entry.user.id) === entry) this.#waiting.delete(entry.user.id);
        }
      } catch (error) {
        this.#logger.error({ err: error, users: batch.length }, 'could not record lastSeen');
      }
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }
}
