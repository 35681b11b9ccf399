import type { AckSuccess, JoinAck, Message, MessageChange } from '@chatter/protocol';
import { changeEntry, indexOfSeq, type LogEntry, messageEntry, quoting } from './message-log.js';

type JoinedAck = AckSuccess<JoinAck>;

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
 * A room's log as the client holds it, free of I/O: the timeline of messages, each in its
 * latest state, and the point `last` up to which the log is complete. Entries (messages and
 * changes, which share one gap-free `seq`) are taken strictly in `seq` order, each once;
 * anything that arrives early waits in `held` until the gap before it is filled. A change moves
 * `last` on whether or not the client holds its message (it may lie before the oldest page
 * loaded).
 */
export class RoomState {
  epoch: string | null = null;
  /** Ordered by `seq`; a new array whenever anything in it changes, and only then. */
  messages: readonly Message[] = [];
  /** Whether older messages exist before `messages[0]`. */
  hasMoreHistory = false;
  /** The `seq` the log is complete up to: a resumed join asks for what comes after it. */
  last = 0;
  /** The highest `seq` the server has shown to exist; `last < head` means a gap to fetch. */
  head = 0;
  readonly #held = new Map<number, LogEntry>();
  /**
   * Per message, the `seq` of the newest change applied to it; a message not in here is as it
   * was created (or as a page showed it). A change at or below it carries an older state.
   */
  readonly #applied = new Map<string, number>();
  /** Each message in the timeline by id: its `seq`, where to find it. */
  readonly #seqOf = new Map<string, number>();
  /** Per parent id, the `seq`s of the timeline's replies to it, to quote the parent anew. */
  readonly #replies = new Map<string, number[]>();

  /** Whether a join can resume from `last` (it can once the room's epoch is known). */
  get resumable(): boolean {
    return this.epoch !== null;
  }

  get behind(): boolean {
    return this.head > this.last;
  }

  /** The message with this id, if the timeline holds it. */
  find(id: string): Message | undefined {
    const seq = this.#seqOf.get(id);
    return seq === undefined ? undefined : this.messages[indexOfSeq(this.messages, seq)];
  }

  /** Takes a message from anywhere (live, replay, gap fetch); returns the entries now passed. */
  receive(message: Message): LogEntry[] {
    return this.receiveAll([message]);
  }

  /** Takes a change from anywhere (live, an acknowledgement); returns the entries now passed. */
  receiveChange(change: MessageChange): LogEntry[] {
    return this.receiveAll([], [change]);
  }

  /**
   * Takes a page of the log at once (a forward page's messages and changes, in any order):
   * the timeline is copied once, not once per entry. Returns the entries passed, in `seq` order.
   *
   * A change that has to wait behind a gap still shows at once on a message the timeline holds:
   * it carries the message's whole state, newer than any change before it. The changes in the
   * gap then carry older states, and are not applied when the log passes them.
   */
  receiveAll(messages: readonly Message[], changes: readonly MessageChange[] = []): LogEntry[] {
    for (const message of messages) this.#hold(messageEntry(message));
    const taken = changes.filter((change) => this.#hold(changeEntry(change)));
    const passed = this.#passReady();
    const early = taken.filter((change) => this.#held.has(change.seq));
    if (early.length > 0) {
      this.#update((timeline) => {
        for (const change of early) this.#applyChange(change, timeline);
      });
    }
    return passed;
  }

  /**
   * Takes a head the server announced (its `head` event); returns whether there is a gap to
   * fetch. A head at or before `last` says nothing: it may have been sent before the entries
   * that arrived since.
   */
  announceHead(head: number): boolean {
    if (head <= this.last) return false;
    this.head = Math.max(this.head, head);
    return true;
  }

  /**
   * Applies a join acknowledgement. `since` is the `seq` the join resumed after, undefined for a
   * join that sent none.
   */
  applyJoin(
    ack: JoinedAck,
    since: number | undefined,
  ): { outcome: JoinOutcome; passed: LogEntry[] } {
    const previousEpoch = this.epoch;
    const resumed = since !== undefined;
    // A head behind the `since` the join sent means entries this client held are gone from the
    // server: its timeline can no longer be trusted, even where the epoch is the same. Compared
    // with `since`, not `last`: an acknowledgement of a send or change made while the join was on
    // its way can arrive first, with a `seq` beyond the head the join read.
    const reset = resumed && (ack.epoch !== previousEpoch || ack.head < since);
    if (resumed && !reset) {
      this.head = Math.max(this.head, ack.head);
      const passed = this.receiveAll(ack.messages, ack.changes);
      return { outcome: { reset: false, previousEpoch }, passed };
    }
    // A first join (or a new epoch): the server sent the newest page, not a replay, with each
    // message as it was when read, so every change up to its last message shows in it. The
    // head may be newer than the page (the server reads it after): what lies between, changes
    // included, is fetched like any gap, or arrives live.
    this.epoch = ack.epoch;
    this.#applied.clear();
    this.#seqOf.clear();
    this.#replies.clear();
    this.messages = [...ack.messages];
    for (const message of ack.messages) this.#index(message);
    this.hasMoreHistory = ack.hasMore;
    this.last = ack.messages.at(-1)?.seq ?? 0;
    this.head = Math.max(ack.head, this.last);
    for (const seq of this.#held.keys()) if (seq <= this.last) this.#held.delete(seq);
    for (const entry of this.#held.values()) this.head = Math.max(this.head, entry.seq);
    return { outcome: { reset, previousEpoch }, passed: this.#passReady() };
  }

  /**
   * Prepends a page of older messages if it ends right before the timeline; returns whether it
   * did. `before` is the `before` the page was asked with (none: the newest page). Pages that do
   * not touch the timeline are the app's to keep: merging them would leave a hole.
   */
  prependOlder(page: readonly Message[], hasMore: boolean, before?: number): boolean {
    const first = this.messages[0]?.seq;
    if (first === undefined) return false;
    const older = page.filter((message) => message.seq < first);
    if (older.length === 0) return false;
    // A backward page is the newest messages before `before`. Changes take seqs between
    // messages, so a jump in seq proves nothing; the page ends right before the timeline when
    // it was asked for right before it, when it reaches into it, or when its seqs run on to it.
    const touches =
      before === first ||
      older.length < page.length ||
      older.every((message, index) => message.seq === first - older.length + index);
    if (!touches) return false;
    for (const message of older) this.#index(message);
    this.messages = [...older, ...this.messages];
    this.hasMoreHistory = hasMore && (older[0]?.seq ?? 1) > 1;
    return true;
  }

  /** Forgets what arrived ahead of the timeline: the next join replays it in order anyway. */
  connectionLost(): void {
    this.#held.clear();
    this.head = this.last;
  }

  /** Keeps an entry until the log reaches it; `false` if the log has it already. */
  #hold(entry: LogEntry): boolean {
    if (entry.seq <= this.last || this.#held.has(entry.seq)) return false;
    this.#held.set(entry.seq, entry);
    this.head = Math.max(this.head, entry.seq);
    return true;
  }

  #passReady(): LogEntry[] {
    const passed: LogEntry[] = [];
    for (let next = this.#held.get(this.last + 1); next; next = this.#held.get(this.last + 1)) {
      this.#held.delete(next.seq);
      this.last = next.seq;
      passed.push(next);
    }
    for (const seq of this.#held.keys()) if (seq <= this.last) this.#held.delete(seq);
    if (passed.length === 0) return passed;
    this.#update((timeline) => {
      for (const entry of passed) {
        if (entry.kind === 'message') {
          timeline().push(entry.message);
          this.#index(entry.message);
        } else {
          this.#applyChange(entry.change, timeline);
        }
      }
    });
    return passed;
  }

  /**
   * Runs `edit` on a copy of the timeline, made on its first call of `timeline()` only: a new
   * array on every change, so UIs can tell a changed timeline by identity, and only then.
   */
  #update(edit: (timeline: () => Message[]) => void): void {
    let copy: Message[] | undefined;
    edit(() => {
      copy ??= [...this.messages];
      return copy;
    });
    if (copy) this.messages = copy;
  }

  #applyChange(change: MessageChange, timeline: () => Message[]): void {
    const { message } = change;
    const seq = this.#seqOf.get(message.id);
    // Not in the timeline (older than its first page): only the cursor moves.
    if (seq === undefined) return;
    // The change carries the message's whole state; never trade a newer state for an older one.
    if (change.seq <= (this.#applied.get(message.id) ?? seq)) return;
    this.#applied.set(message.id, change.seq);
    const messages = timeline();
    const index = indexOfSeq(messages, seq);
    if (index < 0) return;
    messages[index] = message;
    if (change.type !== 'edited' && change.type !== 'deleted') return;
    // Replies quote their parent's current text: show the edit or deletion in them too.
    for (const replySeq of this.#replies.get(message.id) ?? []) {
      const replyIndex = indexOfSeq(messages, replySeq);
      const reply = messages[replyIndex];
      if (reply) messages[replyIndex] = quoting(reply, message);
    }
  }

  #index(message: Message): void {
    this.#seqOf.set(message.id, message.seq);
    const parent = message.replyTo?.id;
    if (parent === undefined) return;
    const replies = this.#replies.get(parent);
    if (replies) replies.push(message.seq);
    else this.#replies.set(parent, [message.seq]);
  }
}
