import {
  type ClientEventPayload,
  type ClientToServerEvents,
  type ErrorPayload,
  type ServerEventName,
  type ServerEventPayload,
  type ServerToClientEvents,
  serverEventSchemas,
} from '@chatter/protocol';
import { io, type Socket } from 'socket.io-client';
import { type AckEvent, type OkAck, parseAck } from './ack-parsing.js';
import { ChatterError, parseErrorPayload, toChatterError } from './errors.js';
import type { ChatterLogger } from './logger.js';
import type { TokenSource } from './token-source.js';

/**
 * The state of the client's connection, as `chat.on('status')` reports it.
 *
 * - `connecting`: not connected, and trying (the first time or after a drop).
 * - `connected`: connected and authenticated.
 * - `disconnected`: not connected and not trying: closed, or refused for good (a bad token
 *   with no `getToken` to replace it).
 *
 * @example
 * ```ts
 * chat.on('status', (status: ConnectionStatus) => banner.toggle(status !== 'connected'));
 * ```
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

/** A validated server→client event, as one union so that a `switch` narrows its payload. */
export type ServerEvent = {
  [E in ServerEventName]: { event: E; payload: ServerEventPayload<E> };
}[ServerEventName];

/** What a {@link Connection} connects to, how, and whom it tells what happens. */
export interface ConnectionOptions {
  url: string;
  tokens: TokenSource;
  /** Sent with each handshake, so a reconnection of an idle tab never shows it online. */
  isAway: () => boolean;
  ackTimeoutMs: number;
  reconnectionDelayMs: number;
  reconnectionDelayMaxMs: number;
  connectTimeoutMs: number;
  transports: Array<'polling' | 'websocket' | 'webtransport'> | undefined;
  onStatus(status: ConnectionStatus): void;
  /** Every successful (re)connection. */
  onConnect(): void;
  onDisconnect(): void;
  onServerEvent(event: ServerEvent): void;
  /** The server refused the connection for good; nothing retries until `start` again. */
  onRefused(error: ChatterError): void;
  reportError(error: ChatterError): void;
  logger: ChatterLogger;
}

/** The transports tried, in order, unless the app names its own. */
const DEFAULT_TRANSPORTS: ReadonlyArray<'polling' | 'websocket' | 'webtransport'> = [
  'websocket',
  'polling',
];

/** Socket.IO's own randomisation for the delays it waits between reconnection attempts. */
const RANDOMIZATION_FACTOR = 0.5;

/**
 * The Socket.IO connection: authentication with a token that can be refreshed, reconnection
 * (Socket.IO's own after network failures, ours after the server refuses or drops us), and
 * requests whose acknowledgements are validated against the protocol.
 */
export class Connection {
  readonly #options: ConnectionOptions;
  readonly #socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  #status: ConnectionStatus = 'disconnected';
  #closed = false;
  #retryAttempts = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  // Why this attempt has no token to send (getToken failed, the token is too large): a truer
  // reason for the refusal than the server's "send a token".
  #tokenError: ChatterError | undefined;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#socket = io(options.url, {
      autoConnect: false,
      reconnectionDelay: options.reconnectionDelayMs,
      reconnectionDelayMax: options.reconnectionDelayMaxMs,
      randomizationFactor: RANDOMIZATION_FACTOR,
      // Socket.IO's Manager does not react when the transport closes during the Engine.IO
      // handshake (it listens for `open` and `error` only); it waits for this timeout, then
      // retries. So this bounds how long such a client sits in `connecting` (Socket.IO: 20 s).
      timeout: options.connectTimeoutMs,
      // WebSocket first: long-polling upgraded to WebSocket costs the server about twice the
      // CPU per connection and needs sticky sessions behind a load balancer. Polling is only
      // the fallback: `tryAllTransports` moves to the next transport when one fails to open
      // (a proxy that refuses the upgrade, say), and never once one is open.
      transports: [...(options.transports ?? DEFAULT_TRANSPORTS)],
      tryAllTransports: true,
      // Called on every attempt, so a refreshed token is used as soon as there is one.
      auth: (send) => {
        options.tokens.current().then(
          (token) => {
            this.#tokenError = undefined;
            send(options.isAway() ? { token, away: true } : { token });
          },
          (error: unknown) => {
            this.#tokenError = toChatterError(error, 'UNAUTHORIZED');
            options.reportError(this.#tokenError);
            send({});
          },
        );
      },
    });
    this.#listen();
  }

  get status(): ConnectionStatus {
    return this.#status;
  }

  get connected(): boolean {
    return this.#socket.connected;
  }

  /** Starts connecting, unless already connected or trying (or closed). */
  start(): void {
    if (this.#closed || this.#status !== 'disconnected') return;
    this.#setStatus('connecting');
    this.#socket.connect();
  }

  /** Drops the connection and connects again with a fresh token (after a refused request). */
  refreshToken(): boolean {
    if (!this.#options.tokens.invalidate()) return false;
    this.#socket.disconnect();
    this.#scheduleReconnect();
    return true;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#socket.disconnect();
    this.#setStatus('disconnected');
  }

  /** Emits `event` and resolves with the acknowledgement's success, or throws `ChatterError`. */
  async request<E extends AckEvent>(event: E, payload: ClientEventPayload<E>): Promise<OkAck<E>> {
    // Never let Socket.IO buffer a request for a later connection: the caller decides what to
    // resend, and an outdated `join` or `history` must not run on the next connection.
    if (!this.#socket.connected) throw new ChatterError('DISCONNECTED', 'Not connected');
    const flagged = this.#socket.timeout(this.#options.ackTimeoutMs);
    const emitWithAck = flagged.emitWithAck as (event: E, payload: unknown) => Promise<unknown>;
    let raw: unknown;
    try {
      raw = await emitWithAck.call(flagged, event, payload);
    } catch (cause) {
      throw this.#socket.connected
        ? new ChatterError('TIMEOUT', `The server did not answer "${String(event)}" in time`, {
            cause,
          })
        : new ChatterError('DISCONNECTED', `The connection dropped during "${String(event)}"`, {
            cause,
          });
    }
    const parsed = parseAck(event, raw);
    if (!parsed.success) {
      throw new ChatterError('BAD_RESPONSE', `Malformed acknowledgement of "${String(event)}"`, {
        details: parsed.error.issues,
      });
    }
    const ack = parsed.data as OkAck<E> | { ok: false; error: ErrorPayload };
    if (!ack.ok) throw ChatterError.fromPayload(ack.error);
    return ack;
  }

  /**
   * Fire-and-forget events (typing): dropped while offline rather than sent late. Not
   * `socket.volatile`, which also drops a packet whenever the transport is busy writing the
   * previous one, so a `typing: false` right after a `typing: true` would be lost.
   */
  emitIfConnected(event: 'typing', payload: ClientEventPayload<'typing'>): void {
    if (this.#socket.connected) this.#socket.emit(event, payload);
  }

  #listen(): void {
    const socket = this.#socket;
    socket.on('connect', () => {
      this.#retryAttempts = 0;
      this.#setStatus('connected');
      this.#options.onConnect();
    });
    socket.on('disconnect', (reason) => {
      this.#options.logger.info('chatter: disconnected', { reason });
      this.#onDropped();
      if (this.#closed) return;
      // The server ended the session (its token expired, say): Socket.IO will not reconnect
      // by itself, so get a fresh token and come back. A fixed token is tried again too: the
      // server says in the handshake whether it expired (then `onRefused`, and `setToken`).
      if (reason === 'io server disconnect') {
        this.#options.tokens.invalidate();
        this.#scheduleReconnect();
      }
    });
    socket.io.on('reconnect_attempt', (attempt) => {
      this.#options.logger.debug('chatter: reconnecting', { attempt });
    });
    socket.on('connect_error', (error: Error & { data?: unknown }) => {
      if (this.#closed) return;
      // `active`: a network failure that Socket.IO retries by itself, with its own backoff.
      if (socket.active) return this.#setStatus('connecting');
      const payload = parseErrorPayload(error.data);
      if (payload?.code === 'UNAUTHORIZED') {
        this.#options.logger.warn('chatter: the server refused the token', {
          message: payload.message,
          willAskGetToken: this.#options.tokens.refreshable,
        });
      }
      const refreshable = payload?.code === 'UNAUTHORIZED' && this.#options.tokens.invalidate();
      if (refreshable || payload?.code === 'UNAVAILABLE') return this.#scheduleReconnect();
      // Too many connections for this user or address: one may close (another tab), so try
      // again with backoff, and tell the app once per streak of refusals.
      if (payload?.code === 'RATE_LIMITED') {
        this.#options.logger.warn('chatter: too many connections; trying again', {
          message: payload.message,
        });
        if (this.#retryAttempts === 0) this.#options.reportError(ChatterError.fromPayload(payload));
        return this.#scheduleReconnect();
      }
      const refused =
        this.#tokenError ??
        (payload
          ? ChatterError.fromPayload(payload)
          : new ChatterError('DISCONNECTED', error.message, { cause: error }));
      this.#setStatus('disconnected');
      this.#options.onRefused(refused);
    });
    for (const event of Object.keys(serverEventSchemas) as ServerEventName[]) {
      socket.on(event, (raw: unknown) => this.#serverEvent(event, raw));
    }
  }

  #serverEvent<E extends ServerEventName>(event: E, raw: unknown): void {
    const parsed = serverEventSchemas[event].safeParse(raw);
    if (!parsed.success) {
      this.#options.logger.warn('chatter: dropped a malformed event from the server', {
        event,
        issues: parsed.error.issues,
      });
      this.#options.reportError(
        new ChatterError('BAD_RESPONSE', `Dropped a malformed "${event}" event from the server`, {
          details: parsed.error.issues,
        }),
      );
      return;
    }
    this.#options.onServerEvent({ event, payload: parsed.data } as ServerEvent);
  }

  #onDropped(): void {
    this.#options.onDisconnect();
    this.#setStatus(this.#closed ? 'disconnected' : 'connecting');
  }

  /** Our reconnections (after a refusal) back off like Socket.IO's own, with the same jitter. */
  #scheduleReconnect(): void {
    this.#setStatus('connecting');
    clearTimeout(this.#retryTimer);
    const { reconnectionDelayMs, reconnectionDelayMaxMs } = this.#options;
    const base = Math.min(reconnectionDelayMaxMs, reconnectionDelayMs * 2 ** this.#retryAttempts);
    const jitter = base * RANDOMIZATION_FACTOR * (Math.random() * 2 - 1);
    this.#retryAttempts += 1;
    const delay = Math.max(0, Math.min(reconnectionDelayMaxMs, base + jitter));
    this.#options.logger.debug('chatter: reconnecting', {
      attempt: this.#retryAttempts,
      inMs: Math.round(delay),
    });
    this.#retryTimer = setTimeout(() => {
      if (!this.#closed && !this.#socket.connected) this.#socket.connect();
    }, delay);
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#options.onStatus(status);
  }
}
