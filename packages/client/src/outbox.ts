import type { Message, MessageChange } from '@chatter/protocol';
import { ChatterError, isTransient, toChatterError } from './errors.js';
import type { ChatterLogger } from './logger.js';
import { OutboxEntryKind, type OutboxStorage, type StoredOutboxEntry } from './outbox-storage.js';
import type { PendingMessage, PendingWait } from './pending-message.js';

export type { PendingMessage, PendingWait } from './pending-message.js';

interface Waiting {
  reason: PendingWait;
  retryAt?: number;
}

/**
 * The server's answer to an entry: the message in its latest state, and for a change the log
 * entry it appended (`null` when it changed nothing, such as a repeated reaction).
 */
export interface OutboxResult {
  message: Message;
  change?: MessageChange | null;
}

interface Entry {
  stored: StoredOutboxEntry;
  state: PendingMessage['state'];
  error?: ChatterError;
  attempts: number;
  waiters: Array<{ resolve: (message: Message) => void; reject: (error: ChatterError) => void }>;
}

export interface OutboxDeps {
  storage: OutboxStorage;
  /** Sends one entry over the current connection; throws `ChatterError`. */
  send(entry: StoredOutboxEntry): Promise<OutboxResult>;
  isConnected(): boolean;
  /** Starts getting a fresh token and reconnecting; `false` if this client has no `getToken`. */
  refreshToken(): boolean;
  /** An entry the server acknowledged: a stored message, or a change made. */
  delivered(result: OutboxResult): void;
  changed(room: string): void;
  /** Problems nobody awaits (such as a restored message that fails), for `chat.on('error')`. */
  reportError(error: ChatterError): void;
  logger?: ChatterLogger;
}

const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 30_000;

/** Full jitter: many clients retrying after one outage spread out instead of arriving together. */
const retryDelay = (attempts: number, error: ChatterError): number => {
  const retryAfterMs = (error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) return retryAfterMs;
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(attempts, 16));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
};

/** An entry as it is kept, with the kind that entries of earlier SDK versions leave out. */
const withKind = (entry: StoredOutboxEntry): StoredOutboxEntry =>
  entry.kind ? entry : { ...entry, kind: OutboxEntryKind.MESSAGE };

const NOTHING_PENDING: readonly PendingMessage[] = Object.freeze([]);

/**
 * Messages, and changes to messages, on their way to the server. One at a time and in order, so
 * the server applies them in the order the app made them; each is resent with its `clientId`
 * until the server answers, which makes a resend of an already stored message return the
 * original instead of a copy, and a resent edit apply once. Deletions and reactions need no
 * such id: repeating one changes nothing on the server.
 */
export class Outbox {
  readonly #deps: OutboxDeps;
  readonly #entries: Entry[] = [];
  /** `pending(room)` per room (`undefined`: every room), until an entry of that room changes. */
  readonly #pending = new Map<string | undefined, readonly PendingMessage[]>();
  #running = false;
  #closed = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #wakeRetry: (() => void) | undefined;
  /** What holds the queue, shown on every queued entry; not connected until told otherwise. */
  #waiting: Waiting | undefined = { reason: 'connection' };

  constructor(deps: OutboxDeps) {
    this.#deps = deps;
  }

  /** Adds the user's stored entries (from an earlier page or process) that are not queued yet. */
  async restore(userId: string): Promise<void> {
    const stored = await this.#deps.storage.load(userId);
    const rooms = new Set<string>();
    for (const entry of stored) {
      if (this.#entries.some((each) => each.stored.clientId === entry.clientId)) continue;
      this.#entries.push({ stored: withKind(entry), state: 'queued', attempts: 0, waiters: [] });
      rooms.add(entry.room);
    }
    for (const room of rooms) this.#changed(room);
    this.flush();
  }

  async enqueue(stored: StoredOutboxEntry): Promise<Message> {
    if (this.#closed) throw new ChatterError('CLOSED', 'The client is closed');
    // Persist before anything goes on the wire: a reload right after `send` must not lose it.
    // A storage that fails (quota, private mode) costs only that: the message is still sent.
    try {
      await this.#deps.storage.put(stored);
    } catch (cause) {
      this.#deps.reportError(
        new ChatterError('STORAGE', 'Could not keep the message in the outbox storage', { cause }),
      );
    }
    if (this.#closed) throw new ChatterError('CLOSED', 'The client was closed before sending');
    return new Promise<Message>((resolve, reject) => {
      // A restore that read the storage while we wrote it may have queued this entry already.
      const restored = this.#entries.find((entry) => entry.stored.clientId === stored.clientId);
      if (restored) {
        restored.waiters.push({ resolve, reject });
        return;
      }
      this.#entries.push({
        stored,
        state: 'queued',
        attempts: 0,
        waiters: [{ resolve, reject }],
      });
      this.#changed(stored.room);
      this.flush();
    });
  }

  /**
   * What is pending in `room`, or in every room when `room` is omitted: the same array until
   * something in it changes, so UIs can tell a change by identity.
   */
  pending(room?: string): readonly PendingMessage[] {
    let pending = this.#pending.get(room);
    if (!pending) {
      const entries = this.#entries.filter(
        (entry) => room === undefined || entry.stored.room === room,
      );
      pending =
        entries.length === 0
          ? NOTHING_PENDING
          : Object.freeze(entries.map((entry) => toPending(entry, this.#waiting)));
      this.#pending.set(room, pending);
    }
    return pending;
  }

  /** Drops a failed or still queued message; one being sent right now cannot be taken back. */
  async discard(clientId: string): Promise<boolean> {
    const index = this.#entries.findIndex((entry) => entry.stored.clientId === clientId);
    const entry = this.#entries[index];
    if (!entry || entry.state === 'sending') return false;
    this.#entries.splice(index, 1);
    await this.#deps.storage.remove(clientId);
    for (const waiter of entry.waiters) {
      waiter.reject(new ChatterError('CLOSED', 'The message was discarded before it was sent'));
    }
    this.#changed(entry.stored.room);
    return true;
  }

  /**
   * Says what the connection holds the queue for (`connection`, `token`), or that it holds it no
   * longer (`undefined`, on connect). A wait of the outbox's own (`rate_limit`, `server`) is
   * kept until its time comes, unless the connection now holds the queue instead.
   */
  waitFor(reason: 'connection' | 'token' | undefined): void {
    if (reason === undefined && this.#waiting?.retryAt !== undefined) return;
    this.#setWaiting(reason === undefined ? undefined : { reason });
  }

  /**
   * Sends what is queued, if connected. On a (re)connection `retryNow` also cuts short a
   * backoff wait, since whatever failed may work on the new connection.
   */
  flush(retryNow = false): void {
    if (retryNow) this.#wakeRetry?.();
    if (this.#running || this.#closed) return;
    this.#running = true;
    void this.#run();
  }

  /** Rejects what is awaited (with `CLOSED`); what is stored stays for the next client. */
  close(): void {
    this.#closed = true;
    this.#wakeRetry?.();
    this.#pending.clear();
    for (const entry of this.#entries.splice(0)) {
      for (const waiter of entry.waiters) {
        waiter.reject(
          new ChatterError('CLOSED', 'The client was closed before the server answered'),
        );
      }
    }
  }

  async #run(): Promise<void> {
    try {
      while (!this.#closed && this.#deps.isConnected()) {
        const entry = this.#entries.find((each) => each.state === 'queued');
        if (!entry) return;
        if (!(await this.#sendOne(entry))) return;
      }
    } finally {
      // Cleared in the same task as the loop's last check, so a `flush` never finds it stale.
      this.#running = false;
    }
  }

  /** Sends one entry; `false` when the queue must wait for the next connection. */
  async #sendOne(entry: Entry): Promise<boolean> {
    entry.state = 'sending';
    this.#changed(entry.stored.room);
    try {
      const result = await this.#deps.send(entry.stored);
      await this.#settle(entry, result);
      return true;
    } catch (thrown) {
      const error = toChatterError(thrown);
      if (this.#closed) return false;
      entry.state = 'queued';
      entry.attempts += 1;
      if (error.code === 'DISCONNECTED') {
        this.#changed(entry.stored.room);
        return false;
      }
      if (error.code === 'UNAUTHORIZED' && this.#deps.refreshToken()) {
        this.#changed(entry.stored.room);
        return false;
      }
      if (isTransient(error)) {
        const delay = retryDelay(entry.attempts, error);
        const waiting: Waiting = {
          reason: error.code === 'RATE_LIMITED' ? 'rate_limit' : 'server',
          retryAt: Date.now() + delay,
        };
        this.#deps.logger?.[error.code === 'RATE_LIMITED' ? 'warn' : 'debug'](
          `chatter: the server refused a send (${error.code}); sending again later`,
          { clientId: entry.stored.clientId, retryInMs: Math.round(delay) },
        );
        this.#setWaiting(waiting);
        await this.#sleep(delay);
        // Unless the connection took over meanwhile (then it says when the queue may go).
        if (this.#waiting === waiting) this.#setWaiting(undefined);
        return true;
      }
      this.#changed(entry.stored.room);
      await this.#fail(entry, error);
      return true;
    }
  }

  async #settle(entry: Entry, result: OutboxResult): Promise<void> {
    this.#remove(entry);
    this.#deps.delivered(result);
    this.#changed(entry.stored.room);
    for (const waiter of entry.waiters) waiter.resolve(result.message);
    await this.#forget(entry.stored.clientId);
  }

  async #fail(entry: Entry, error: ChatterError): Promise<void> {
    entry.state = 'failed';
    entry.error = error;
    this.#changed(entry.stored.room);
    if (entry.waiters.length === 0) this.#deps.reportError(error);
    for (const waiter of entry.waiters.splice(0)) waiter.reject(error);
    await this.#forget(entry.stored.clientId);
  }

  /** Every queued entry now waits for `waiting`: each room holding one is told. */
  #setWaiting(waiting: Waiting | undefined): void {
    const before = this.#waiting;
    if (before?.reason === waiting?.reason && before?.retryAt === waiting?.retryAt) return;
    this.#waiting = waiting;
    const rooms = new Set<string>();
    for (const entry of this.#entries) if (entry.state === 'queued') rooms.add(entry.stored.room);
    for (const room of rooms) this.#changed(room);
  }

  /** An entry of `room` was added, removed, or changed state. */
  #changed(room: string): void {
    this.#pending.delete(room);
    this.#pending.delete(undefined);
    this.#deps.changed(room);
  }

  #remove(entry: Entry): void {
    const index = this.#entries.indexOf(entry);
    if (index >= 0) this.#entries.splice(index, 1);
  }

  async #forget(clientId: string): Promise<void> {
    try {
      await this.#deps.storage.remove(clientId);
    } catch (error) {
      // Left in storage, the message is resent later and the server answers with the original.
      this.#deps.reportError(toChatterError(error));
    }
  }

  /** Waits `ms`, or less if `flush` (a reconnection) or `close` comes first. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(this.#retryTimer);
        this.#wakeRetry = undefined;
        resolve();
      };
      this.#wakeRetry = wake;
      this.#retryTimer = setTimeout(wake, ms);
    });
  }
}

const toPending = (
  { stored, state, error }: Entry,
  waiting: Waiting | undefined,
): PendingMessage => ({
  clientId: stored.clientId,
  room: stored.room,
  kind: stored.kind ?? OutboxEntryKind.MESSAGE,
  text: stored.text,
  ...(stored.messageId === undefined ? {} : { messageId: stored.messageId }),
  ...(stored.emoji === undefined ? {} : { emoji: stored.emoji }),
  ...(stored.replyTo === undefined ? {} : { replyTo: stored.replyTo }),
  createdAt: stored.createdAt,
  state,
  ...(error ? { error } : {}),
  ...(state === 'queued' && waiting ? { waitingFor: waiting.reason } : {}),
  ...(state === 'queued' && waiting?.retryAt !== undefined ? { retryAt: waiting.retryAt } : {}),
});
