import type { Presence } from '@chatter/protocol';
import type { ChatterClient, ChatterClientEvents, ChatterClientOptions } from './client-api.js';
import { createClientOutbox, outboxRestorer } from './client-outbox.js';
import { createRoomChannel } from './client-room-channel.js';
import { ClientRooms } from './client-rooms.js';
import { ConnectWaiters } from './connect-waiters.js';
import { Connection, type ConnectionStatus } from './connection.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, type RequestOptions, withDeadline } from './deadline.js';
import { Emitter, type Listener } from './emitter.js';
import { ChatterError, isTransient, toChatterError } from './errors.js';
import type { RoomSummary } from './log-types.js';
import { type ChatterLogger, SILENT_LOGGER } from './logger.js';
import type { Outbox, PendingMessage } from './outbox.js';
import { RestClient } from './rest-client.js';
import { RoomImpl } from './room.js';
import type { Room } from './room-api.js';
import { RoomJoins } from './room-joins.js';
import { routeServerEvent, type ServerEventTargets } from './server-event-routing.js';
import { ServerReads } from './server-reads.js';
import { SessionToken } from './session-token.js';
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

const closedError = () => new ChatterError('CLOSED', 'The client is closed');

/**
 * Wires the parts together and owns what they share: the client's events, its rooms, whether it
 * is away or closed. Each concern lives in its own module: the socket (`Connection`), sends
 * (`Outbox`), joins (`RoomJoins`), what rooms ask of the client (`createRoomChannel`), tokens
 * (`SessionToken`), reads over socket or REST (`ServerReads`).
 */
class ChatterClientImpl implements ChatterClient {
  readonly #events = new Emitter<ChatterClientEvents>();
  readonly #rooms = new ClientRooms(() => this.#events.emit('change', undefined));
  readonly #waiters = new ConnectWaiters();
  readonly #tokens: TokenSource;
  readonly #connection: Connection;
  readonly #outbox: Outbox;
  readonly #reads: ServerReads;
  readonly #session: SessionToken;
  readonly #joins: RoomJoins;
  readonly #restoreOutbox: () => Promise<void>;
  readonly #logger: ChatterLogger;
  #away = false;
  #closed = false;

  constructor(options: ChatterClientOptions) {
    if (!options.token === !options.getToken) {
      throw new ChatterError('VALIDATION', 'Pass either `token` or `getToken` (exactly one)');
    }
    const logger = options.logger ?? SILENT_LOGGER;
    this.#logger = logger;
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const reportError = (error: ChatterError) => this.#reportError(error);
    this.#tokens = new TokenSource(options.token, options.getToken, () =>
      this.#events.emit('change', undefined),
    );
    const rest = new RestClient({
      url: options.url,
      tokens: this.#tokens,
      fetch: options.fetch,
      isClosed: () => this.#closed,
    });
    const serverEventTargets: ServerEventTargets = {
      room: (name) => this.#rooms.get(name),
      presence: (presence) => this.#events.emit('presence', presence),
      reportError,
    };
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
      onStatus: (status) => this.#onStatus(status),
      onConnect: () => this.#onConnect(),
      onDisconnect: () => {
        for (const room of this.#rooms.values()) room.connectionLost();
      },
      onServerEvent: (event) => routeServerEvent(event, serverEventTargets),
      onRefused: (error) => this.#onRefused(error),
      reportError,
    });
    this.#outbox = createClientOutbox({
      storage: options.outbox,
      connection: this.#connection,
      rooms: this.#rooms,
      events: this.#events,
      logger,
      reportError,
    });
    this.#reads = new ServerReads({ connection: this.#connection, rest, logger, requestTimeoutMs });
    this.#session = new SessionToken({
      tokens: this.#tokens,
      connection: this.#connection,
      outbox: this.#outbox,
      expiring: (expiresAtMs) => this.#events.emit('tokenExpiring', { expiresAt: expiresAtMs }),
      logger,
      reportError,
    });
    this.#restoreOutbox = outboxRestorer({
      tokens: this.#tokens,
      outbox: this.#outbox,
      isClosed: () => this.#closed,
      reportError,
    });
    const channel = createRoomChannel({
      connection: this.#connection,
      tokens: this.#tokens,
      outbox: this.#outbox,
      reads: this.#reads,
      rooms: this.#rooms,
      logger,
      reportError,
    });
    this.#joins = new RoomJoins({
      rooms: this.#rooms,
      newRoom: (name) => new RoomImpl(name, channel),
      connect: (signal) => this.#connect(signal),
      requestTimeoutMs,
      leaveQuietly: (name) => this.#reads.leaveQuietly(name),
    });
  }

  get connectionStatus() {
    return this.#connection.status;
  }
  get user() {
    return this.#tokens.user;
  }
  get joinedRooms(): readonly Room[] {
    return this.#rooms.joined;
  }
  get pending(): readonly PendingMessage[] {
    return this.#outbox.pending();
  }

  on<E extends keyof ChatterClientEvents>(event: E, listener: Listener<ChatterClientEvents[E]>) {
    return this.#events.on(event, listener);
  }

  connect(options: RequestOptions = {}): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#connection.connected) return Promise.resolve();
    return withDeadline('connect', options, undefined, (signal) => this.#connect(signal));
  }

  #connect(signal: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(closedError());
    if (this.#connection.connected) return Promise.resolve();
    const connected = this.#waiters.wait(signal);
    void this.#restoreOutbox();
    this.#connection.start();
    return connected;
  }

  join(name: string, options: RequestOptions = {}): Promise<Room> {
    return this.#joins.join(name, options);
  }

  rooms(options: RequestOptions = {}): Promise<RoomSummary[]> {
    return this.#reads.rooms(options);
  }

  status(userIds?: readonly string[], options: RequestOptions = {}): Promise<Presence[]> {
    return this.#reads.status(userIds, options);
  }

  setToken(token: string): void {
    if (this.#closed) throw closedError();
    this.#session.set(token);
  }

  setAway(away: boolean): void {
    this.#away = away;
    if (this.#connection.connected) this.#sendAway();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session.close();
    this.#outbox.close();
    this.#connection.close();
    this.#waiters.rejectAll(closedError());
    for (const room of this.#rooms.values()) room.connectionLost();
    this.#rooms.clear();
    this.#events.emit('change', undefined);
  }

  #onStatus(status: ConnectionStatus): void {
    this.#logger.info(`chatter: ${status}`);
    if (!this.#closed) {
      this.#outbox.waitFor(
        status === 'connected' ? undefined : this.#session.needsToken ? 'token' : 'connection',
      );
    }
    this.#events.emit('status', status);
    this.#events.emit('change', undefined);
    if (status === 'disconnected' && this.#closed) this.#waiters.rejectAll(closedError());
  }

  #onConnect(): void {
    this.#session.connected();
    this.#waiters.resolveAll();
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

  #onRefused(error: ChatterError): void {
    if (error.code === 'UNAUTHORIZED') this.#session.refused();
    this.#reportError(error);
    this.#waiters.rejectAll(error);
  }

  #sendAway(): void {
    this.#connection.request('away', { away: this.#away }).catch((error: unknown) => {
      const chatterError = toChatterError(error);
      if (chatterError.code !== 'DISCONNECTED') this.#reportError(chatterError);
    });
  }

  #reportError(error: ChatterError): void {
    this.#logger.warn(`chatter: ${error.message}`, { code: error.code });
    this.#events.emit('error', error);
  }
}
