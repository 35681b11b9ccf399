import type { AckSuccess, HeadEvent, JoinAck, Message } from '@chatter/protocol';
import { fetchMissing } from './catch-up.js';
import { ChatterError, isTransient, toChatterError } from './errors.js';
import type { MessageChange } from './log-types.js';
import type { LogEntry } from './message-log.js';
import type { RoomChannel } from './room-channel.js';
import { type JoinOutcome, RoomState } from './room-state.js';

type JoinedAck = AckSuccess<JoinAck>;

export interface RoomSyncDeps {
  name: string;
  channel: Pick<RoomChannel, 'join' | 'history' | 'reportError'>;
  /**
   * A join was applied. `fresh`: a first join or a reset, whose page replaced the timeline;
   * `passed`: the entries beyond it (or, resumed, the entries replayed) that the log passed.
   */
  joined(ack: JoinedAck, outcome: JoinOutcome, fresh: boolean, passed: readonly LogEntry[]): void;
  /**
   * Entries the log passed, in `seq` order (live, acknowledged, or caught up), and whether the
   * timeline changed (it may without any passing: a change shown early, ahead of a gap).
   */
  passed(entries: readonly LogEntry[], changed: boolean): void;
}

/**
 * Keeps one room's log in step with the server: joins (resuming after what it holds), takes live
 * entries, fetches gaps, rejoins for a new epoch. What the log passed goes to the room to report.
 */
export class RoomSync {
  readonly state = new RoomState();
  readonly #deps: RoomSyncDeps;
  /**
   * Bumped on every lost connection and every rejoin for a new epoch, so answers to requests
   * made for the timeline before are ignored.
   */
  #generation = 0;
  #live = false;
  #left = false;
  #sync: Promise<void> | undefined;
  #catchUp: Promise<void> | undefined;
  /** The newest `head` event heard while a sync was under way, to look at once it is done. */
  #headDuringSync: HeadEvent | undefined;

  constructor(deps: RoomSyncDeps) {
    this.#deps = deps;
  }

  /** Joined on the current connection (and not left). */
  get live(): boolean {
    return this.#live && !this.#left;
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
    this.#take(() => this.state.receive(message));
  }

  /** A change broadcast to the room or acknowledged to this user. */
  receiveChange(change: MessageChange): void {
    this.#take(() => this.state.receiveChange(change));
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
    if (event.epoch !== this.state.epoch) this.#rejoin();
    else if (this.state.announceHead(event.head)) void this.#startCatchUp();
  }

  connectionLost(): void {
    this.#generation += 1;
    this.#live = false;
    this.#sync = undefined;
    this.#catchUp = undefined;
    this.#headDuringSync = undefined;
    this.state.connectionLost();
  }

  leave(): void {
    this.#left = true;
    this.#live = false;
  }

  #take(take: () => LogEntry[]): void {
    if (this.#left) return;
    const before = this.state.messages;
    const passed = take();
    this.#deps.passed(passed, this.state.messages !== before);
    if (this.#live && this.state.behind) void this.#startCatchUp();
  }

  async #runSync(): Promise<void> {
    const generation = this.#generation;
    const state = this.state;
    const since = state.resumable ? { since: state.last, epoch: state.epoch ?? '' } : undefined;
    const ack = await this.#deps.channel.join(this.#deps.name, since);
    if (generation !== this.#generation || this.#left) {
      throw new ChatterError('DISCONNECTED', 'The connection dropped while joining');
    }
    const { outcome, passed } = state.applyJoin(ack, since?.since);
    this.#live = true;
    this.#deps.joined(ack, outcome, !since || outcome.reset, passed);
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
      if (!isTransient(chatterError)) this.#deps.channel.reportError(chatterError);
    });
  }

  /** Fetches what lies between the log held and the newest `seq` seen, page by page. */
  #startCatchUp(): Promise<void> {
    if (!this.#catchUp) {
      const generation = this.#generation;
      const { name, channel } = this.#deps;
      const run = fetchMissing({
        state: this.state,
        fetchAfter: (after, limit) => channel.history({ room: name, after, limit }),
        current: () => generation === this.#generation && !this.#left,
        take: (page) => {
          const before = this.state.messages;
          const passed = this.state.receiveAll(page.messages, page.changes);
          this.#deps.passed(passed, this.state.messages !== before);
        },
      }).finally(() => {
        // One for a timeline since replaced may end after the next one started.
        if (this.#catchUp === run) this.#catchUp = undefined;
      });
      this.#catchUp = run;
    }
    return this.#catchUp.catch((error: unknown) => {
      const chatterError = toChatterError(error);
      // A dropped connection is not worth reporting: the next join catches up anyway.
      if (chatterError.code !== 'DISCONNECTED') this.#deps.channel.reportError(chatterError);
    });
  }
}
