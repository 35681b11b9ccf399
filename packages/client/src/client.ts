import {
  type HistoryPayload,
  HistoryResponseSchema,
  LIMITS,
  type Presence,
  RoomNameSchema,
  StatusResponseSchema,
  type User,
  UserIdSchema,
  type UserStatus,
} from '@chatter/protocol';
import { Connection, type ConnectionStatus } from './connection.js';
import { Emitter, type Listener } from './emitter.js';
import { ChatterError, isTransient, toChatterError, validateLocally } from './errors.js';
import { type FetchLike, restRequest } from './http.js';
import { newClientId } from './ids.js';
import { Outbox, type PendingMessage } from './outbox.js';
import { createMemoryOutbox, type OutboxStorage } from './outbox-storage.js';
import { type HistoryPage, type Room, RoomImpl } from './room.js';
import { type GetToken, TokenSource } from './token-source.js';

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
  /** Socket.IO transports, in order (default: long-polling upgraded to WebSocket). */
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
 * - `pending`: a message was queued, sent, stored or refused (see `pending`).
 * - `status`: the connection's state changed.
 * - `error`: something went wrong that no promise reports, such as a malformed event from the
 *   server (which is dropped) or a refused token.
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
 * chat.close();
 * ```
 */
export interface ChatterClient {
  /** `connecting`, `connected` or `disconnected`; changes are reported by the `status` event. */
  readonly connectionStatus: ConnectionStatus;
  /** The user the token names (read from the token), once a token is in hand. */
  readonly user: User | null;
  /** The rooms joined and not left. */
  readonly rooms: readonly Room[];
  /**
   * This user's messages the server has not stored yet, in every room, including those a
   * persistent outbox kept from an earlier page or process. Known from `connect()` on, even
   * while the server is unreachable, so an app can show them before any room is joined.
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
  /** The status of `userIds` (offline ones included), or of every online user when omitted. */
  status(userIds?: readonly string[]): Promise<UserStatus[]>;
  /** Reports this connection as idle or hidden (`true`) or back in use; kept across reconnects. */
  setAway(away: boolean): void;
  /** Disconnects for good. Awaited sends reject with `CLOSED`; a persistent outbox keeps them. */
  close(): void;
}

/**
 * Creates a client. Nothing happens on the network until `connect` or `join`.
 *
 * @example
 * ```ts
 * import { createChatterClient, createGuestSession } from '@chatter/client';
 *
 * const { token } = await createGuestSession('http://localhost:3000', 'Ada');
 * const chat = createChatterClient({ url: 'http://localhost:3000', token });
 * const room = await chat.join('general');
 * room.on('message', (message) => console.log(`${message.author.name}: ${message.text}`));
 * await room.send('Hello, world');
 * ```
 */
export const createChatterClient = (options: ChatterClientOptions): ChatterClient =>
  new ChatterClientImpl(options);

class ChatterClientImpl implements ChatterClient {
  readonly #options: ChatterClientOptions;
  readonly #events = new Emitter<ChatterClientEvents>();
  readonly #tokens: TokenSource;
  readonly #connection: Connection;
  readonly #outbox: Outbox;
  readonly #rooms = new Map<string, RoomImpl>();
  #connectWaiters: Array<{ resolve: () => void; reject: (error: ChatterError) => void }> = [];
  #restored = false;
  #away = false;
  #closed = false;

  constructor(options: ChatterClientOptions) {
    if (!options.token === !options.getToken) {
      throw new ChatterError('VALIDATION', 'Pass either `token` or `getToken` (exactly one)');
    }
    this.#options = options;
    this.#tokens = new TokenSource(options.token, options.getToken);
    this.#connection = new Connection({
      url: options.url,
      tokens: this.#tokens,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      reconnectionDelayMs: options.reconnectionDelayMs ?? 1000,
      reconnectionDelayMaxMs: options.reconnectionDelayMaxMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      transports: options.transports,
      onStatus: (status) => {
        this.#events.emit('status', status);
        if (status === 'disconnected' && this.#closed) this.#rejectWaiters('CLOSED');
      },
      onConnect: () => this.#onConnect(),
      onDisconnect: () => {
        for (const room of this.#rooms.values()) room.connectionLost();
      },
      onServerEvent: ({ event, payload }) => {
        switch (event) {
          case 'message':
            return this.#rooms.get(payload.room)?.receive(payload);
          case 'typing':
            return this.#rooms.get(payload.room)?.typingEvent(payload);
          case 'presence':
            return this.#events.emit('presence', payload);
        }
      },
      onRefused: (error) => {
        this.#reportError(error);
        for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(error);
      },
      reportError: (error) => this.#reportError(error),
    });
    this.#outbox = new Outbox({
      storage: options.outbox ?? createMemoryOutbox(),
      send: async (entry) => {
        const ack = await this.#connection.request('message', {
          room: entry.room,
          text: entry.text,
          clientId: entry.clientId,
        });
        return ack.message;
      },
      isConnected: () => this.#connection.connected,
      refreshToken: () => this.#connection.refreshToken(),
      delivered: (message) => this.#rooms.get(message.room)?.receive(message),
      changed: (room) => {
        this.#rooms.get(room)?.pendingChanged();
        this.#events.emit('pending', this.#outbox.pending());
      },
      reportError: (error) => this.#reportError(error),
    });
  }

  get connectionStatus() {
    return this.#connection.status;
  }
  get user() {
    return this.#tokens.user;
  }
  get rooms(): readonly Room[] {
    return [...this.#rooms.values()];
  }
  get pending(): readonly PendingMessage[] {
    return this.#outbox.pending();
  }

  on<E extends keyof ChatterClientEvents>(event: E, listener: Listener<ChatterClientEvents[E]>) {
    return this.#events.on(event, listener);
  }

  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new ChatterError('CLOSED', 'The client is closed'));
    if (this.#connection.connected) return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => {
      this.#connectWaiters.push({ resolve, reject });
    });
    void this.#restoreOutbox();
    this.#connection.start();
    return connected;
  }

  async join(name: string): Promise<Room> {
    validateLocally(RoomNameSchema, name, 'room');
    const existing = this.#rooms.get(name);
    if (existing?.settled) return existing;
    const room = existing ?? new RoomImpl(name, this.#roomChannel());
    if (!existing) this.#rooms.set(name, room);
    try {
      for (;;) {
        await this.connect();
        try {
          await room.sync();
          return room;
        } catch (error) {
          const chatterError = toChatterError(error);
          if (chatterError.code !== 'DISCONNECTED' && chatterError.code !== 'TIMEOUT') throw error;
        }
      }
    } catch (error) {
      if (!existing && this.#rooms.get(name) === room) this.#rooms.delete(name);
      throw error;
    }
  }

  async status(userIds?: readonly string[]): Promise<UserStatus[]> {
    if (userIds === undefined)
      return (await this.#rest('api/status', StatusResponseSchema, {})).users;
    const ids = [...new Set(userIds)];
    for (const id of ids) {
      validateLocally(UserIdSchema, id, 'user id');
      // The query lists ids separated by commas; such an id cannot be asked for.
      if (id.includes(','))
        throw new ChatterError('VALIDATION', `user id: "${id}" contains a comma`);
    }
    // The server answers at most LIMITS.statusQueryMaxUsers ids per request.
    const batches: string[][] = [];
    for (let start = 0; start < ids.length; start += LIMITS.statusQueryMaxUsers) {
      batches.push(ids.slice(start, start + LIMITS.statusQueryMaxUsers));
    }
    const answers = await Promise.all(
      batches.map((batch) =>
        this.#rest('api/status', StatusResponseSchema, { users: batch.join(',') }),
      ),
    );
    return answers.flatMap((answer) => answer.users);
  }

  setAway(away: boolean): void {
    this.#away = away;
    if (this.#connection.connected) this.#sendAway();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#outbox.close();
    this.#connection.close();
    this.#rejectWaiters('CLOSED');
    for (const room of this.#rooms.values()) room.connectionLost();
    this.#rooms.clear();
  }

  #onConnect(): void {
    for (const waiter of this.#connectWaiters.splice(0)) waiter.resolve();
    if (this.#away) this.#sendAway();
    for (const room of this.#rooms.values()) {
      room.sync().catch((error: unknown) => {
        const chatterError = toChatterError(error);
        if (!isTransient(chatterError)) this.#reportError(chatterError);
      });
    }
    void this.#restoreOutbox();
    this.#outbox.flush(true);
  }

  /**
   * Loads what a persistent outbox kept from an earlier page or process, once. It needs only the
   * user (from the token), not the server, so pending messages show while offline.
   */
  async #restoreOutbox(): Promise<void> {
    if (this.#restored) return;
    this.#restored = true;
    try {
      await this.#tokens.current();
      const userId = this.#tokens.user?.id;
      if (!userId) throw new ChatterError('UNAUTHORIZED', 'The token names no user');
      await this.#outbox.restore(userId);
    } catch (error) {
      // Tried again on the next connection, when a token is more likely to be at hand.
      this.#restored = false;
      if (!this.#closed) this.#reportError(toChatterError(error));
    }
  }

  #sendAway(): void {
    this.#connection.request('away', { away: this.#away }).catch((error: unknown) => {
      const chatterError = toChatterError(error);
      if (chatterError.code !== 'DISCONNECTED') this.#reportError(chatterError);
    });
  }

  #roomChannel() {
    return {
      join: (room: string, since?: { since: number; epoch: string }) =>
        this.#connection.request('join', { room, ...since }),
      history: (payload: HistoryPayload) => this.#history(payload),
      send: (room: string, text: string) => {
        const userId = this.#tokens.user?.id ?? '';
        return this.#outbox.enqueue({
          clientId: newClientId(),
          userId,
          room,
          text,
          createdAt: new Date().toISOString(),
        });
      },
      pending: (room: string) => this.#outbox.pending(room),
      discard: (clientId: string) => this.#outbox.discard(clientId),
      typing: (room: string, typing: boolean) =>
        this.#connection.emitIfConnected('typing', { room, typing }),
      leave: async (room: string) => {
        this.#rooms.delete(room);
        if (!this.#connection.connected) return;
        await this.#connection.request('leave', { room });
      },
      reportError: (error: ChatterError) => this.#reportError(error),
    };
  }

  /** History over the socket when connected, else over REST, so it also works offline-from-socket. */
  async #history(payload: HistoryPayload): Promise<HistoryPage> {
    if (this.#connection.connected) {
      const { messages, hasMore } = await this.#connection.request('history', payload);
      return { messages, hasMore };
    }
    return this.#rest('api/messages', HistoryResponseSchema, { ...payload });
  }

  /** A REST call with the current token; a refused token is refreshed and the call made again. */
  async #rest<Output>(
    path: string,
    schema: Parameters<typeof restRequest<Output>>[0]['schema'],
    query: Record<string, string | number | undefined>,
  ): Promise<Output> {
    if (this.#closed) throw new ChatterError('CLOSED', 'The client is closed');
    const call = async () =>
      restRequest({
        baseUrl: this.#options.url,
        path,
        schema,
        query,
        token: await this.#tokens.current(),
        fetch: this.#options.fetch,
      });
    try {
      return await call();
    } catch (error) {
      if (!(toChatterError(error).code === 'UNAUTHORIZED' && this.#tokens.invalidate()))
        throw error;
      return call();
    }
  }

  #rejectWaiters(code: 'CLOSED'): void {
    const error = new ChatterError(code, 'The client is closed');
    for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(error);
  }

  #reportError(error: ChatterError): void {
    this.#events.emit('error', error);
  }
}
