import type { ChatterError } from './errors.js';

interface Waiter {
  resolve: () => void;
  reject: (error: ChatterError) => void;
}

/**
 * The `connect` and `join` calls waiting for the connection, settled together when it opens,
 * is refused for good, or the client closes.
 */
export class ConnectWaiters {
  #waiters: Waiter[] = [];

  /** Resolves on the next connection; once `signal` aborts, this wait is dropped (unsettled). */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#waiters.push(waiter);
      // Given up on: the waiter goes, the connection keeps trying for the others.
      signal.addEventListener('abort', () => {
        this.#waiters = this.#waiters.filter((each) => each !== waiter);
      });
    });
  }

  /** Connected: every wait so far resolves. */
  resolveAll(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  /** Refused or closed: every wait so far rejects with `error`. */
  rejectAll(error: ChatterError): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
