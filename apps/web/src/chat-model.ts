import {
  type ChatterClient,
  ChatterError,
  type ConnectionStatus,
  createChatterClient,
  createIndexedDbOutbox,
  createLocalStorageOutbox,
  type PendingMessage,
  type Room,
} from '@chatter/client';
import type { Message, PresenceStatus, User, UserStatus } from '@chatter/protocol';
import { watchAway } from './activity';
import type { Session } from './session';
import { localStore } from './storage';

/** Where everyone lands, and the one room nobody leaves. */
export const HOME_ROOM = 'general';

/** How often the people list is re-read while connected, to catch changes in rooms we miss. */
const PEOPLE_REFRESH_MS = 60_000;

export interface Person {
  id: string;
  name: string;
  status: PresenceStatus;
  lastSeen: string | null;
}

export interface RoomEntry {
  readonly name: string;
  /** `null` until the first join has caught up. */
  room: Room | null;
  joinError: ChatterError | null;
  loadingOlder: boolean;
  historyError: ChatterError | null;
}

export interface ChatModelOptions {
  url: string;
  session: Session;
  /** The server no longer accepts this session (expired, or the server's secret changed). */
  onSessionEnded(reason: string): void;
}

const STATUS_ORDER: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

const byPresence = (a: Person, b: Person): number =>
  STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
  (a.status === 'offline' ? (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') : 0) ||
  a.name.localeCompare(b.name);

const toError = (error: unknown): ChatterError =>
  error instanceof ChatterError
    ? error
    : new ChatterError('INTERNAL', error instanceof Error ? error.message : String(error));

/**
 * Everything the UI shows, on top of one `ChatterClient`: the rooms this person keeps open, what
 * they have read, who is around, and the connection. Components subscribe and read; nothing here
 * knows about the DOM beyond the away detection.
 */
export class ChatModel {
  readonly me: User;
  readonly #chat: ChatterClient;
  readonly #options: ChatModelOptions;
  readonly #listeners = new Set<() => void>();
  readonly #entries = new Map<string, RoomEntry>();
  readonly #people = new Map<string, Person>();
  readonly #roomsKey: string;
  readonly #readKey: string;
  readonly #lastRead: Record<string, number>;
  readonly #unknownAuthors = new Set<string>();
  readonly #stops: Array<() => void> = [];
  #active = HOME_ROOM;
  #connection: ConnectionStatus;
  #everConnected = false;
  #notice: string | null = null;
  #lookupTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: ChatModelOptions) {
    this.#options = options;
    this.me = options.session.user;
    this.#roomsKey = `chatter.rooms.${this.me.id}`;
    this.#readKey = `chatter.read.${this.me.id}`;
    const read = localStore.get(this.#readKey);
    this.#lastRead = typeof read === 'object' && read !== null ? { ...read } : {};
    this.#chat = createChatterClient({
      url: options.url,
      token: options.session.token,
      outbox: 'indexedDB' in window ? createIndexedDbOutbox() : createLocalStorageOutbox(),
    });
    this.#connection = this.#chat.connectionStatus;
  }

  /** Connects, rejoins the rooms kept from earlier visits, and opens `room`. */
  start(room: string = HOME_ROOM): void {
    const chat = this.#chat;
    this.#stops.push(
      chat.on('status', (status) => {
        this.#connection = status;
        if (status === 'connected') {
          this.#everConnected = true;
          void this.#refreshPeople();
        }
        this.#changed();
      }),
      chat.on('presence', ({ user, status, lastSeen }) => {
        this.#people.set(user.id, { id: user.id, name: user.name, status, lastSeen });
        this.#changed();
      }),
      // Restored outbox entries show before their room has joined.
      chat.on('pending', () => this.#changed()),
      chat.on('error', (error) => this.#onError(error)),
      watchAway((away) => chat.setAway(away)),
    );
    const refresh = setInterval(() => {
      if (this.#connection === 'connected') void this.#refreshPeople();
    }, PEOPLE_REFRESH_MS);
    this.#stops.push(() => clearInterval(refresh));

    chat.connect().catch((error: unknown) => this.#onError(toError(error)));
    const kept = localStore.get(this.#roomsKey);
    const names = Array.isArray(kept) ? kept.filter((name) => typeof name === 'string') : [];
    for (const name of [HOME_ROOM, ...names]) this.#ensureEntry(name);
    this.open(room);
    // The first render already opened a room, which connects and restores the outbox; what that
    // changed before the listeners above existed is drawn now (the view subscribes in an effect
    // that runs before the one calling start).
    this.#changed();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get connection(): ConnectionStatus {
    return this.#connection;
  }

  /** False until the first connection: "connecting" then means starting, not reconnecting. */
  get everConnected(): boolean {
    return this.#everConnected;
  }

  get active(): RoomEntry {
    return this.#ensureEntry(this.#active);
  }

  get rooms(): RoomEntry[] {
    return [...this.#entries.values()];
  }

  get notice(): string | null {
    return this.#notice;
  }

  dismissNotice(): void {
    this.#notice = null;
    this.#changed();
  }

  /** This person first, then online, away, and offline by when they were last seen. */
  get people(): Person[] {
    const everyone = [...this.#people.values()].sort(byPresence);
    const self = everyone.findIndex((person) => person.id === this.me.id);
    if (self > 0) everyone.unshift(...everyone.splice(self, 1));
    return everyone;
  }

  person(id: string): Person | undefined {
    return this.#people.get(id);
  }

  pending(name: string): readonly PendingMessage[] {
    const room = this.#entries.get(name)?.room;
    return room ? room.pending : this.#chat.pending.filter((pending) => pending.room === name);
  }

  get pendingCount(): number {
    return this.#chat.pending.length;
  }

  typingUsers(name: string): User[] {
    const room = this.#entries.get(name)?.room;
    return room ? room.typingUsers.filter((user) => user.id !== this.me.id) : [];
  }

  /** Messages from others after what this person last read; counted from the newest back. */
  unread(name: string): number {
    const messages = this.#entries.get(name)?.room?.messages ?? [];
    const read = this.#lastRead[name] ?? 0;
    let count = 0;
    for (let index = messages.length - 1; index >= 0; index -= 1) {
      const message = messages[index] as Message;
      if (message.seq <= read) break;
      if (message.author.id !== this.me.id) count += 1;
    }
    return count;
  }

  /** The `seq` read up to in `name`, for the "new messages" divider. */
  lastRead(name: string): number {
    return this.#lastRead[name] ?? 0;
  }

  /** Shows `name`, joining (or creating) it first if this person has not yet. */
  open(name: string): void {
    this.#ensureEntry(name);
    if (this.#active === name) return;
    this.#active = name;
    this.#changed();
  }

  /** Joins again after a failed join. */
  retryJoin(name: string): void {
    const entry = this.#entries.get(name);
    if (entry && !entry.room) this.#join(entry);
  }

  async leave(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    if (!entry || name === HOME_ROOM) return;
    this.#entries.delete(name);
    delete this.#lastRead[name];
    this.#saveRooms();
    localStore.set(this.#readKey, this.#lastRead);
    if (this.#active === name) this.#active = HOME_ROOM;
    this.#changed();
    await entry.room?.leave().catch(() => undefined);
  }

  /**
   * Queues `text` in the outbox. Failures show up on the pending message itself (with why),
   * so the promise is not the place to report them.
   */
  send(name: string, text: string): void {
    const room = this.#entries.get(name)?.room;
    room?.send(text).catch(() => undefined);
    room?.typing(false);
  }

  typing(name: string, isTyping: boolean): void {
    this.#entries.get(name)?.room?.typing(isTyping);
  }

  discard(name: string, clientId: string): void {
    void this.#entries.get(name)?.room?.discard(clientId);
  }

  async loadOlder(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    const room = entry?.room;
    if (!entry || !room || entry.loadingOlder || !room.hasMoreHistory) return;
    const oldest = room.messages[0];
    entry.loadingOlder = true;
    entry.historyError = null;
    this.#changed();
    try {
      await room.history(oldest ? { before: oldest.seq } : {});
    } catch (error) {
      entry.historyError = toError(error);
    } finally {
      entry.loadingOlder = false;
      this.#changed();
    }
  }

  /** Everything in `name` up to its newest message has been seen. */
  markRead(name: string): void {
    const newest = this.#entries.get(name)?.room?.messages.at(-1);
    if (!newest || (this.#lastRead[name] ?? 0) >= newest.seq) return;
    this.#lastRead[name] = newest.seq;
    localStore.set(this.#readKey, this.#lastRead);
    this.#changed();
  }

  /** Ends this person's session here; what they had not sent yet is dropped with it. */
  async signOut(): Promise<void> {
    for (const pending of this.#chat.pending) {
      await this.#entries
        .get(pending.room)
        ?.room?.discard(pending.clientId)
        .catch(() => false);
    }
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#lookupTimer);
    for (const stop of this.#stops.splice(0)) stop();
    this.#chat.close();
    this.#listeners.clear();
  }

  #ensureEntry(name: string): RoomEntry {
    const existing = this.#entries.get(name);
    if (existing) return existing;
    const entry: RoomEntry = {
      name,
      room: null,
      joinError: null,
      loadingOlder: false,
      historyError: null,
    };
    this.#entries.set(name, entry);
    this.#saveRooms();
    this.#join(entry);
    return entry;
  }

  #join(entry: RoomEntry): void {
    entry.joinError = null;
    this.#chat.join(entry.name).then(
      (room) => {
        if (this.#closed || this.#entries.get(entry.name) !== entry) return;
        entry.room = room;
        this.#stops.push(
          room.on('change', () => this.#roomChanged(entry)),
          room.on('typing', () => this.#changed()),
          // Old `seq` positions mean nothing in a reset history; start again from its end.
          room.on('reset', () => {
            delete this.#lastRead[entry.name];
            this.#startReadingAtEnd(entry);
          }),
        );
        this.#startReadingAtEnd(entry);
        this.#roomChanged(entry);
      },
      (error: unknown) => {
        if (this.#closed) return;
        entry.joinError = toError(error);
        this.#changed();
      },
    );
  }

  /** A room seen for the first time starts with nothing unread. */
  #startReadingAtEnd(entry: RoomEntry): void {
    if (entry.name in this.#lastRead) return;
    this.#lastRead[entry.name] = entry.room?.messages.at(-1)?.seq ?? 0;
    localStore.set(this.#readKey, this.#lastRead);
  }

  #roomChanged(entry: RoomEntry): void {
    for (const message of entry.room?.messages ?? []) {
      if (!this.#people.has(message.author.id)) this.#unknownAuthors.add(message.author.id);
    }
    if (this.#unknownAuthors.size > 0) this.#scheduleLookup();
    this.#changed();
  }

  /** Asks for the presence of authors we know nothing about, a batch at a time. */
  #scheduleLookup(): void {
    if (this.#lookupTimer !== undefined) return;
    this.#lookupTimer = setTimeout(async () => {
      this.#lookupTimer = undefined;
      const ids = [...this.#unknownAuthors].filter((id) => !this.#people.has(id));
      this.#unknownAuthors.clear();
      if (ids.length === 0) return;
      try {
        this.#applyStatuses(await this.#chat.status(ids));
      } catch {
        // Offline, most likely; the refresh after the next connection covers these authors.
        for (const id of ids) this.#unknownAuthors.add(id);
      }
    }, 200);
  }

  /** Online users from the server, then everyone else we know of, for their last-seen times. */
  async #refreshPeople(): Promise<void> {
    try {
      const online = await this.#chat.status();
      this.#applyStatuses(online);
      const onlineIds = new Set(online.map((user) => user.id));
      const others = [...new Set([...this.#people.keys(), ...this.#unknownAuthors])].filter(
        (id) => !onlineIds.has(id),
      );
      this.#unknownAuthors.clear();
      if (others.length > 0) this.#applyStatuses(await this.#chat.status(others));
    } catch {
      // The next connection or refresh tries again; the list keeps what it knew.
    }
  }

  #applyStatuses(statuses: readonly UserStatus[]): void {
    if (this.#closed) return;
    for (const { id, name, status, lastSeen } of statuses) {
      this.#people.set(id, { id, name, status, lastSeen });
    }
    this.#changed();
  }

  #onError(error: ChatterError): void {
    if (this.#closed) return;
    if (error.code === 'UNAUTHORIZED') {
      this.close();
      this.#options.onSessionEnded(
        'Your session has ended (it expired, or the server was reset). Enter your name to start a new one.',
      );
      return;
    }
    if (error.code === 'STORAGE') {
      this.#notice =
        'This browser would not keep your unsent messages, so a reload now could lose them. They are still being sent.';
      this.#changed();
    }
    // Everything else either shows on the message it concerns (a failed send) or is retried.
  }

  #saveRooms(): void {
    localStore.set(
      this.#roomsKey,
      [...this.#entries.keys()].filter((name) => name !== HOME_ROOM),
    );
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
