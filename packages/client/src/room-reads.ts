import type { AckSuccess, JoinAck, Message } from '@chatter/protocol';
import type { ChatterError } from './errors.js';
import type { ReadState, ReceiptsEvent } from './log-types.js';
import type { LogEntry } from './message-log.js';
import { ReadRequests } from './read-requests.js';
import { NOBODY, ReadTracker } from './read-tracker.js';

type JoinedAck = AckSuccess<JoinAck>;

export interface RoomReadsDeps {
  room: string;
  userId(): string | undefined;
  /** Sends `read` on the current connection. */
  send(seq: number): Promise<ReadState>;
  /** Whether the room is joined on the current connection. */
  canSend(): boolean;
  /** The `seq` the room's log is complete up to. */
  last(): number;
  /** This user's read position moved (`read`). */
  moved(state: ReadState): void;
  /** Others read further (`receipts`). */
  receipts(event: ReceiptsEvent): void;
  /** Something `readSeq`, `unreadCount` or `readPositions` show changed. */
  changed(): void;
}

/**
 * One room's read state, between the server and the room: this user's read position and unread
 * count (see `ReadTracker` for how the count follows the log), `markRead` requests (see
 * `ReadRequests`), and how far others have read.
 */
export class RoomReads {
  readonly #deps: RoomReadsDeps;
  readonly #tracker: ReadTracker;
  readonly #requests: ReadRequests;

  constructor(deps: RoomReadsDeps) {
    this.#deps = deps;
    this.#tracker = new ReadTracker(deps.userId);
    this.#requests = new ReadRequests({
      send: deps.send,
      canSend: deps.canSend,
      current: () => this.state,
      answered: (state) => this.heard(state),
    });
  }

  get readSeq(): number {
    return this.#tracker.readSeq;
  }

  get unreadCount(): number {
    return this.#tracker.unreadCount;
  }

  get positions(): ReadonlyMap<string, number> {
    return this.#tracker.positions;
  }

  /** Where this user's reading stands, as far as this client has seen the log. */
  get state(): ReadState {
    return {
      room: this.#deps.room,
      seq: this.#tracker.readSeq,
      unread: this.#tracker.unreadCount,
      head: Math.max(this.#tracker.countedAt, this.#deps.last()),
    };
  }

  readBy(message: Message | undefined): readonly string[] {
    return message ? this.#tracker.readBy(message) : NOBODY;
  }

  markRead(seq: number): Promise<ReadState> {
    return this.#requests.mark(seq);
  }

  /**
   * Takes a join's read state: on a resumed join, as news; on a first join or after a reset,
   * as a fresh start (positions asked for in another epoch mean nothing now).
   */
  joined(ack: JoinedAck, fresh: boolean): void {
    const before = this.#tracker.readSeq;
    const base = { seq: ack.readSeq, unread: ack.unread, head: ack.head };
    if (fresh) {
      this.#tracker.reset(base);
      this.#requests.cancel();
    } else {
      this.#tracker.setBase(base);
    }
    if (this.#tracker.readSeq !== before) this.#deps.moved(this.state);
    this.heardReceipts(ack.reads);
  }

  /** Asks what was wanted while the room was not joined; called after each join. */
  flush(): void {
    this.#requests.flush();
  }

  /** The server's word on this user's reading: a `read` event, or the answer to a `read`. */
  heard(state: ReadState): void {
    const before = this.#tracker.readSeq;
    if (!this.#tracker.setBase(state)) return;
    if (this.#tracker.readSeq !== before) this.#deps.moved(this.state);
    this.#deps.changed();
  }

  heardReceipts(reads: ReceiptsEvent['reads']): void {
    const moved = this.#tracker.updatePositions(reads);
    if (moved.length === 0) return;
    this.#deps.receipts({ room: this.#deps.room, reads: moved });
    this.#deps.changed();
  }

  /** Counts the entries the log passed (the room emits `change` for them). */
  passed(entries: readonly LogEntry[]): void {
    this.#tracker.passed(entries);
  }

  /** The room was left: what is awaited rejects with `error`. */
  close(error: ChatterError): void {
    this.#requests.cancel(error);
  }
}
