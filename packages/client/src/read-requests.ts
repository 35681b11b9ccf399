import type { ReadState } from '@chatter/protocol';
import { type ChatterError, isTransient, toChatterError } from './errors.js';

export interface ReadRequestsDeps {
  /** Sends `read` on the current connection and returns the server's answer; throws `ChatterError`. */
  send(seq: number): Promise<ReadState>;
  /** Whether the room is joined on the current connection, so `read` can go out. */
  canSend(): boolean;
  /** Where this user's reading stands now. */
  current(): ReadState;
  /** The server's answer to a `read`, for the room to take. */
  answered(state: ReadState): void;
}

interface Waiter {
  seq: number;
  resolve: (state: ReadState) => void;
  reject: (error: ChatterError) => void;
}

/** How long to wait before asking again after the server failed to answer for a passing reason. */
const RETRY_MS = 1000;

/**
 * The read positions a user asked for and the server has not confirmed yet. One `read` at a
 * time, for the furthest position wanted (a later call for a further one supersedes an earlier
 * one); while the room is not joined, the furthest position wanted waits and goes out after the
 * next join.
 */
export class ReadRequests {
  readonly #deps: ReadRequestsDeps;
  #wanted = 0;
  #waiters: Waiter[] = [];
  #sending = false;

  constructor(deps: ReadRequestsDeps) {
    this.#deps = deps;
  }

  /** Asks to move the read position to `seq`; resolves with the server's answer. */
  mark(seq: number): Promise<ReadState> {
    if (seq <= this.#deps.current().seq) return Promise.resolve(this.#deps.current());
    return new Promise((resolve, reject) => {
      this.#waiters.push({ seq, resolve, reject });
      this.#wanted = Math.max(this.#wanted, seq);
      this.flush();
    });
  }

  /** Sends what is wanted, if the room is joined (called again after every join). */
  flush(): void {
    if (this.#sending || this.#wanted === 0 || !this.#deps.canSend()) return;
    this.#sending = true;
    void this.#run().finally(() => {
      this.#sending = false;
    });
  }

  /** Settles every waiter now: with `error`, or else with where reading stands (history replaced). */
  cancel(error?: ChatterError): void {
    this.#wanted = 0;
    for (const waiter of this.#waiters.splice(0)) {
      if (error) waiter.reject(error);
      else waiter.resolve(this.#deps.current());
    }
  }

  async #run(): Promise<void> {
    while (this.#wanted > 0 && this.#deps.canSend()) {
      const seq = this.#wanted;
      try {
        const state = await this.#deps.send(seq);
        this.#deps.answered(state);
        this.#settle(seq, (waiter) => waiter.resolve(state));
      } catch (thrown) {
        const error = toChatterError(thrown);
        // Asked again at once if the room was joined again meanwhile (the answer to a request
        // lost with its connection may come only at its timeout), else after the next join.
        if (error.code === 'DISCONNECTED') continue;
        if (isTransient(error)) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
        this.#settle(seq, (waiter) => waiter.reject(error));
      }
    }
  }

  /** Settles the waiters for `seq` and below; a further position wanted meanwhile stays wanted. */
  #settle(seq: number, settle: (waiter: Waiter) => void): void {
    if (this.#wanted <= seq) this.#wanted = 0;
    const done = this.#waiters.filter((waiter) => waiter.seq <= seq);
    this.#waiters = this.#waiters.filter((waiter) => waiter.seq > seq);
    for (const waiter of done) settle(waiter);
  }
}
