import type { ChatterError } from './errors.js';
import type { OutboxEntryKind } from './outbox-storage.js';

/**
 * Something the app asked of the server that it has not acknowledged yet (`queued`, `sending`),
 * or that the server refused for good (`failed`, with the reason in `error`): a message
 * (`kind: 'message'`) or a change to one (`edit`, `delete`, `react`, `unreact`, on
 * `messageId`). `text` is the text of a message or an edit, and empty for the other kinds.
 * A `queued` entry that cannot go out now says why in `waitingFor` (see {@link PendingWait}).
 *
 * @example
 * ```ts
 * for (const pending of room.pending) {
 *   if (pending.kind !== 'message') continue; // edits and reactions show on their message
 *   if (pending.state === 'failed') render(pending.text, pending.error?.message);
 *   else if (pending.waitingFor === 'rate_limit') render(pending.text, `waiting until ${new Date(pending.retryAt ?? 0).toLocaleTimeString()}`);
 *   else render(pending.text, pending.waitingFor ? `waiting for ${pending.waitingFor}` : 'sending…');
 * }
 * ```
 */
export interface PendingMessage {
  clientId: string;
  room: string;
  kind: OutboxEntryKind;
  text: string;
  /** The message an `edit`, `delete`, `react` or `unreact` applies to. */
  messageId?: string;
  /** The emoji of a `react` or `unreact`. */
  emoji?: string;
  /** The message a `message` replies to. */
  replyTo?: string;
  createdAt: string;
  state: 'queued' | 'sending' | 'failed';
  error?: ChatterError;
  /** Why a `queued` entry is not going out now; absent when it is next in line. */
  waitingFor?: PendingWait;
  /** With `rate_limit` and `server`: when it is sent again (ms since the epoch, as `Date.now()`). */
  retryAt?: number;
}

/**
 * Why a `queued` {@link PendingMessage} waits. Whatever holds the queue holds every entry
 * queued, since entries go out one at a time and in order. None of these loses the entry: it is
 * sent as soon as the reason is gone, and its promise stays pending meanwhile.
 *
 * - `connection`: not connected (before `connect()`, offline, reconnecting).
 * - `rate_limit`: the server refused it for the user's message budget; resent at `retryAt`.
 * - `server`: the server failed or did not answer in time; resent at `retryAt`, with backoff.
 * - `token`: the server refused the token (a fixed `token` that expired, or no token from
 *   `getToken`); sent once `chat.setToken()` gives a new one.
 *
 * @example
 * ```ts
 * const label: Record<PendingWait, string> = {
 *   connection: 'offline',
 *   rate_limit: 'slowing down',
 *   server: 'retrying',
 *   token: 'sign in again',
 * };
 * ```
 */
export type PendingWait = 'connection' | 'rate_limit' | 'server' | 'token';
