import type { Message, ReadReceipt } from '@chatter/protocol';
import type { LogEntry } from './message-log.js';

/** The server's word on this user's reading: read up to `seq`, `unread` as of `head`. */
export interface ReadBase {
  seq: number;
  unread: number;
  head: number;
}

/**
 * An entry after the base's head that moves the count: a message by someone else (+1), or the
 * deletion of one (-1). `messageSeq` is where that message was created.
 */
interface Counted {
  seq: number;
  messageSeq: number;
  delta: 1 | -1;
}

/** The one empty list of readers, so that reading it twice gives the same array. */
export const NOBODY: readonly string[] = Object.freeze([]);

/**
 * This user's read position and unread count in one room, and how far others have read. Free
 * of I/O: the room feeds it the server's answers and the log entries as they pass.
 *
 * The unread count is the server's, moved on by what the client has seen since. The server
 * counts, as of a head, the messages after the read position that others wrote and nobody
 * deleted (`unread` of a join, a read acknowledgement or a `read` event). Each entry after that
 * head then moves it, as the server would count it: a message by someone else adds one, the
 * deletion of someone else's message after the read position takes one away (that message was
 * counted, by the server if it came before the head, here if after; a deletion at or before the
 * head was counted by the server already). Edits and reactions count nothing; neither do the
 * user's own messages. The entries after the head are kept until the server's next word, so a
 * base that arrives after entries it does not cover (its head behind `last`) adds them again.
 */
export class ReadTracker {
  readonly #userId: () => string | undefined;
  #base: ReadBase = { seq: 0, unread: 0, head: 0 };
  #counted: Counted[] = [];
  /** `unreadCount`, until the base or the entries counted change. */
  #unread: number | undefined = 0;
  #positions: ReadonlyMap<string, number> = new Map();
  readonly #readBy = new Map<string, readonly string[]>();

  constructor(userId: () => string | undefined) {
    this.#userId = userId;
  }

  get readSeq(): number {
    return this.#base.seq;
  }

  /** The head the server last counted at. */
  get countedAt(): number {
    return this.#base.head;
  }

  get unreadCount(): number {
    if (this.#unread === undefined) {
      let unread = this.#base.unread;
      for (const entry of this.#counted) {
        if (entry.messageSeq > this.#base.seq) unread += entry.delta;
      }
      this.#unread = Math.max(0, unread);
    }
    return this.#unread;
  }

  /** Others' read positions by user id; a new map whenever one moves. */
  get positions(): ReadonlyMap<string, number> {
    return this.#positions;
  }

  /**
   * Takes the server's word; returns whether it was news. An older word is ignored: a read
   * position only moves forward, and at the same position a count at a later head is newer.
   */
  setBase(base: ReadBase): boolean {
    const current = this.#base;
    if (base.seq < current.seq || (base.seq === current.seq && base.head <= current.head)) {
      return false;
    }
    this.#base = { seq: base.seq, unread: base.unread, head: base.head };
    this.#counted = this.#counted.filter((entry) => entry.seq > base.head);
    this.#unread = undefined;
    return true;
  }

  /** Starts over from `base` (a first join, or a history that was replaced). */
  reset(base: ReadBase): void {
    this.#base = { seq: base.seq, unread: base.unread, head: base.head };
    this.#counted = [];
    this.#unread = undefined;
    this.#positions = new Map();
    this.#readBy.clear();
  }

  /** Counts the entries the log passed; returns whether the unread count may have moved. */
  passed(entries: readonly LogEntry[]): boolean {
    const me = this.#userId();
    let moved = false;
    for (const entry of entries) {
      // At or before the head, the server's count has it already.
      if (entry.seq <= this.#base.head) continue;
      const message =
        entry.kind === 'message'
          ? entry.message
          : entry.change.type === 'deleted'
            ? entry.change.message
            : undefined;
      if (!message || message.author.id === me) continue;
      this.#counted.push({
        seq: entry.seq,
        messageSeq: message.seq,
        delta: entry.kind === 'message' ? 1 : -1,
      });
      moved ||= message.seq > this.#base.seq;
    }
    if (moved) this.#unread = undefined;
    return moved;
  }

  /** Takes others' read positions (a join's, a `receipts` event's); returns those that moved. */
  updatePositions(reads: readonly ReadReceipt[]): ReadReceipt[] {
    const me = this.#userId();
    let next: Map<string, number> | undefined;
    const moved: ReadReceipt[] = [];
    for (const read of reads) {
      if (read.userId === me) continue;
      const known = (next ?? this.#positions).get(read.userId);
      if (known !== undefined && known >= read.seq) continue;
      next ??= new Map(this.#positions);
      next.set(read.userId, read.seq);
      moved.push(read);
    }
    if (next) {
      this.#positions = next;
      this.#readBy.clear();
    }
    return moved;
  }

  /**
   * Who else has read `message`: the users whose position is at or past it, the author aside,
   * furthest first. The same array until a position moves.
   */
  readBy(message: Message): readonly string[] {
    const cached = this.#readBy.get(message.id);
    if (cached) return cached;
    const readers = [...this.#positions]
      .filter(([userId, seq]) => seq >= message.seq && userId !== message.author.id)
      .sort(([a, aSeq], [b, bSeq]) => bSeq - aSeq || (a < b ? -1 : a > b ? 1 : 0))
      .map(([userId]) => userId);
    const frozen = readers.length === 0 ? NOBODY : Object.freeze(readers);
    this.#readBy.set(message.id, frozen);
    return frozen;
  }
}
