import {
  type HistoryPayload,
  HistoryResponseSchema,
  LIMITS,
  type Presence,
  RoomNameSchema,
  RoomsResponseSchema,
} from '@chatter/protocol';
import type { ChangeRequest } from './change-requests.js';
import type { ChatterClient, ChatterClientEvents, ChatterClientOptions } from './client-api.js';
import { Connection } from './connection.js';
import { Emitter, type Listener } from './emitter.js';
import { ChatterError, isTransient, toChatterError, validateLocally } from './errors.js';
import { newClientId } from './ids.js';
import type { RoomSummary } from './log-types.js';
import { Outbox, type PendingMessage } from './outbox.js';
import { sendOutboxEntry } from './outbox-send.js';
import { createMemoryOutbox } from './outbox-storage.js';
import { retryRateLimited } from './rate-limited.js';
import { RestClient } from './rest-client.js';
import { RoomImpl } from './room.js';
import type { HistoryPage, Room } from './room-api.js';
import type { RoomChannel } from './room-channel.js';
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
  /** `joinedRooms`, until a room is joined or left. */
  #joinedRooms: readonly Room[] | undefined;
  #connectWaiters: Array<{ resolve: () => void; reject: (error: ChatterError) => void }> = [];
  #restored = false;
  #away = false;
  #closed = false;

  constructor(options: ChatterClientOptions) {
    if (!options.token === !options.getToken) {
      throw new ChatterError('VALIDATION', 'Pass either `token` or `getToken` (exactly one)');
    }
    this.#tokens = new TokenSource(options.token, options.getToken);
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
    if (!existing) this.#setRoom(name, room);
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
      if (!existing && this.#rooms.get(name) === room) this.#setRoom(name, undefined);
      throw error;
    }
  }

  async rooms(): Promise<RoomSummary[]> {
    if (this.#connection.connected) {
      try {
        const { rooms } = await retryRateLimited(() => this.#connection.request('rooms', {}));
        return rooms;
      } catch (error) {
        // Dropped on the way: REST may still answer.
        if (toChatterError(error).code !== 'DISCONNECTED') throw error;
      }
    }
    return (await this.#rest.get('api/rooms', RoomsResponseSchema, {})).rooms;
  }

  status(userIds?: readonly string[]): Promise<Presence[]> {
    return this.#rest.status(userIds);
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
    this.#joinedRooms = undefined;
  }

  #setRoom(name: string, room: RoomImpl | undefined): void {
    if (room) this.#rooms.set(name, room);
    else this.#rooms.delete(name);
    this.#joinedRooms = undefined;
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

  #roomChannel(): RoomChannel {
    const entry = (room: string) => ({
      clientId: newClientId(),
      userId: this.#tokens.user?.id ?? '',
      room,
      createdAt: new Date().toISOString(),
    });
    return {
      join: (room, since) =>
        retryRateLimited(() => this.#connection.request('join', { room, ...since })),
      history: (payload) => this.#history(payload),
      send: (room, text, replyTo) =>
        this.#outbox.enqueue({
          ...entry(room),
          kind: 'message',
          text,
          ...(replyTo === undefined ? {} : { replyTo }),
        }),
      change: (room, change: ChangeRequest) =>
        this.#outbox.enqueue({ ...entry(room), text: '', ...change }),
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

  /** History over the socket when connected, else over REST, so it also works offline-from-socket. */
  async #history(payload: HistoryPayload): Promise<HistoryPage> {
    if (this.#connection.connected) {
      const { messages, changes, hasMore } = await retryRateLimited(() =>
        this.#connection.request('history', payload),
      );
      return { messages, changes, hasMore };
    }
    // REST pages stay at `historyPageMaxSize` even forwards; a smaller page is still a page
    // (`hasMore` says what follows), so a larger catch-up page is asked for in the REST size.
    const limit =
      payload.limit === undefined ? undefined : Math.min(payload.limit, LIMITS.historyPageMaxSize);
    return this.#rest.get('api/messages', HistoryResponseSchema, { ...payload, limit });
  }

  #rejectWaiters(code: 'CLOSED'): void {
    const error = new ChatterError(code, 'The client is closed');
    for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(error);
  }

  #reportError(error: ChatterError): void {
    this.#events.emit('error', error);
  }
}
