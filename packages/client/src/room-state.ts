import type { JoinAck, Message } from '@chatter/protocol';

type JoinedAck = Extract<JoinAck, { ok: true }>;

/** What applying a join acknowledgement did to the room. */
export interface JoinOutcome {
  /**
   * The room's history was replaced: its epoch changed, or its head is behind what the client
   * holds (history restored from an older backup). `previousEpoch` is the epoch held before.
   */
  reset: boolean;
  previousEpoch: string | null;
}

/**
 * A room's timeline, free of I/O: the contiguous run of messages the client holds, and what
 * arrived ahead of it. Messages are appended strictly in `seq` order, each once; anything that
 * arrives early waits in `held` until the gap before it is filled.
 */
export class RoomState {
  epoch: string | null = null;
  messages: Message[] = [];
  /** Whether older messages exist before `messages[0]`. */
  hasMoreHistory = false;
  /** The `seq` the timeline is complete up to: a resumed join asks for what comes after it. */
  last = 0;
  /** The highest `seq` the server has shown to exist; `last < head` means a gap to fetch. */
  head = 0;
  readonly #held = new Map<number, Message>();

  /** Whether a join can resume from `last` (it can once the room's epoch is known). */
  get resumable(): boolean {
    return this.epoch !== null;
  }

  get behind(): boolean {
    return this.head > this.last;
  }

  /** Takes a message from anywhere (live, replay, gap fetch); returns those now in order. */
  receive(message: Message): Message[] {
    return this.receiveAll([message]);
  }

  /** Takes a page of messages at once: the timeline is copied once, not once per message. */
  receiveAll(messages: readonly Message[]): Message[] {
    for (const message of messages) {
      if (message.seq > this.last && !this.#held.has(message.seq)) {
        this.#held.set(message.seq, message);
        this.head = Math.max(this.head, message.seq);
      }
    }
    return this.#appendReady();
  }

  /**
   * Takes a head the server announced (its `head` event); returns whether there is a gap to
   * fetch. A head at or before `last` says nothing: it may have been sent before the messages
   * that arrived since.
   */
  announceHead(head: number): boolean {
    if (head <= this.last) return false;
    this.head = Math.max(this.head, head);
    return true;
  }

  /** Applies a join acknowledgement; `resumed` says whether the join sent `since`. */
  applyJoin(ack: JoinedAck, resumed: boolean): { outcome: JoinOutcome; appended: Message[] } {
    const previousEpoch = this.epoch;
    // A head behind `last` means messages this client holds are gone from the server: its
    // timeline can no longer be trusted, even where the epoch is the same.
    const reset = resumed && (ack.epoch !== previousEpoch || ack.head < this.last);
    if (resumed && !reset) {
      this.head = Math.max(this.head, ack.head);
      const appended = this.receiveAll(ack.messages);
      return { outcome: { reset: false, previousEpoch }, appended };
    }
    // A first join (or a new epoch): the server sent the newest page, not a replay.
    this.epoch = ack.epoch;
    this.messages = [...ack.messages];
    this.hasMoreHistory = ack.hasMore;
    this.last = ack.messages.at(-1)?.seq ?? ack.head;
    this.head = Math.max(ack.head, this.last);
    for (const seq of this.#held.keys()) if (seq <= this.last) this.#held.delete(seq);
    for (const message of this.#held.values()) this.head = Math.max(this.head, message.seq);
    return { outcome: { reset, previousEpoch }, appended: this.#appendReady() };
  }

  /**
   * Prepends an older page if it ends right before the timeline; returns whether it did. Pages
   * that do not touch the timeline are the app's to keep: merging them would leave a hole.
   */
  prependOlder(page: readonly Message[], hasMore: boolean): boolean {
    const first = this.messages[0]?.seq;
    if (first === undefined) return false;
    const older = page.filter((message) => message.seq < first);
    const contiguous = older.every(
      (message, index) => message.seq === first - older.length + index,
    );
    if (older.length === 0 || !contiguous) return false;
    this.messages = [...older, ...this.messages];
    this.hasMoreHistory = hasMore && (older[0]?.seq ?? 1) > 1;
    return true;
  }

  /** Forgets what arrived ahead of the timeline: the next join replays it in order anyway. */
  connectionLost(): void {
    this.#held.clear();
    this.head = this.last;
  }

  #appendReady(): Message[] {
    const appended: Message[] = [];
    for (let next = this.#held.get(this.last + 1); next; next = this.#held.get(this.last + 1)) {
      this.#held.delete(next.seq);
      this.last = next.seq;
      appended.push(next);
    }
    for (const seq of this.#held.keys()) if (seq <= this.last) this.#held.delete(seq);
    // A new array on every change, so UIs can tell a changed timeline by identity.
    if (appended.length > 0) this.messages = [...this.messages, ...appended];
    return appended;
  }
}
