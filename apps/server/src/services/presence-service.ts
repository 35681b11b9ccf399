import type { Presence, PresenceStatus, User } from '@chatter/protocol';

/** A user's presence with the rooms that hear of it (their rooms, and during the grace period the
 * rooms of connections that closed). */
export interface PresenceView {
  presence: Presence;
  rooms: readonly string[];
}

/**
 * Who is online. The in-process tracker below serves one node; a cluster uses the Redis tracker
 * (`cluster/redis-presence.ts`) behind the same interface. Changes are told as they happen;
 * questions about everyone are asynchronous, since in a cluster the answer lives in Redis.
 */
export interface PresenceTracker {
  /** `away`: the connection starts idle (a hidden tab reconnecting), so it never flashes online. */
  connect(user: User, connectionId: string, away?: boolean): void;
  disconnect(userId: string, connectionId: string): void;
  /** Marks one connection idle/hidden or active; resolves with the user's resulting status. */
  setAway(userId: string, connectionId: string, away: boolean): Promise<PresenceStatus>;
  /** Records that a connection is in a room; tells the room when the user was not there yet. */
  enterRoom(userId: string, connectionId: string, room: string): void;
  exitRoom(userId: string, connectionId: string, room: string): void;
  /** The rooms one connection of the user is in. */
  roomsOf(userId: string, connectionId: string): ReadonlySet<string>;
  /** Those of `userIds` who are online or away (or within the grace period), with their rooms. */
  lookUp(userIds: readonly string[]): Promise<Map<string, PresenceView>>;
  /** Everyone currently online or away, with their rooms. */
  listOnline(): Promise<PresenceView[]>;
  /**
   * The rooms each of `userIds` was in when they last went offline, for those it is known of (the
   * last LAST_ROOMS_KEPT users to go offline): a caller confined to some rooms may still see
   * when the people of those rooms were last there.
   */
  lastRoomsOf(userIds: readonly string[]): Promise<Map<string, readonly string[]>>;
  close(): Promise<void>;
}

export interface PresenceListener {
  /**
   * A user's status changed (or they entered a room); deliver it to `rooms`, except to the
   * user's own connections.
   */
  onChange(presence: Presence, rooms: readonly string[]): void;
  /** Persist when the user was last seen, on connect and when they go offline. */
  onSeen(user: User, at: Date): void;
}

const NO_ROOMS: ReadonlySet<string> = new Set();

/** Offline users whose last rooms are remembered; the oldest are forgotten first. */
export const LAST_ROOMS_KEPT = 10_000;

interface Connection {
  away: boolean;
  rooms: Set<string>;
}

interface Entry {
  user: User;
  connections: Map<string, Connection>;
  published: PresenceStatus;
  lastSeen: Date;
  /** Rooms of connections that closed, so the offline event still reaches them; made when needed. */
  departedRooms: Set<string> | undefined;
  offlineTimer: NodeJS.Timeout | undefined;
  /** When the last change was announced (monotonic ms), for coalescing away toggles. */
  announcedAt: number;
  /** Announces the status an away toggle left behind, once the interval since the last ends. */
  awayTimer: NodeJS.Timeout | undefined;
}

export class InMemoryPresenceTracker implements PresenceTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly lastRooms = new Map<string, readonly string[]>();

  /**
   * @param awayIntervalMs away toggles are announced at most once per this interval: a toggle
   *   within it is announced when it ends, as the status the user has then (the last one wins).
   */
  constructor(
    private readonly graceMs: number,
    private readonly listener: PresenceListener,
    private readonly awayIntervalMs = 0,
  ) {}

  connect(user: User, connectionId: string, away = false): void {
    const now = new Date();
    let entry = this.entries.get(user.id);
    if (!entry) {
      entry = {
        user,
        connections: new Map(),
        published: 'offline',
        lastSeen: now,
        departedRooms: undefined,
        offlineTimer: undefined,
        announcedAt: Number.NEGATIVE_INFINITY,
        awayTimer: undefined,
      };
      this.entries.set(user.id, entry);
    }
    clearTimeout(entry.offlineTimer);
    entry.offlineTimer = undefined;
    entry.user = user;
    entry.lastSeen = now;
    entry.connections.set(connectionId, { away, rooms: new Set() });
    this.listener.onSeen(user, now);
    this.publishIfChanged(entry);
  }

  disconnect(userId: string, connectionId: string): void {
    const entry = this.entries.get(userId);
    const connection = entry?.connections.get(connectionId);
    if (!entry || !connection) return;
    entry.connections.delete(connectionId);
    if (connection.rooms.size > 0) {
      entry.departedRooms ??= new Set();
      for (const room of connection.rooms) entry.departedRooms.add(room);
    }
    entry.lastSeen = new Date();
    if (entry.connections.size > 0) {
      this.publishIfChanged(entry);
      return;
    }
    // Wait before announcing "offline": a page reload reconnects within the grace period.
    entry.offlineTimer = setTimeout(() => this.goOffline(entry), this.graceMs);
    entry.offlineTimer.unref();
  }

  async setAway(userId: string, connectionId: string, away: boolean): Promise<PresenceStatus> {
    const entry = this.entries.get(userId);
    const connection = entry?.connections.get(connectionId);
    if (!entry || !connection) return 'offline';
    connection.away = away;
    const wait = entry.announcedAt + this.awayIntervalMs - performance.now();
    if (wait <= 0) this.publishIfChanged(entry);
    else if (!entry.awayTimer) {
      entry.awayTimer = setTimeout(() => {
        entry.awayTimer = undefined;
        this.publishIfChanged(entry);
      }, wait);
      entry.awayTimer.unref();
    }
    return this.statusOf(entry);
  }

  enterRoom(userId: string, connectionId: string, room: string): void {
    const entry = this.entries.get(userId);
    const connection = entry?.connections.get(connectionId);
    if (!entry || !connection || connection.rooms.has(room)) return;
    // The room hears of the user, not of each tab: only the user's first connection there counts.
    const alreadyThere = [...entry.connections.values()].some((each) => each.rooms.has(room));
    connection.rooms.add(room);
    if (!alreadyThere) this.listener.onChange(this.presenceOf(entry), [room]);
  }

  exitRoom(userId: string, connectionId: string, room: string): void {
    this.entries.get(userId)?.connections.get(connectionId)?.rooms.delete(room);
  }

  roomsOf(userId: string, connectionId: string): ReadonlySet<string> {
    return this.entries.get(userId)?.connections.get(connectionId)?.rooms ?? NO_ROOMS;
  }

  async lookUp(userIds: readonly string[]): Promise<Map<string, PresenceView>> {
    const views = new Map<string, PresenceView>();
    for (const id of userIds) {
      const entry = this.entries.get(id);
      if (entry) views.set(id, this.viewOf(entry));
    }
    return views;
  }

  async lastRoomsOf(userIds: readonly string[]): Promise<Map<string, readonly string[]>> {
    const found = new Map<string, readonly string[]>();
    for (const id of userIds) {
      const rooms = this.lastRooms.get(id);
      if (rooms) found.set(id, rooms);
    }
    return found;
  }

  async listOnline(): Promise<PresenceView[]> {
    return [...this.entries.values()]
      .filter((entry) => entry.published !== 'offline')
      .map((entry) => this.viewOf(entry));
  }

  /** Stops the timers and records, for everyone still here, that they were seen until now. */
  async close(): Promise<void> {
    const now = new Date();
    for (const entry of this.entries.values()) {
      clearTimeout(entry.offlineTimer);
      clearTimeout(entry.awayTimer);
      this.listener.onSeen(entry.user, entry.connections.size > 0 ? now : entry.lastSeen);
    }
    this.entries.clear();
  }

  private statusOf(entry: Entry): PresenceStatus {
    // During the grace period the user keeps the status they had.
    if (entry.connections.size === 0) return entry.published;
    const everyConnectionAway = [...entry.connections.values()].every((c) => c.away);
    return everyConnectionAway ? 'away' : 'online';
  }

  private presenceOf(entry: Entry): Presence {
    const connected = entry.connections.size > 0;
    return {
      user: entry.user,
      status: entry.published,
      lastSeen: (connected ? new Date() : entry.lastSeen).toISOString(),
    };
  }

  private viewOf(entry: Entry): PresenceView {
    return { presence: this.presenceOf(entry), rooms: this.audienceOf(entry) };
  }

  private audienceOf(entry: Entry): string[] {
    const rooms = new Set(entry.departedRooms ?? []);
    for (const connection of entry.connections.values()) {
      for (const room of connection.rooms) rooms.add(room);
    }
    return [...rooms];
  }

  private publishIfChanged(entry: Entry): void {
    const status = this.statusOf(entry);
    if (status === entry.published) return;
    entry.published = status;
    entry.announcedAt = performance.now();
    if (status !== 'offline') entry.departedRooms = undefined;
    this.listener.onChange(this.presenceOf(entry), this.audienceOf(entry));
  }

  private goOffline(entry: Entry): void {
    if (entry.connections.size > 0) return;
    clearTimeout(entry.awayTimer);
    entry.published = 'offline';
    this.entries.delete(entry.user.id);
    this.listener.onSeen(entry.user, entry.lastSeen);
    const rooms = this.audienceOf(entry);
    this.rememberLastRooms(entry.user.id, rooms);
    this.listener.onChange(this.presenceOf(entry), rooms);
  }

  private rememberLastRooms(userId: string, rooms: readonly string[]): void {
    if (rooms.length === 0) return;
    this.lastRooms.delete(userId);
    this.lastRooms.set(userId, rooms);
    if (this.lastRooms.size > LAST_ROOMS_KEPT) {
      const oldest = this.lastRooms.keys().next();
      if (!oldest.done) this.lastRooms.delete(oldest.value);
    }
  }
}
