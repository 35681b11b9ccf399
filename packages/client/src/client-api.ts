import type { Presence, User } from '@chatter/protocol';
import type { ConnectionStatus } from './connection.js';
import type { Listener } from './emitter.js';
import type { ChatterError } from './errors.js';
import type { FetchLike } from './http.js';
import type { RoomSummary } from './log-types.js';
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
}

/**
 * Options of {@link createChatterClient}: a fixed `token`, or `getToken` to fetch one on
 * connect and again whenever the server refuses the one in hand.
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
}

/**
 * A connection to a Chatter server, made by {@link createChatterClient}.
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
  /** `connecting`, `connected` or `disconnected`; changes are reported by the `status` event. */
  readonly connectionStatus: ConnectionStatus;
  /** The user the token names (read from the token), once a token is in hand. */
  readonly user: User | null;
  /**
   * The rooms joined by this client and not left; the same array until one is joined or left.
   * (The rooms the server remembers for the user, on every device: `rooms()`.)
   */
  readonly joinedRooms: readonly Room[];
  /**
   * This user's messages (and edits, deletions, reactions) the server has not applied yet, in
   * every room, including those a persistent outbox kept from an earlier page or process. Known
   * from `connect()` on, even while the server is unreachable, so an app can show them before
   * any room is joined. The same array until the next `pending` event.
   */
  readonly pending: readonly PendingMessage[];
  /**
   * Connects, resolving once connected. While the server is unreachable it keeps trying; it
   * rejects only if the server refuses for good or the client is closed.
   */
  connect(): Promise<void>;
  /** Joins `room` (connecting first if needed) and resolves after catch-up. Joining twice returns the same room. */
  join(room: string): Promise<Room>;
  on<E extends keyof ChatterClientEvents>(
    event: E,
    listener: Listener<ChatterClientEvents[E]>,
  ): () => void;
  /**
   * The rooms the server remembers for this user (joined on any device and not left), with each
   * room's head, the user's read position and unread count: for a room list that is the same on
   * every device. Over the socket when connected, else over REST.
   */
  rooms(): Promise<RoomSummary[]>;
  /** The status of `userIds` (offline ones included), or of every online user when omitted. */
  status(userIds?: readonly string[]): Promise<Presence[]>;
  /** Reports this connection as idle or hidden (`true`) or back in use; kept across reconnects. */
  setAway(away: boolean): void;
  /** Disconnects for good. Awaited sends reject with `CLOSED`; a persistent outbox keeps them. */
  close(): void;
}
