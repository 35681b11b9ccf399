import {
  type HistoryPayload,
  HistoryResponseSchema,
  LIMITS,
  RoomNameSchema,
  StatusResponseSchema,
  UserIdSchema,
  type UserStatus,
} from '@chatter/protocol';
import type { ChatterClient, ChatterClientEvents, ChatterClientOptions } from './client-api.js';
import { Connection } from './connection.js';
import { Emitter, type Listener } from './emitter.js';
import { ChatterError, isTransient, toChatterError, validateLocally } from './errors.js';
import { restRequest } from './http.js';
import { newClientId } from './ids.js';
import { Outbox, type PendingMessage } from './outbox.js';
import { createMemoryOutbox } from './outbox-storage.js';
import { retryRateLimited } from './rate-limited.js';
import { RoomImpl } from './room.js';
import type { HistoryPage, Room } from './room-api.js';
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
        retryRateLimited(() => this.#connection.request('join', { room, ...since })),
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
      const { messages, hasMore } = await retryRateLimited(() =>
        this.#connection.request('history', payload),
      );
      return { messages, hasMore };
    }
    // REST pages stay at `historyPageMaxSize` even forwards; a smaller page is still a page
    // (`hasMore` says what follows), so a larger catch-up page is asked for in the REST size.
    const limit =
      payload.limit === undefined ? undefined : Math.min(payload.limit, LIMITS.historyPageMaxSize);
    return this.#rest('api/messages', HistoryResponseSchema, { ...payload, limit });
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
