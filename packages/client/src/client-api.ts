import type { Presence, User } from '@chatter/protocol';
import type { ConnectionStatus } from './connection.js';
import type { RequestOptions } from './deadline.js';
import type { Listener } from './emitter.js';
import type { ChatterError } from './errors.js';
import type { FetchLike } from './http.js';
import type { RoomSummary } from './log-types.js';
import type { ChatterLogger } from './logger.js';
import type { PendingMessage } from './outbox.js';
import type { OutboxStorage } from './outbox-storage.js';
import type { Room } from './room-api.js';
import type { GetToken } from './token-source.js';

interface CommonOptions {
  /** The server's base URL, such as `http://localhost:3000`. */
  url: string;
  /** Where pending messages wait for the server (default: in memory). */
  outbox?: OutboxStorage;
  /** How long to wait for the server to answer a request (default 10 000 ms). */
  ackTimeoutMs?: number;
  /** First reconnection delay, doubled up to `reconnectionDelayMaxMs` (defaults 1000, 5000). */
  reconnectionDelayMs?: number;
  reconnectionDelayMaxMs?: number;
  /** How long one connection attempt may take before it is abandoned and retried (default 10 000 ms). */
  connectTimeoutMs?: number;
  /**
   * Socket.IO transports, tried in order; the next one only when one fails to open (default
   * `['websocket', 'polling']`: WebSocket, and long-polling only where WebSocket is refused,
   * such as behind a proxy that blocks it). Once a transport is open, no other is tried.
   */
  transports?: Array<'polling' | 'websocket' | 'webtransport'>;
  /** The `fetch` used for REST calls (default `globalThis.fetch`). */
  fetch?: FetchLike;
  /**
   * How long `join`, `room.history`, `status` and `rooms` may take in all, waiting for a
   * connection included, before they reject with `TIMEOUT` (default 30 000 ms; `Infinity` for no
   * limit). A call's own `timeoutMs` overrides it. `connect()` has no default limit.
   *
   * @example
   * ```ts
   * createChatterClient({ url, token, requestTimeoutMs: 10_000 });
   * ```
   */
  requestTimeoutMs?: number;
  /**
   * Where the SDK logs connection changes, reconnections, refused and refreshed tokens, dropped
   * malformed events and rate limits (default: nothing is logged).
   *
   * @example
   * ```ts
   * createChatterClient({ url, token, logger: console });
   * ```
   */
  logger?: ChatterLogger;
}

/**
 * Options of {@link createChatterClient}: a fixed `token`, or `getToken` to fetch one on
 * connect, again before the one in hand expires (at 80–90 % of its life or a minute before
 * `exp`, whichever is sooner), and whenever the server refuses the one in hand.
 *
 * @example
 * ```ts
 * const options: ChatterClientOptions = {
 *   url: 'https://chat.example.com',
 *   getToken: () => fetch('/my-backend/chat-token').then((response) => response.text()),
 *   outbox: createIndexedDbOutbox(),
 * };
 * ```
 */
export type ChatterClientOptions = CommonOptions &
  ({ token: string; getToken?: never } | { getToken: GetToken; token?: never });

/**
 * The events of a {@link ChatterClient}.
 *
 * - `presence`: a user who shares a room with this one came online, went away or offline.
 * - `pending`: a message, edit, deletion or reaction was queued, sent, applied or refused (see
 *   `pending`).
 * - `status`: the connection's state changed.
 * - `error`: something went wrong that no promise reports, such as a malformed event from the
 *   server (which is dropped), a refused token, or the reason the server gave for closing the
 *   connection (`RATE_LIMITED` when it kept exceeding its event budgets).
 * - `tokenExpiring`: a fixed `token` (no `getToken`) is near its `exp` (at the point `getToken`
 *   would be asked); call `setToken` with a new one before `expiresAt` (ms since the epoch), or
 *   the server closes the connection then. Emitted once per token.
 * - `change`: something the client's getters show changed (`connectionStatus`, `user`,
 *   `joinedRooms`, `pending`): the one event a UI store subscribes to (see {@link ChatterClient}).
 *
 * @example
 * ```ts
 * const events: Array<keyof ChatterClientEvents> = ['presence', 'status', 'error'];
 * ```
 */
export interface ChatterClientEvents {
  presence: Presence;
  /** The outbox changed: `pending` now holds this. */
  pending: readonly PendingMessage[];
  status: ConnectionStatus;
  error: ChatterError;
  tokenExpiring: { expiresAt: number };
  change: undefined;
}

/**
 * A connection to a Chatter server, made by {@link createChatterClient}.
 *
 * Its getters (`connectionStatus`, `user`, `joinedRooms`, `pending`) return the same value, the
 * same object, until the `change` event that reports a new one, so UI stores can compare them by
 * identity (React's `useSyncExternalStore` needs that). Treat what they return as immutable:
 * arrays are frozen, and a new value is a new object.
 *
 * @example
 * ```ts
 * const chat = createChatterClient({ url: 'http://localhost:3000', token });
 * chat.on('status', (status) => console.log('connection', status));
 * const room = await chat.join('general');
 * await room.send('hello');
 * const unread = (await chat.rooms()).reduce((sum, summary) => sum + summary.unread, 0);
 * chat.close();
 * ```
 */
export interface ChatterClient {
  /**
   * `disconnected` until `connect()` or `join()`, then `connecting` or `connected`; changes are
   * reported by the `status` event (and `change`).
   */
  readonly connectionStatus: ConnectionStatus;
  /**
   * The user the token names (read from the token), once a token is in hand: `null` before a
   * `getToken` client first fetches one. The same object until a token names another user
   * (`change`).
   */
  readonly user: User | null;
  /**
   * The rooms joined by this client and not left (or being joined); the same array until one is
   * joined or left (`change`).
   * (The rooms the server remembers for the user, on every device: `rooms()`.)
   */
  readonly joinedRooms: readonly Room[];
  /**
   * This user's messages (and edits, deletions, reactions) the server has not applied yet, in
   * every room, including those a persistent outbox kept from an earlier page or process. Known
   * from `connect()` on, even while the server is unreachable, so an app can show them before
   * any room is joined. The same array until the next `pending` (and `change`) event.
   */
  readonly pending: readonly PendingMessage[];
  /**
   * Connects, resolving once connected. While the server is unreachable it keeps trying; it
   * rejects if the server refuses for good, the client is closed, `signal` aborts (`ABORTED`)
   * or `timeoutMs` passes (`TIMEOUT`; no limit unless given). A rejection for the signal or the
   * timeout stops only this wait: the client keeps trying in the background, so what is queued
   * goes out once the server is back (`close()` stops it).
   *
   * @example
   * ```ts
   * await chat.connect({ timeoutMs: 5000 }).catch(() => showOfflineBanner());
   * ```
   */
  connect(options?: RequestOptions): Promise<void>;
  /**
   * Joins `room` (connecting first if needed) and resolves after catch-up. Joining twice returns
   * the same room. Rejects with `TIMEOUT` after `timeoutMs` (default: `requestTimeoutMs`, 30 s)
   * and `ABORTED` when `signal` aborts; a join given up on leaves no room behind (not in
   * `joinedRooms`, left on the server if it got there), and joining again works.
   *
   * @example
   * ```ts
   * const controller = new AbortController();
   * cancelButton.onclick = () => controller.abort();
   * const room = await chat.join('general', { signal: controller.signal, timeoutMs: 10_000 });
   * ```
   */
  join(room: string, options?: RequestOptions): Promise<Room>;
  on<E extends keyof ChatterClientEvents>(
    event: E,
    listener: Listener<ChatterClientEvents[E]>,
  ): () => void;
  /**
   * The rooms the server remembers for this user (joined on any device and not left), with each
   * room's head, the user's read position and unread count: for a room list that is the same on
   * every device. Over the socket when connected, else over REST. `signal` and `timeoutMs` as
   * for `join`.
   *
   * @example
   * ```ts
   * const rooms = await chat.rooms({ timeoutMs: 5000 });
   * ```
   */
  rooms(options?: RequestOptions): Promise<RoomSummary[]>;
  /**
   * The status of `userIds` (offline ones included), or of every online user when omitted.
   * `signal` and `timeoutMs` as for `join`.
   *
   * @example
   * ```ts
   * const [ada] = await chat.status(['ada'], { signal: AbortSignal.timeout(3000) });
   * ```
   */
  status(userIds?: readonly string[], options?: RequestOptions): Promise<Presence[]>;
  /**
   * Replaces the token, for the same user (`VALIDATION` otherwise; a new user needs a new
   * client). Connected, the connection carries on with it (the server moves the session's end
   * to its `exp`); it is also used for every later handshake and REST call. If the server
   * refused the old token or closed the connection because it expired, this reconnects, and
   * what was queued meanwhile (`waitingFor: 'token'`) is sent. Works with `token` and with
   * `getToken` (which is still asked when the server refuses a token).
   *
   * @example
   * ```ts
   * chat.on('tokenExpiring', async () => chat.setToken(await fetchNewToken()));
   * ```
   */
  setToken(token: string): void;
  /** Reports this connection as idle or hidden (`true`) or back in use; kept across reconnects. */
  setAway(away: boolean): void;
  /** Disconnects for good. Awaited sends reject with `CLOSED`; a persistent outbox keeps them. */
  close(): void;
}
