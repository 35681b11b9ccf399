import {
  type ChatterClient,
  type ChatterError,
  type ConnectionStatus,
  createChatterClient,
  createIndexedDbOutbox,
  createLocalStorageOutbox,
  type PendingMessage,
  type Room,
} from '@chatter/client';
import type { User } from '@chatter/protocol';
import { watchAway } from './activity';
import { PeopleDirectory, type Person } from './people-directory';
import { ReadTracker } from './read-tracking';
import { RoomCommands } from './room-commands';
import { HOME_ROOM, RoomEntries, type RoomEntry, toChatterError } from './room-entries';
import type { Session } from './session';
import { localStore } from './storage';

export { HOME_ROOM, type Person, type RoomEntry };

/** How often the people list is re-read while connected, to catch changes in rooms we miss. */
const PEOPLE_REFRESH_MS = 60_000;

export interface ChatModelOptions {
  url: string;
  session: Session;
  /** The server no longer accepts this session (expired, or the server's secret changed). */
  onSessionEnded(reason: string): void;
}

/**
 * Everything the UI shows, on top of one `ChatterClient`: the connection, and the rooms, read
 * positions and people kept by their own modules. Components subscribe and read; nothing here
 * knows about the DOM beyond the away detection.
 */
export class ChatModel {
  readonly me: User;
  readonly #chat: ChatterClient;
  readonly #options: ChatModelOptions;
  readonly #listeners = new Set<() => void>();
  readonly #entries: RoomEntries;
  readonly #reads = new ReadTracker();
  readonly #people: PeopleDirectory;
  readonly #stops: Array<() => void> = [];
  #active = HOME_ROOM;
  #connection: ConnectionStatus;
  #everConnected = false;
  #notice: string | null = null;
  #closed = false;

  constructor(options: ChatModelOptions) {
    this.#options = options;
    this.me = options.session.user;
    this.#chat = createChatterClient({
      url: options.url,
      token: options.session.token,
      outbox: 'indexedDB' in window ? createIndexedDbOutbox() : createLocalStorageOutbox(),
    });
    this.#connection = this.#chat.connectionStatus;
    this.#people = new PeopleDirectory(this.#chat, this.me.id, () => this.#changed());
    this.#entries = new RoomEntries(this.#chat, {
      joined: (entry, room) => this.#joined(entry, room),
      changed: () => this.#changed(),
    });
  }

  /** Connects, lists the rooms the server remembers for this person, and opens `room`. */
  start(room: string = HOME_ROOM): void {
    const chat = this.#chat;
    this.#stops.push(
      chat.on('status', (status) => {
        this.#connection = status;
        if (status === 'connected') {
          this.#everConnected = true;
          void this.#people.refresh();
          // Again on every connection: rooms joined on another device meanwhile appear here.
          void this.#entries.sync();
        }
        this.#changed();
      }),
      chat.on('presence', (presence) => this.#people.presence(presence)),
      // Restored outbox entries show before their room has joined.
      chat.on('pending', (pending) => {
        for (const each of pending) this.#entries.ensure(each.room);
        this.#changed();
      }),
      chat.on('error', (error) => this.#onError(error)),
      watchAway((away) => chat.setAway(away)),
    );
    const refresh = setInterval(() => {
      if (this.#connection === 'connected') void this.#people.refresh();
    }, PEOPLE_REFRESH_MS);
    this.#stops.push(
      () => clearInterval(refresh),
      () => this.#people.close(),
    );

    chat.connect().catch((error: unknown) => this.#onError(toChatterError(error)));
    // Earlier versions kept the room list and read positions in this browser; the server does now.
    localStore.set(`chatter.rooms.${this.me.id}`, undefined);
    localStore.set(`chatter.read.${this.me.id}`, undefined);
    this.#entries.ensure(HOME_ROOM);
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
    return this.#entries.ensure(this.#active);
  }

  get rooms(): RoomEntry[] {
    return this.#entries.all;
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
    return this.#people.all;
  }

  person(id: string): Person | undefined {
    return this.#people.get(id);
  }

  /** The names of `ids`, as far as they are known; the others are looked up. */
  names(ids: readonly string[]): string[] {
    this.#people.want(ids);
    return ids.flatMap((id) => this.#people.get(id)?.name ?? []);
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

  /** Messages from others after this person's read position (kept by the server). */
  unread(name: string): number {
    const entry = this.#entries.get(name);
    return entry ? this.#reads.unread(entry) : 0;
  }

  /** The `seq` read up to in `name`, for the "New messages" divider. */
  lastRead(name: string): number {
    const entry = this.#entries.get(name);
    return entry ? this.#reads.readSeq(entry) : 0;
  }

  /** Everything in `name` up to its newest message has been seen. */
  markRead(name: string): void {
    const entry = this.#entries.get(name);
    if (entry) this.#reads.markRead(entry);
  }

  /** The other people who have read `name` up to `messageId`. */
  readBy(name: string, messageId: string): readonly string[] {
    return this.#entries.get(name)?.room?.readBy(messageId) ?? [];
  }

  /** Shows `name`, joining (or creating) it first if this person has not yet. */
  open(name: string): void {
    this.#entries.ensure(name);
    if (this.#active === name) return;
    this.#active = name;
    this.#changed();
  }

  /** Joins again after a failed join. */
  retryJoin(name: string): void {
    this.#entries.retryJoin(name);
  }

  async leave(name: string): Promise<void> {
    if (this.#active === name && name !== HOME_ROOM) this.#active = HOME_ROOM;
    this.#reads.forget(name);
    await this.#entries.leave(name);
  }

  /** Sending, editing, deleting and reacting in `name`. */
  commands(name: string): RoomCommands {
    return new RoomCommands(this.#entries.get(name)?.room ?? null);
  }

  loadOlder(name: string): Promise<void> {
    return this.#entries.loadOlder(name);
  }

  /** Loads older history until the message created at `seq` is there; whether it is. */
  loadUntil(name: string, seq: number): Promise<boolean> {
    return this.#entries.loadUntil(name, seq);
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
    this.#entries.close();
    for (const stop of this.#stops.splice(0)) stop();
    this.#chat.close();
    this.#listeners.clear();
  }

  #joined(entry: RoomEntry, room: Room): void {
    // `change` covers the read position and receipts as well as messages and the outbox.
    const roomChanged = () => {
      this.#people.want(room.messages.map((message) => message.author.id));
      this.#changed();
    };
    this.#stops.push(
      room.on('change', roomChanged),
      room.on('typing', () => this.#changed()),
      // Old `seq` positions mean nothing in a reset history.
      room.on('reset', () => this.#reads.forget(entry.name)),
    );
    roomChanged();
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

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
