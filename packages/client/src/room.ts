import {
  type HeadEvent,
  HistoryPayloadSchema,
  LIMITS,
  type Message,
  MessageIdSchema,
  MessageTextSchema,
  SeqCursorSchema,
  type TypingEvent,
  type User,
} from '@chatter/protocol';
import {
  CHANGE_EVENTS,
  type ChangeRequest,
  deleteRequest,
  editRequest,
  reactionRequest,
} from './change-requests.js';
import { Emitter, type Listener } from './emitter.js';
import { ChatterError, validateLocally } from './errors.js';
import type { MessageChange, ReadState, ReceiptsEvent } from './log-types.js';
import type { LogEntry } from './message-log.js';
import type { PendingMessage } from './outbox.js';
import type { HistoryOptions, HistoryPage, Room, RoomEvents, SendOptions } from './room-api.js';
import type { RoomChannel } from './room-channel.js';
import { RoomReads } from './room-reads.js';
import { RoomSync } from './room-sync.js';
import { TypingIndicators } from './typing-indicators.js';

/** How often a continuing `typing(true)` is repeated to the server (its timeout is longer). */
const TYPING_REFRESH_MS = 2000;

export class RoomImpl implements Room {
  readonly name: string;
  readonly #channel: RoomChannel;
  readonly #sync: RoomSync;
  readonly #events = new Emitter<RoomEvents>();
  readonly #typing: TypingIndicators;
  readonly #reads: RoomReads;
  #left = false;
  /** When `typing: true` was last sent; -Infinity while not typing. */
  #typingSentAt = Number.NEGATIVE_INFINITY;

  constructor(name: string, channel: RoomChannel) {
    this.name = name;
    this.#channel = channel;
    this.#typing = new TypingIndicators(name, (stop) => this.#typingChanged(stop));
    this.#sync = new RoomSync({
      name,
      channel,
      joined: (ack, outcome, fresh, passed) => {
        if (outcome.reset) {
          this.#events.emit('reset', {
            room: name,
            epoch: ack.epoch,
            previousEpoch: outcome.previousEpoch,
          });
        }
        this.#reads.joined(ack, fresh);
        // A first join or a reset replaced the timeline: no `message` for the page it starts
        // from, only for what lies beyond it; one `change` for all of it.
        this.#passed(passed, false);
        this.#events.emit('change', undefined);
        this.#reads.flush();
      },
      passed: (entries, changed) => this.#passed(entries, changed || entries.length > 0),
    });
    this.#reads = new RoomReads({
      room: name,
      userId: () => channel.userId(),
      send: (seq) => channel.read(name, seq),
      canSend: () => this.#sync.live,
      last: () => this.#sync.state.last,
      moved: (state) => this.#events.emit('read', state),
      receipts: (event) => this.#events.emit('receipts', event),
      changed: () => this.#events.emit('change', undefined),
    });
  }

  get epoch() {
    return this.#sync.state.epoch;
  }
  get messages(): readonly Message[] {
    return this.#sync.state.messages;
  }
  get hasMoreHistory() {
    return this.#sync.state.hasMoreHistory;
  }
  get pending(): readonly PendingMessage[] {
    return this.#channel.pending(this.name);
  }
  get typingUsers(): readonly User[] {
    return this.#typing.users;
  }
  get readSeq(): number {
    return this.#reads.readSeq;
  }
  get unreadCount(): number {
    return this.#reads.unreadCount;
  }
  get readPositions(): ReadonlyMap<string, number> {
    return this.#reads.positions;
  }
  /** Joined on the current connection, with nothing in flight to catch up on. */
  get settled(): boolean {
    return this.#sync.settled;
  }
  /** The server answered this room's join on the current connection (catching up or not). */
  get joinedOnServer(): boolean {
    return this.#sync.live;
  }

  on<E extends keyof RoomEvents>(event: E, listener: Listener<RoomEvents[E]>): () => void {
    return this.#events.on(event, listener);
  }

  send(text: string, options: SendOptions = {}): Promise<Message> {
    const { replyTo } = options;
    try {
      this.#assertActive();
      validateLocally(MessageTextSchema, text, 'text');
      if (replyTo !== undefined) validateLocally(MessageIdSchema, replyTo, 'replyTo');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#channel.send(this.name, text, replyTo);
  }

  edit(messageId: string, text: string): Promise<Message> {
    return this.#change(() => editRequest(messageId, text));
  }

  delete(messageId: string): Promise<Message> {
    return this.#change(() => deleteRequest(messageId));
  }

  react(messageId: string, emoji: string): Promise<Message> {
    return this.#change(() => reactionRequest('react', messageId, emoji));
  }

  unreact(messageId: string, emoji: string): Promise<Message> {
    return this.#change(() => reactionRequest('unreact', messageId, emoji));
  }

  markRead(seq?: number): Promise<ReadState> {
    let target: number;
    try {
      this.#assertActive();
      target =
        seq === undefined ? this.#sync.state.last : validateLocally(SeqCursorSchema, seq, 'seq');
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#reads.markRead(target);
  }

  readBy(messageId: string): readonly string[] {
    return this.#reads.readBy(this.#sync.state.find(messageId));
  }

  async history(options: HistoryOptions = {}): Promise<HistoryPage> {
    this.#assertActive();
    const { signal, timeoutMs, ...query } = options;
    const payload = validateLocally(
      HistoryPayloadSchema,
      { limit: LIMITS.historyPageDefaultSize, ...query, room: this.name },
      'history',
    );
    const page = await this.#channel.history(payload, { signal, timeoutMs });
    if (this.#left) return page;
    if (
      payload.after === undefined &&
      this.#sync.state.prependOlder(page.messages, page.hasMore, payload.before)
    ) {
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
    this.abandon();
    await this.#channel.leave(this.name);
  }

  /**
   * Stops this room object for good without telling its client: a join given up on before it
   * resolved (the client removed it and leaves on the server once that join is answered).
   */
  abandon(): void {
    if (this.#left) return;
    this.#left = true;
    this.#sync.leave();
    this.#typing.clear();
    this.#reads.close(new ChatterError('CLOSED', `You left room "${this.name}"`));
    this.#events.clear();
  }

  /** Joins on the current connection and resolves once caught up (see `RoomSync.sync`). */
  sync(): Promise<void> {
    return this.#sync.sync();
  }

  /** A message broadcast to the room or acknowledged to this user. */
  receive(message: Message): void {
    this.#sync.receive(message);
  }

  /** A change broadcast to the room or acknowledged to this user. */
  receiveChange(change: MessageChange): void {
    this.#sync.receiveChange(change);
  }

  /** The room's newest `seq`, announced by a server (see `RoomSync.headEvent`). */
  headEvent(event: HeadEvent): void {
    this.#sync.headEvent(event);
  }

  /** This user's read position moved (a `read` event: here, or on another device). */
  readEvent(state: ReadState): void {
    if (!this.#left) this.#reads.heard(state);
  }

  /** Others read further. */
  receiptsEvent(event: ReceiptsEvent): void {
    if (!this.#left) this.#reads.heardReceipts(event.reads);
  }

  typingEvent(event: TypingEvent): void {
    if (this.#left) return;
    if (this.#typing.heard(event)) this.#typingChanged(event);
  }

  connectionLost(): void {
    // The server forgets typing with the connection; the next keystroke must announce it again.
    this.#typingSentAt = Number.NEGATIVE_INFINITY;
    this.#sync.connectionLost();
    if (this.#typing.size > 0) {
      this.#typing.clear();
      this.#events.emit('change', undefined);
    }
  }

  /** The outbox changed this room's pending entries. */
  pendingChanged(): void {
    this.#events.emit('change', undefined);
  }

  #typingChanged(event: TypingEvent): void {
    this.#events.emit('typing', event);
    this.#events.emit('change', undefined);
  }

  /**
   * Counts the entries the log passed (unread), then emits `message` or the change's own event
   * for each, in `seq` order, and then `change` if asked to.
   */
  #passed(entries: readonly LogEntry[], emitChange: boolean): void {
    this.#reads.passed(entries);
    for (const entry of entries) {
      if (entry.kind === 'message') this.#events.emit('message', entry.message);
      else this.#events.emit(CHANGE_EVENTS[entry.change.type], entry.change);
    }
    if (emitChange) this.#events.emit('change', undefined);
  }

  /** Checks a change here, as the server would, and queues it in the outbox. */
  #change(build: () => ChangeRequest): Promise<Message> {
    try {
      this.#assertActive();
      return this.#channel.change(this.name, build());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #assertActive(): void {
    if (this.#left) throw new ChatterError('CLOSED', `You left room "${this.name}"`);
  }
}
