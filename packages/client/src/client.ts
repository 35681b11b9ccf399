import { type Message, type Presence, RoomNameSchema } from '@chatter/protocol';
import type { ChangeRequest } from './change-requests.js';
import type { ChatterClient, ChatterClientEvents, ChatterClientOptions } from './client-api.js';
import { Connection } from './connection.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  throwIfAborted,
  withDeadline,
} from './deadline.js';
import { Emitter, type Listener } from './emitter.js';
import { ChatterError, isTransient, toChatterError, validateLocally } from './errors.js';
import { newClientId } from './ids.js';
import type { RoomSummary } from './log-types.js';
import { type ChatterLogger, SILENT_LOGGER } from './logger.js';
import { Outbox, type PendingMessage } from './outbox.js';
import { sendOutboxEntry } from './outbox-send.js';
import { createMemoryOutbox, type StoredOutboxEntry } from './outbox-storage.js';
import { retryRateLimited } from './rate-limited.js';
import { RestClient } from './rest-client.js';
import { RoomImpl } from './room.js';
import type { Room } from './room-api.js';
import type { RoomChannel } from './room-channel.js';
import { ServerReads } from './server-reads.js';
import { userFromToken } from './token.js';
import { TokenRefresh } from './token-refresh.js';
import { TokenSource } from './token-source.js';

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
  readonly #events = new Emitter<ChatterClientEvents>();
  readonly #tokens: TokenSource;
  readonly #connection: Connection;
  readonly #outbox: Outbox;
  readonly #rest: RestClient;
  readonly #rooms = new Map<string, RoomImpl>();
  readonly #refresh: TokenRefresh;
  readonly #reads: ServerReads;
  readonly #requestTimeoutMs: number;
  readonly #logger: ChatterLogger;
  /** `join` calls under way per room, and the rooms some `join` call resolved with. */
  readonly #joinCalls = new Map<RoomImpl, number>();
  readonly #joined = new WeakSet<RoomImpl>();
  /** `joinedRooms`, until a room is joined or left. */
  #joinedRooms: readonly Room[] | undefined;
  #connectWaiters: Array<{ resolve: () => void; reject: (error: ChatterError) => void }> = [];
  #restored = false;
  #away = false;
  #closed = false;
  /** The server refused the token and nothing here can replace it: waits for `setToken`. */
  #needsToken = false;

  constructor(options: ChatterClientOptions) {
    if (!options.token === !options.getToken) {
      throw new ChatterError('VALIDATION', 'Pass either `token` or `getToken` (exactly one)');
    }
    const logger = options.logger ?? SILENT_LOGGER;
    this.#logger = logger;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#tokens = new TokenSource(options.token, options.getToken, () =>
      this.#events.emit('change', undefined),
    );
    this.#rest = new RestClient({
      url: options.url,
      tokens: this.#tokens,
      fetch: options.fetch,
      isClosed: () => this.#closed,
    });
    this.#connection = new Connection({
      url: options.url,
      tokens: this.#tokens,
      isAway: () => this.#away,
      ackTimeoutMs: options.ackTimeoutMs ?? 10_000,
      reconnectionDelayMs: options.reconnectionDelayMs ?? 1000,
      reconnectionDelayMaxMs: options.reconnectionDelayMaxMs ?? 5000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      transports: options.transports,
      logger,
      onStatus: (status) => {
        logger.info(`chatter: ${status}`);
        if (!this.#closed) {
          this.#outbox.waitFor(
            status === 'connected' ? undefined : this.#needsToken ? 'token' : 'connection',
          );
        }
        this.#events.emit('status', status);
        this.#events.emit('change', undefined);
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
          case 'head':
            return this.#rooms.get(payload.room)?.headEvent(payload);
          case 'change':
            return this.#rooms.get(payload.room)?.receiveChange(payload);
          case 'read':
            return this.#rooms.get(payload.room)?.readEvent(payload);
          case 'receipts':
            return this.#rooms.get(payload.room)?.receiptsEvent(payload);
          case 'presence':
            return this.#events.emit('presence', payload);
          case 'presences':
            for (const presence of payload) this.#events.emit('presence', presence);
            return;
          case 'closing':
            // Why the server is about to drop us (the drop itself reconnects as usual).
            return this.#reportError(ChatterError.fromPayload(payload));
        }
      },
      onRefused: (error) => {
        if (error.code === 'UNAUTHORIZED') {
          this.#needsToken = true;
          this.#outbox.waitFor('token');
        }
        this.#reportError(error);
        for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(error);
      },
      reportError: (error) => this.#reportError(error),
    });
    this.#outbox = new Outbox({
      storage: options.outbox ?? createMemoryOutbox(),
      send: (entry) => sendOutboxEntry(this.#connection, entry),
      isConnected: () => this.#connection.connected,
      refreshToken: () => this.#connection.refreshToken(),
      logger,
      delivered: ({ message, change }) => {
        const room = this.#rooms.get(message.room);
        if (change) room?.receiveChange(change);
        // A change that changed nothing (`null`) is no entry of the log: nothing to take.
        else if (change === undefined) room?.receive(message);
      },
      changed: (room) => {
        this.#rooms.get(room)?.pendingChanged();
        // Building the list costs a pass over the outbox, on every state change of every send.
        if (this.#events.listenerCount('pending') > 0) {
          this.#events.emit('pending', this.#outbox.pending());
        }
        this.#events.emit('change', undefined);
      },
      reportError: (error) => this.#reportError(error),
    });
    this.#reads = new ServerReads({
      connection: this.#connection,
      rest: this.#rest,
      logger,
      requestTimeoutMs: this.#requestTimeoutMs,
    });
    this.#refresh = new TokenRefresh({
      tokens: this.#tokens,
      connected: () => this.#connection.connected,
      renew: async (token) => {
        await this.#connection.request('auth', { token });
      },
      expiring: (expiresAtMs) => this.#events.emit('tokenExpiring', { expiresAt: expiresAtMs }),
      logger,
      reportError: (error) => this.#reportError(error),
    });
  }

  get connectionStatus() {
    return this.#connection.status;
  }
  get user() {
    return this.#tokens.user;
  }
  get joinedRooms(): readonly Room[] {
    this.#joinedRooms ??= Object.freeze([...this.#rooms.values()]);
    return this.#joinedRooms;
  }
  get pending(): readonly PendingMessage[] {
    return this.#outbox.pending();
  }

  on<E extends keyof ChatterClientEvents>(event: E, listener: Listener<ChatterClientEvents[E]>) {
    return this.#events.on(event, listener);
  }

  connect(options: RequestOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(new ChatterError('CLOSED', 'The client is closed'));
    if (this.#connection.connected) return Promise.resolve();
    return withDeadline('connect', options, undefined, (signal) => this.#connect(signal));
  }

  #connect(signal: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new ChatterError('CLOSED', 'The client is closed'));
    if (this.#connection.connected) return Promise.resolve();
    const connected = new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#connectWaiters.push(waiter);
      // Given up on: the waiter goes, the connection keeps trying for the others.
      signal.addEventListener('abort', () => {
        this.#connectWaiters = this.#connectWaiters.filter((each) => each !== waiter);
      });
    });
    void this.#restoreOutbox();
    this.#connection.start();
    return connected;
  }

  async join(name: string, options: RequestOptions = {}): Promise<Room> {
    validateLocally(RoomNameSchema, name, 'room');
    const existing = this.#rooms.get(name);
    if (existing?.settled) return existing;
    const room = existing ?? new RoomImpl(name, this.#roomChannel());
    if (!existing) this.#setRoom(name, room);
    this.#joinCalls.set(room, (this.#joinCalls.get(room) ?? 0) + 1);
    try {
      await withDeadline(`join "${name}"`, options, this.#requestTimeoutMs, async (signal) => {
        for (;;) {
          await this.#connect(signal);
          throwIfAborted(signal);
          try {
            await room.sync();
            throwIfAborted(signal);
            return;
          } catch (error) {
            throwIfAborted(signal);
            const chatterError = toChatterError(error);
            if (chatterError.code !== 'DISCONNECTED' && chatterError.code !== 'TIMEOUT')
              throw error;
          }
        }
      });
      this.#joined.add(room);
      return room;
    } catch (error) {
      // No room half joined: one no join ever resolved with goes once its last caller gives up
      // (a join the server completes later is left there: see `join` in #roomChannel).
      const calls = this.#joinCalls.get(room) ?? 1;
      if (calls <= 1 && !this.#joined.has(room) && this.#rooms.get(name) === room) {
        this.#setRoom(name, undefined);
        // Answered already (given up on while catching up): leave now. Not answered yet: the
        // answer, when it comes, finds no room here and leaves (see `join` in #roomChannel).
        if (room.joinedOnServer) this.#reads.leaveQuietly(name);
        room.abandon();
      }
      throw error;
    } finally {
      const calls = (this.#joinCalls.get(room) ?? 1) - 1;
      if (calls > 0) this.#joinCalls.set(room, calls);
      else this.#joinCalls.delete(room);
    }
  }

  rooms(options: RequestOptions = {}): Promise<RoomSummary[]> {
    return this.#reads.rooms(options);
  }

  status(userIds?: readonly string[], options: RequestOptions = {}): Promise<Presence[]> {
    return this.#reads.status(userIds, options);
  }

  setToken(token: string): void {
    if (this.#closed) throw new ChatterError('CLOSED', 'The client is closed');
    const next = userFromToken(token);
    const current = this.#tokens.user;
    if (next && current && next.id !== current.id) {
      throw new ChatterError(
        'VALIDATION',
        `setToken: the token names user "${next.id}", and this client is "${current.id}"; create a new client for another user`,
      );
    }
    this.#tokens.set(token);
    this.#logger.info('chatter: token replaced');
    if (this.#connection.connected) {
      void this.#refresh.renew(token);
      return;
    }
    this.#refresh.schedule();
    if (this.#needsToken) {
      this.#needsToken = false;
      this.#outbox.waitFor('connection');
      this.#connection.start();
    }
  }

  setAway(away: boolean): void {
    this.#away = away;
    if (this.#connection.connected) this.#sendAway();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#refresh.close();
    this.#outbox.close();
    this.#connection.close();
    this.#rejectWaiters('CLOSED');
    for (const room of this.#rooms.values()) room.connectionLost();
    this.#rooms.clear();
    this.#joinedRooms = undefined;
    this.#events.emit('change', undefined);
  }

  #setRoom(name: string, room: RoomImpl | undefined): void {
    if (room) this.#rooms.set(name, room);
    else this.#rooms.delete(name);
    this.#joinedRooms = undefined;
    this.#events.emit('change', undefined);
  }

  #onConnect(): void {
    this.#needsToken = false;
    this.#refresh.schedule();
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

  #roomChannel(): RoomChannel {
    const entry = (room: string) => ({
      clientId: newClientId(),
      userId: this.#tokens.user?.id ?? '',
      room,
      createdAt: new Date().toISOString(),
    });
    return {
      join: async (room, since) => {
        const request = () => this.#connection.request('join', { room, ...since });
        const ack = await retryRateLimited(request, undefined, this.#logger);
        // Given up on (aborted, timed out) or left while the server joined: leave there too, so
        // the user's room list does not keep a room the app never got. A join made since keeps it.
        if (!this.#rooms.has(room)) this.#reads.leaveQuietly(room);
        return ack;
      },
      history: (payload, options) => this.#reads.history(payload, options),
      send: (room, text, replyTo) =>
        this.#enqueue(() => ({
          ...entry(room),
          kind: 'message',
          text,
          ...(replyTo === undefined ? {} : { replyTo }),
        })),
      change: (room, change: ChangeRequest) =>
        this.#enqueue(() => ({ ...entry(room), text: '', ...change })),
      read: async (room, seq) => {
        const { ok: _ok, ...state } = await retryRateLimited(() =>
          this.#connection.request('read', { room, seq }),
        );
        return state;
      },
      userId: () => this.#tokens.user?.id,
      pending: (room) => this.#outbox.pending(room),
      discard: (clientId) => this.#outbox.discard(clientId),
      typing: (room, typing) => this.#connection.emitIfConnected('typing', { room, typing }),
      leave: async (room) => {
        this.#setRoom(room, undefined);
        if (!this.#connection.connected) return;
        await this.#connection.request('leave', { room });
      },
      reportError: (error) => this.#reportError(error),
    };
  }

  /** Queues what `build` makes; a failure to make it (no Web Crypto for its id) rejects. */
  #enqueue(build: () => StoredOutboxEntry): Promise<Message> {
    try {
      return this.#outbox.enqueue(build());
    } catch (error) {
      return Promise.reject(toChatterError(error));
    }
  }

  #rejectWaiters(code: 'CLOSED'): void {
    const error = new ChatterError(code, 'The client is closed');
    for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(error);
  }

  #reportError(error: ChatterError): void {
    this.#logger.warn(`chatter: ${error.message}`, { code: error.code });
    this.#events.emit('error', error);
  }
}
