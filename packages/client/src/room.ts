import {
  type HeadEvent,
  type HistoryPayload,
  HistoryPayloadSchema,
  type JoinAck,
  LIMITS,
  type Message,
  MessageTextSchema,
  type TypingEvent,
  type User,
} from '@chatter/protocol';
import { Emitter, type Listener } from './emitter.js';
import { ChatterError, isTransient, toChatterError, validateLocally } from './errors.js';
import type { PendingMessage } from './outbox.js';
import type { HistoryOptions, HistoryPage, Room, RoomEvents } from './room-api.js';
import { RoomState } from './room-state.js';
import { TypingIndicators } from './typing-indicators.js';

type JoinedAck = Extract<JoinAck, { ok: true }>;

/** How often a continuing `typing(true)` is repeated to the server (its timeout is longer). */
const TYPING_REFRESH_MS = 2000;

/** What a room needs from its client. */
export interface RoomChannel {
  join(room: string, since?: { since: number; epoch: string }): Promise<JoinedAck>;
  history(payload: HistoryPayload): Promise<HistoryPage>;
  send(room: string, text: string): Promise<Message>;
  pending(room: string): PendingMessage[];
  discard(clientId: string): Promise<boolean>;
  typing(room: string, typing: boolean): void;
  leave(room: string): Promise<void>;
  reportError(error: ChatterError): void;
}

export class RoomImpl implements Room {
  readonly name: string;
  readonly #channel: RoomChannel;
  readonly #state = new RoomState();
  readonly #events = new Emitter<RoomEvents>();
  readonly #typing: TypingIndicators;
  /**
   * Bumped on every lost connection and every rejoin for a new epoch, so answers to requests
   * made for the timeline before are ignored.
   */
  #generation = 0;
  #live = false;
  #left = false;
  #sync: Promise<void> | undefined;
  /** When `typing: true` was last sent; -Infinity while not typing. */
  #typingSentAt = Number.NEGATIVE_INFINITY;
  #catchUp: Promise<void> | undefined;
  /** The newest `head` event heard while a sync was under way, to look at once it is done. */
  #headDuringSync: HeadEvent | undefined;

  constructor(name: string, channel: RoomChannel) {
    this.name = name;
    this.#channel = channel;
    this.#typing = new TypingIndicators(name, (stop) => this.#typingChanged(stop));
  }

  get epoch() {
    return this.#state.epoch;
  }
  get messages(): readonly Message[] {
    return this.#state.messages;
  }
  get hasMoreHistory() {
    return this.#state.hasMoreHistory;
  }
  get pending(): readonly PendingMessage[] {
    return this.#channel.pending(this.name);
  }
  get typingUsers(): readonly User[] {
    return this.#typing.users;
  }

  on<E extends keyof RoomEvents>(event: E, listener: Listener<RoomEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }

  send(text: string): Promise<Message> {
    try {
      this.#assertActive();
      validateLocally(MessageTextSchema, text, 'text');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#channel.send(this.name, text);
  }

  async history(options: HistoryOptions = {}): Promise<HistoryPage> {
    this.#assertActive();
    const payload = validateLocally(
      HistoryPayloadSchema,
      { limit: LIMITS.historyPageDefaultSize, ...options, room: this.name },
      'history',
    );
    const page = await this.#channel.history(payload);
    if (payload.after === undefined && this.#state.prependOlder(page.messages, page.hasMore)) {
      this.#events.emit('change', undefined);
    }
    return page;
  }

  typing(isTyping: boolean): void {
    if (this.#left) return;
    // Apps call this on every keystroke; the server keeps an indicator alive for seconds, so a
    // refresh every TYPING_REFRESH_MS is enough, and a stop is sent only after a start.
    const now = Date.now();
    if (isTyping && now - this.#typingSentAt < TYPING_REFRESH_MS) return;
    if (!isTyping && this.#typingSentAt === Number.NEGATIVE_INFINITY) return;
    this.#typingSentAt = isTyping ? now : Number.NEGATIVE_INFINITY;
    this.#channel.typing(this.name, isTyping);
  }

  discard(clientId: string): Promise<boolean> {
    return this.#channel.discard(clientId);
  }

  async leave(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    this.#live = false;
    this.#typing.clear();
    await this.#channel.leave(this.name);
    this.#events.clear();
  }

  /** Joined on the current connection, with nothing in flight to catch up on. */
  get settled(): boolean {
    return this.#live && !this.#sync && !this.#catchUp;
  }

  /**
   * Joins on the current connection and resolves once caught up: after `since` when the room
   * was joined before, else from the newest page. One sync per connection at a time.
   */
  sync(): Promise<void> {
    if (!this.#sync) {
      const run = this.#runSync().finally(() => {
        // A sync from a connection that dropped may end after the next one started.
        if (this.#sync !== run) return;
        this.#sync = undefined;
        const head = this.#headDuringSync;
        this.#headDuringSync = undefined;
        if (head) this.headEvent(head);
      });
      this.#sync = run;
    }
    return this.#sync;
  }

  /** A message broadcast to the room or acknowledged to this user. */
  receive(message: Message): void {
    if (this.#left) return;
    this.#appended(this.#state.receive(message));
    if (this.#live && this.#state.behind) this.#startCatchUp();
  }

  typingEvent(event: TypingEvent): void {
    if (this.#left) return;
    if (this.#typing.heard(event)) this.#typingChanged(event);
  }

  /**
   * The room's newest `seq`, announced by a server whose broadcasts to this room may have been
   * lost: a head beyond the timeline is a gap to fetch, one of another epoch a rejoin.
   */
  headEvent(event: HeadEvent): void {
    if (this.#left) return;
    if (this.#sync) {
      // The sync's join may have read the room before this head was announced.
      const kept = this.#headDuringSync;
      if (!kept || kept.epoch !== event.epoch || event.head > kept.head) {
        this.#headDuringSync = event;
      }
      return;
    }
    // Not in the room on this connection: the next join catches up anyway.
    if (!this.#live) return;
    if (event.epoch !== this.#state.epoch) this.#rejoin();
    else if (this.#state.announceHead(event.head)) void this.#startCatchUp();
  }

  connectionLost(): void {
    this.#generation += 1;
    // The server forgets typing with the connection; the next keystroke must announce it again.
    this.#typingSentAt = Number.NEGATIVE_INFINITY;
    this.#live = false;
    this.#sync = undefined;
    this.#catchUp = undefined;
    this.#headDuringSync = undefined;
    this.#state.connectionLost();
    if (this.#typing.size > 0) {
      this.#typing.clear();
      this.#events.emit('change', undefined);
    }
  }

  /** The outbox changed this room's pending messages. */
  pendingChanged(): void {
    this.#events.emit('change', undefined);
  }

  async #runSync(): Promise<void> {
    const generation = this.#generation;
    const state = this.#state;
    const since = state.resumable ? { since: state.last, epoch: state.epoch ?? '' } : undefined;
    const ack = await this.#channel.join(this.name, since);
    if (generation !== this.#generation || this.#left) {
      throw new ChatterError('DISCONNECTED', 'The connection dropped while joining');
    }
    const { outcome, appended } = state.applyJoin(ack, since !== undefined);
    this.#live = true;
    if (since && !outcome.reset) {
      this.#appended(appended);
    } else {
      // A first join or a new epoch replaced the timeline: one `change`, no `message` for the
      // page it starts from.
      if (outcome.reset) {
        this.#events.emit('reset', {
          room: this.name,
          epoch: ack.epoch,
          previousEpoch: outcome.previousEpoch,
        });
      }
      this.#events.emit('change', undefined);
    }
    if (state.behind) await this.#startCatchUp();
  }

  /**
   * Joins again on the same connection, as after a reconnection: the join's answer says whether
   * the epoch really changed (then the room resets) or the announcement was stale.
   */
  #rejoin(): void {
    this.#generation += 1;
    this.#live = false;
    this.#catchUp = undefined;
    this.sync().catch((error: unknown) => {
      const chatterError = toChatterError(error);
      if (!isTransient(chatterError)) this.#channel.reportError(chatterError);
    });
  }

  /** Fetches what lies between the timeline and the newest `seq` seen, page by page. */
  #startCatchUp(): Promise<void> {
    if (!this.#catchUp) {
      const run = this.#fetchMissing().finally(() => {
        // One for a timeline since replaced may end after the next one started.
        if (this.#catchUp === run) this.#catchUp = undefined;
      });
      this.#catchUp = run;
    }
    return this.#catchUp.catch((error: unknown) => {
      const chatterError = toChatterError(error);
      // A dropped connection is not worth reporting: the next join catches up anyway.
      if (chatterError.code !== 'DISCONNECTED') this.#channel.reportError(chatterError);
    });
  }

  async #fetchMissing(): Promise<void> {
    const generation = this.#generation;
    const state = this.#state;
    // Forward pages may be larger than others: 10,000 missed messages take 10 round trips, not 100.
    const size = LIMITS.catchUpPageMaxSize;
    const fetchAfter = (after: number) => {
      const page = this.#channel.history({ room: this.name, after, limit: size });
      // Awaited below, or dropped when the catch-up ends first: never an unhandled rejection.
      page.catch(() => undefined);
      return { after, page };
    };
    let next: ReturnType<typeof fetchAfter> | undefined;
    while (state.behind && generation === this.#generation && !this.#left) {
      const from = state.last;
      const current = next?.after === from ? next : fetchAfter(from);
      // Seqs are gap-free, so the page after this one starts `size` further on: ask for it now,
      // and the server reads it while this one travels and is checked. At most two in flight.
      next = from + size < state.head ? fetchAfter(from + size) : undefined;
      const page = await current.page;
      if (generation !== this.#generation || this.#left) return;
      this.#appended(state.receiveAll(page.messages));
      // The server has nothing after `from`: what we were waiting for does not exist.
      if (state.last === from) return;
    }
  }

  #typingChanged(event: TypingEvent): void {
    this.#events.emit('typing', event);
    this.#events.emit('change', undefined);
  }

  /** Emits `message` for each newly appended one, then `change`. */
  #appended(messages: readonly Message[]): void {
    if (messages.length === 0) return;
    for (const message of messages) this.#events.emit('message', message);
    this.#events.emit('change', undefined);
  }

  #assertActive(): void {
    if (this.#left) throw new ChatterError('CLOSED', `You left room "${this.name}"`);
  }
}
