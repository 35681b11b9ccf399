import type { Logger } from '../utils/logger.js';
import type { RedisClient } from './redis-link.js';

type Listener = (message: Buffer, channel: Buffer) => void;

// A subscription Redis refused (not a lost link, which the client queues for) is asked again
// this long after.
const RETRY_MS = 1000;
// A join waits no longer than this for its subscription (a link that drops meanwhile).
const LONGEST_WAIT_MS = 2000;

/**
 * The subscriber Socket.IO's sharded adapter is given, which keeps this node subscribed to
 * exactly the rooms its sockets are in. In dynamic mode the adapter subscribes to a room's
 * channel when the room appears on this node and unsubscribes when it empties, firing both and
 * ignoring their promises. With node-redis that goes wrong three ways, each seen in tests:
 *
 * - a subscription in flight when the link drops rejects, unhandled, which ends the process, and
 *   node-redis forgets it, so after reconnecting the node would not hear the room;
 * - node-redis counts a channel as subscribed only once Redis answers, and does not see an
 *   unsubscription in flight: subscribe, unsubscribe, subscribe in quick succession (one socket
 *   leaves as another joins) sends the second subscribe nowhere, and the unsubscription's answer
 *   then leaves the node deaf to a room it has sockets in;
 * - the join's replay is read before Redis has the subscription, so a message stored on another
 *   node in between reaches neither.
 *
 * So each channel's wanted state is reconciled one command at a time (the next only once the
 * last one's answer is in), and `subscribed(room)` lets a join wait for Redis to have it.
 */
export class AdapterSubscriber {
  readonly #client: RedisClient;
  readonly #logger: Logger;
  readonly #channelOf: (room: string) => string;
  readonly #wanted = new Map<string, { listener: Listener; buffers: boolean }>();
  /** Channels Redis has confirmed, as node-redis records them. */
  readonly #confirmed = new Set<string>();
  readonly #busy = new Set<string>();
  readonly #waiting = new Map<string, Array<() => void>>();

  /** `channelOf`: the adapter's channel for a room (`<prefix>#/#<room>#`). */
  constructor(client: RedisClient, logger: Logger, channelOf: (room: string) => string) {
    this.#client = client;
    this.#logger = logger;
    this.#channelOf = channelOf;
  }

  /** The adapter's call (node-redis's signature). */
  sSubscribe(channel: string, listener: Listener, buffers: boolean): void {
    this.#wanted.set(channel, { listener, buffers });
    this.#reconcile(channel);
  }

  /** The adapter's call. */
  sUnsubscribe(channel: string): void {
    this.#wanted.delete(channel);
    this.#reconcile(channel);
  }

  /**
   * Resolves once Redis has this node's subscription to `room` (at once when it has it already,
   * or when nothing wants it). While the link is down it resolves at once too: the subscription
   * waits for the link, and the heads announced when it returns cover what was missed.
   */
  subscribed(room: string): Promise<void> {
    const channel = this.#channelOf(room);
    if (!this.#client.isReady || !this.#wanted.has(channel) || this.#confirmed.has(channel)) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiters = this.#waiting.get(channel) ?? [];
      waiters.push(resolve);
      this.#waiting.set(channel, waiters);
      setTimeout(resolve, LONGEST_WAIT_MS).unref();
    });
  }

  #reconcile(channel: string): void {
    if (this.#busy.has(channel) || !this.#client.isOpen) {
      if (!this.#client.isOpen) this.#release(channel);
      return;
    }
    const wanted = this.#wanted.get(channel);
    const confirmed = this.#confirmed.has(channel);
    if (wanted && !confirmed) {
      void this.#run(
        channel,
        () => this.#client.sSubscribe(channel, wanted.listener as never, wanted.buffers),
        () => this.#confirmed.add(channel),
      );
    } else if (!wanted && confirmed) {
      void this.#run(
        channel,
        () => this.#client.sUnsubscribe(channel),
        () => this.#confirmed.delete(channel),
      );
    } else {
      this.#release(channel);
    }
  }

  /** Runs one command for `channel`, records its effect, then reconciles again. */
  async #run(channel: string, command: () => Promise<unknown>, done: () => void): Promise<void> {
    this.#busy.add(channel);
    let retryLater = false;
    try {
      await command();
      done();
    } catch (error) {
      // A lost link rejects what was in flight; the client queues the retry until it is back.
      retryLater = this.#client.isReady;
      this.#logger.debug({ err: error, channel }, 'a room subscription will be asked again');
    }
    this.#busy.delete(channel);
    if (retryLater) setTimeout(() => this.#reconcile(channel), RETRY_MS).unref();
    else this.#reconcile(channel);
  }

  #release(channel: string): void {
    const waiters = this.#waiting.get(channel);
    if (!waiters) return;
    this.#waiting.delete(channel);
    for (const resolve of waiters) resolve();
  }
}
