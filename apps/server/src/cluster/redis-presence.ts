import type { Presence, PresenceStatus, User } from '@chatter/protocol';
import {
  LAST_ROOMS_KEPT,
  type PresenceListener,
  type PresenceTracker,
  type PresenceView,
} from '../services/presence-service.js';
import type { Logger } from '../utils/logger.js';
import { presenceScript } from './presence-script.js';
import type { RedisLink } from './redis-link.js';

export interface PresenceTiming {
  /** A node beats this often… */
  heartbeatMs: number;
  /** …and one silent for this long is taken for dead and swept. */
  nodeTimeoutMs: number;
  /** How often a node looks for users whose grace period ended and for dead nodes. */
  sweepMs: number;
}

/** A killed node's users go offline within nodeTimeoutMs + sweepMs + the grace period. */
export const PRESENCE_TIMING: PresenceTiming = {
  heartbeatMs: 2000,
  nodeTimeoutMs: 15_000,
  sweepMs: 1000,
};

/** A change as the presence script reports it, and an entry of `presence:online`. */
interface ScriptChange {
  u: User;
  s: PresenceStatus;
  ls: number | false;
  r: string[] | Record<string, never>;
}

interface LocalConnection {
  user: User;
  away: boolean;
  rooms: Set<string>;
}

const rooms = (value: ScriptChange['r']): string[] => (Array.isArray(value) ? value : []);

const toView = (entry: ScriptChange, now: Date): PresenceView => ({
  presence: {
    user: entry.u,
    status: entry.s,
    lastSeen: (entry.ls === false ? now : new Date(entry.ls)).toISOString(),
  },
  rooms: rooms(entry.r),
});

const NO_ROOMS: ReadonlySet<string> = new Set();

/**
 * Presence shared by every node of a cluster, in Redis (see `presence-script.ts` for the keys).
 * A user is online while any connection on any node is alive; each status change is decided by
 * one atomic script, so exactly one node announces it, to its own sockets and, over a Redis
 * channel, to the other nodes'. Each node also keeps its own connections in memory: they answer
 * `roomsOf` without a round trip, and they are what the node writes back into Redis when the
 * link returns after an outage (or when Redis restarted empty, or swept this node as dead).
 *
 * While Redis is unreachable, changes are not announced; the resync at reconnection announces
 * whatever changed meanwhile.
 */
export class RedisPresenceTracker implements PresenceTracker {
  readonly #link: RedisLink;
  readonly #graceMs: number;
  readonly #listener: PresenceListener;
  readonly #awayIntervalMs: number;
  readonly #logger: Logger;
  readonly #timing: PresenceTiming;
  readonly #lastRoomsKept: number;
  readonly #channel: string;
  readonly #connections = new Map<string, LocalConnection>();
  readonly #awayTimers = new Map<string, NodeJS.Timeout>();
  readonly #timers: NodeJS.Timeout[] = [];
  /** Redis may hold a stale picture of this node's connections; a resync is due. */
  #stale = false;
  #resyncing: Promise<void> | undefined;
  /** When the link last came up (ms): other nodes get a node timeout to beat again before any sweep. */
  #upSince = Date.now();
  #closed = false;

  constructor(deps: {
    link: RedisLink;
    graceMs: number;
    listener: PresenceListener;
    awayIntervalMs: number;
    logger: Logger;
    timing?: PresenceTiming;
    /** How many offline users' last rooms are kept. */
    lastRoomsKept?: number;
  }) {
    this.#link = deps.link;
    this.#graceMs = deps.graceMs;
    this.#listener = deps.listener;
    this.#awayIntervalMs = deps.awayIntervalMs;
    this.#logger = deps.logger;
    this.#timing = deps.timing ?? PRESENCE_TIMING;
    this.#lastRoomsKept = deps.lastRoomsKept ?? LAST_ROOMS_KEPT;
    this.#channel = deps.link.key('presence');
  }

  /** Registers the node, listens for other nodes' changes and starts the heartbeat and sweeps. */
  async start(): Promise<void> {
    await this.#link.subscriber.subscribe(this.#channel, (raw) => this.#receive(raw));
    await this.#run(['heartbeat', this.#link.nodeId]);
    this.#link.on('restored', () => {
      this.#upSince = Date.now();
      this.#stale = true;
      void this.#resync();
    });
    this.#link.on('lost', () => {
      this.#stale = true;
    });
    const every = (ms: number, task: () => Promise<void>) => {
      const timer = setInterval(() => void task().catch((error) => this.#failed(error)), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(this.#timing.heartbeatMs, () => this.#heartbeat());
    every(this.#timing.sweepMs, () => this.#sweep());
  }

  connect(user: User, connectionId: string, away = false): void {
    this.#connections.set(connectionId, { user, away, rooms: new Set() });
    this.#listener.onSeen(user, new Date());
    this.#apply(['connect', user.id, this.#link.nodeId, connectionId, user.name, away ? '1' : '0']);
  }

  disconnect(userId: string, connectionId: string): void {
    if (!this.#connections.delete(connectionId)) return;
    this.#apply(['disconnect', userId, this.#link.nodeId, connectionId, String(this.#graceMs)]);
  }

  async setAway(userId: string, connectionId: string, away: boolean): Promise<PresenceStatus> {
    const connection = this.#connections.get(connectionId);
    if (!connection) return 'offline';
    connection.away = away;
    try {
      return await this.#settle('away', userId, connectionId, away);
    } catch (error) {
      this.#failed(error);
      // Without Redis, what this node knows of the user.
      const mine = [...this.#connections.values()].filter((each) => each.user.id === userId);
      return mine.every((each) => each.away) ? 'away' : 'online';
    }
  }

  enterRoom(userId: string, connectionId: string, room: string): void {
    const connection = this.#connections.get(connectionId);
    if (!connection || connection.rooms.has(room)) return;
    connection.rooms.add(room);
    this.#apply(['enter', userId, this.#link.nodeId, connectionId, room]);
  }

  exitRoom(userId: string, connectionId: string, room: string): void {
    const connection = this.#connections.get(connectionId);
    if (!connection?.rooms.delete(room)) return;
    this.#apply(['exit', userId, this.#link.nodeId, connectionId, room]);
  }

  roomsOf(_userId: string, connectionId: string): ReadonlySet<string> {
    return this.#connections.get(connectionId)?.rooms ?? NO_ROOMS;
  }

  async lookUp(userIds: readonly string[]): Promise<Map<string, PresenceView>> {
    const now = new Date();
    return this.#readEach('presence:online', userIds, (entry: ScriptChange) => toView(entry, now));
  }

  async lastRoomsOf(userIds: readonly string[]): Promise<Map<string, readonly string[]>> {
    return this.#readEach('presence:last-rooms', userIds, rooms);
  }

  async listOnline(): Promise<PresenceView[]> {
    const all = await this.#link.commands.hGetAll(this.#link.key('presence:online'));
    const now = new Date();
    return Object.values(all).map((entry) => toView(JSON.parse(entry) as ScriptChange, now));
  }

  /** The JSON fields `ids` of the hash `name`, each parsed and read with `read`; missing ones left out. */
  async #readEach<Field, Value>(
    name: string,
    ids: readonly string[],
    read: (field: Field) => Value,
  ): Promise<Map<string, Value>> {
    const found = new Map<string, Value>();
    if (ids.length === 0) return found;
    const raw = (await this.#link.commands.hmGet(this.#link.key(name), ids as string[])) as Array<
      string | null
    >;
    raw.forEach((entry, index) => {
      const id = ids[index];
      if (entry && id !== undefined) found.set(id, read(JSON.parse(entry) as Field));
    });
    return found;
  }

  /**
   * Leaves the cluster: this node's connections are removed from Redis at once (their users get
   * the grace period, then go offline unless they reconnected elsewhere).
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    for (const timer of this.#awayTimers.values()) clearTimeout(timer);
    const now = new Date();
    for (const { user } of this.#connections.values()) this.#listener.onSeen(user, now);
    this.#connections.clear();
    if (!this.#link.up) return;
    try {
      await this.#run(['sweep', '', String(this.#graceMs), this.#link.nodeId]);
    } catch (error) {
      this.#failed(error);
    }
  }

  async #settle(
    op: 'away' | 'settle',
    userId: string,
    connectionId: string,
    away = false,
  ): Promise<PresenceStatus> {
    const result = (await this.#run([
      op,
      userId,
      this.#link.nodeId,
      connectionId,
      away ? '1' : '0',
      String(this.#awayIntervalMs),
    ])) as { status: PresenceStatus; wait: number; changes: ScriptChange[] };
    this.#announce(result.changes);
    if (result.wait > 0 && !this.#awayTimers.has(userId)) {
      // Announced when the interval since the last announcement ends, as the status then.
      const timer = setTimeout(() => {
        this.#awayTimers.delete(userId);
        if (this.#closed) return;
        this.#settle('settle', userId, connectionId).catch((error) => this.#failed(error));
      }, result.wait);
      timer.unref();
      this.#awayTimers.set(userId, timer);
    }
    return result.status;
  }

  /** Runs a change in Redis (in the order called) and announces what it changed. */
  #apply(args: string[]): void {
    this.#run(args).then(
      (changes) => this.#announce(changes as ScriptChange[]),
      (error) => this.#failed(error),
    );
  }

  async #run(args: string[]): Promise<unknown> {
    const reply = await presenceScript.run(
      this.#link.commands,
      [],
      [this.#link.prefix, args[0] as string, String(Date.now()), ...args.slice(1)],
    );
    return JSON.parse(String(reply));
  }

  #announce(changes: ScriptChange[] | Record<string, never>): void {
    if (!Array.isArray(changes) || changes.length === 0) return;
    for (const change of changes) this.#deliver(change);
    this.#link.publisher
      .publish(this.#channel, JSON.stringify({ from: this.#link.nodeId, changes }))
      .catch((error: unknown) => this.#failed(error));
  }

  #receive(raw: string): void {
    try {
      const { from, changes } = JSON.parse(raw) as { from: string; changes: ScriptChange[] };
      if (from === this.#link.nodeId) return;
      for (const change of changes) this.#deliver(change, false);
    } catch (error) {
      this.#logger.warn({ err: error }, 'ignored a malformed presence change from Redis');
    }
  }

  /** `decidedHere`: this node's script made the change, so this node records the last seen time. */
  #deliver(change: ScriptChange, decidedHere = true): void {
    const { presence, rooms: audience } = toView(change, new Date());
    if (decidedHere && change.s === 'offline' && change.ls !== false) {
      this.#listener.onSeen(change.u, new Date(change.ls));
    }
    this.#listener.onChange(presence satisfies Presence, audience);
  }

  async #heartbeat(): Promise<void> {
    if (!this.#link.up) return;
    const known = (await this.#run(['heartbeat', this.#link.nodeId])) as number;
    if (known === 0) this.#stale = true;
    if (this.#stale) await this.#resync();
  }

  #resync(): Promise<void> {
    this.#resyncing ??= (async () => {
      try {
        if (!this.#link.up || this.#closed) return;
        this.#stale = false;
        const entries = [...this.#connections].map(
          ([connection, { user, away, rooms: inside }]) => ({
            u: user.id,
            n: user.name,
            c: connection,
            a: away ? 1 : 0,
            r: [...inside],
          }),
        );
        const changes = await this.#run([
          'resync',
          this.#link.nodeId,
          String(this.#graceMs),
          JSON.stringify(entries),
        ]);
        this.#announce(changes as ScriptChange[]);
        this.#logger.info({ connections: entries.length }, 'presence written back to Redis');
        this.#link.emit('rejoined');
      } catch (error) {
        this.#stale = true;
        this.#failed(error);
      } finally {
        this.#resyncing = undefined;
      }
    })();
    return this.#resyncing;
  }

  async #sweep(): Promise<void> {
    if (!this.#link.up || this.#closed) return;
    this.#announce((await this.#run(['expire', String(this.#lastRoomsKept)])) as ScriptChange[]);
    // Right after an outage every node's heartbeat is old: give them a timeout to beat again.
    if (Date.now() - this.#upSince < this.#timing.nodeTimeoutMs) return;
    const silentSince = String(Date.now() - this.#timing.nodeTimeoutMs);
    this.#announce(
      (await this.#run(['sweep', silentSince, String(this.#graceMs)])) as ScriptChange[],
    );
  }

  #failed(error: unknown): void {
    this.#stale = true;
    // The link's own events say when Redis goes and comes back; this is for anything else.
    if (this.#link.up) this.#logger.warn({ err: error }, 'a presence change failed in Redis');
  }
}
