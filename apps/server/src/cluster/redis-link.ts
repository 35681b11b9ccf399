import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createClient } from '@redis/client';
import { StoreUnavailableError } from '../store/chat-store.js';
import type { Logger } from '../utils/logger.js';

// A lost link is retried quickly (a Redis restart is the common case), never given up on.
const RECONNECT_MAX_DELAY_MS = 1000;
// How long a node waits for Redis at start before it refuses to start.
const CONNECT_TIMEOUT_MS = 10_000;

const newClient = (options: Parameters<typeof createClient>[0]) => createClient(options);

export type RedisClient = ReturnType<typeof newClient>;

/** Where a Redis URL points, without its user name or password, for logs and errors. */
export const redisTarget = (url: string): string => {
  const { protocol, host, pathname } = new URL(url);
  return `${protocol}//${host}${pathname === '/' ? '' : pathname}`;
};

export interface RedisLinkEvents {
  /** Every client is connected again after a loss (not at the first connection). */
  restored: [];
  lost: [reason: string];
  /** This node wrote its state back into Redis after Redis lost or missed it. */
  rejoined: [];
}

/**
 * A node's connections to Redis, and whether they are all up. Four clients, because a client in
 * subscriber mode can run nothing else, and because the two that publish and run commands must
 * fail at once while Redis is away instead of queueing: Socket.IO's adapter awaits the publish
 * before it delivers to this node's own sockets, and a presence script run an hour late would
 * announce an hour-old state. The subscribers keep node-redis's queue, which holds their
 * subscriptions until it resubscribes on reconnection.
 */
export class RedisLink extends EventEmitter<RedisLinkEvents> {
  /** This process in the cluster: its connections and heartbeat are filed under it. */
  readonly nodeId = randomUUID();
  /** `<CHATTER_REDIS_PREFIX>:`, the start of every key and channel of this cluster. */
  readonly prefix: string;
  readonly commands: RedisClient;
  readonly publisher: RedisClient;
  readonly adapterSubscriber: RedisClient;
  readonly subscriber: RedisClient;
  readonly target: string;
  readonly #logger: Logger;
  readonly #clients: RedisClient[];
  #up = false;
  #closed = false;
  #lastLossReason: string | undefined;

  constructor(url: string, prefix: string, logger: Logger) {
    super();
    this.prefix = `${prefix}:`;
    this.target = redisTarget(url);
    this.#logger = logger;
    const make = (name: string, queueWhileDown: boolean): RedisClient => {
      const client = newClient({
        url,
        name: `chatter-${name}`,
        disableOfflineQueue: !queueWhileDown,
        socket: {
          connectTimeout: 5000,
          reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, RECONNECT_MAX_DELAY_MS),
        },
      });
      client.on('error', (error: Error) => this.#lose(error.message));
      client.on('end', () => this.#lose('the connection ended'));
      client.on('ready', () => this.#checkUp());
      return client;
    };
    this.commands = make('commands', false);
    this.publisher = make('publisher', false);
    this.adapterSubscriber = make('adapter-subscriber', true);
    this.subscriber = make('subscriber', true);
    this.#clients = [this.commands, this.publisher, this.adapterSubscriber, this.subscriber];
  }

  get up(): boolean {
    return this.#up;
  }

  /** Connects every client; throws a one-line StoreUnavailableError when Redis cannot be reached. */
  async open(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new StoreUnavailableError(
              `cannot reach Redis at ${this.target} (REDIS_URL): ${this.#lastLossReason ?? 'no answer'} after ${CONNECT_TIMEOUT_MS / 1000} s`,
            ),
          ),
        CONNECT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([Promise.all(this.#clients.map((client) => client.connect())), timeout]);
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.#checkUp();
  }

  /** `${prefix}${name}`: a key or channel of this cluster. */
  key(name: string): string {
    return this.prefix + name;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#up = false;
    await Promise.all(
      this.#clients.map(async (client) => {
        // A client still retrying would wait for its connection to close politely.
        if (client.isReady) await client.close();
        else if (client.isOpen) client.destroy();
      }),
    );
  }

  #checkUp(): void {
    if (this.#up || this.#closed || !this.#clients.every((client) => client.isReady)) return;
    const restored = this.#lastLossReason !== undefined;
    this.#up = true;
    if (!restored) return;
    this.#logger.info({ redis: this.target }, 'the Redis link is back');
    this.emit('restored');
  }

  #lose(reason: string): void {
    this.#lastLossReason = reason;
    if (!this.#up || this.#closed) return;
    this.#up = false;
    this.#logger.warn(
      { redis: this.target, reason },
      `lost the Redis link: ${reason}; live events between nodes are paused, messages are still stored`,
    );
    this.emit('lost', reason);
  }
}

/** A Lua script run by its SHA, sent again in full when Redis has lost it (a restart). */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly string[],
  ): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand(['EVALSHA', this.#sha, ...tail]);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return client.sendCommand(['EVAL', this.#source, ...tail]);
    }
  }
}
