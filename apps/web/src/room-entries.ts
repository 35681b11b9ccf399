import { type ChatterClient, ChatterError, type Room } from '@chatter/client';
import type { RoomSummary } from '@chatter/protocol';

/** Where everyone lands, and the one room nobody leaves. */
export const HOME_ROOM = 'general';

/** How many older pages a jump to a quoted message may load before it gives up. */
const JUMP_MAX_PAGES = 20;
/** A page as large as the server serves, so a jump takes few round trips. */
const JUMP_PAGE_SIZE = 100;

export interface RoomEntry {
  readonly name: string;
  /** `null` until the first join has caught up. */
  room: Room | null;
  /** What the server said of the room when it listed this person's rooms; `null` before that. */
  summary: RoomSummary | null;
  joinError: ChatterError | null;
  loadingOlder: boolean;
  historyError: ChatterError | null;
}

export interface RoomEntriesHooks {
  /** A room joined (for the first time, or again after a failure). */
  joined(entry: RoomEntry, room: Room): void;
  changed(): void;
}

export const toChatterError = (error: unknown): ChatterError =>
  error instanceof ChatterError
    ? error
    : new ChatterError('INTERNAL', error instanceof Error ? error.message : String(error));

/**
 * The rooms in this person's list. The server remembers which rooms a user joined until they
 * leave, so the list is read from it (`chat.rooms()`) and is the same on every device; opening a
 * room joins it, which adds it there too.
 */
export class RoomEntries {
  readonly #chat: ChatterClient;
  readonly #hooks: RoomEntriesHooks;
  readonly #entries = new Map<string, RoomEntry>();
  /** The older page each room is reading now, if any. */
  readonly #loading = new WeakMap<RoomEntry, Promise<boolean>>();
  #closed = false;

  constructor(chat: ChatterClient, hooks: RoomEntriesHooks) {
    this.#chat = chat;
    this.#hooks = hooks;
  }

  get all(): RoomEntry[] {
    return [...this.#entries.values()];
  }

  get(name: string): RoomEntry | undefined {
    return this.#entries.get(name);
  }

  /** The entry for `name`, joining the room first if it is not in the list yet. */
  ensure(name: string): RoomEntry {
    const existing = this.#entries.get(name);
    if (existing) return existing;
    const entry: RoomEntry = {
      name,
      room: null,
      summary: null,
      joinError: null,
      loadingOlder: false,
      historyError: null,
    };
    this.#entries.set(name, entry);
    this.#join(entry);
    return entry;
  }

  /**
   * Adds the rooms the server remembers for this person (joined here or on another device).
   * Additive: a room left elsewhere stays until it is left here or the page is loaded again.
   */
  async sync(): Promise<void> {
    let summaries: RoomSummary[];
    try {
      summaries = await this.#chat.rooms();
    } catch {
      // Offline or refused; the next connection asks again.
      return;
    }
    if (this.#closed) return;
    for (const summary of summaries) this.ensure(summary.room).summary = summary;
    this.#hooks.changed();
  }

  retryJoin(name: string): void {
    const entry = this.#entries.get(name);
    if (entry && !entry.room) this.#join(entry);
  }

  /** Takes `name` off the list here and on the server (the home room stays). */
  async leave(name: string): Promise<boolean> {
    const entry = this.#entries.get(name);
    if (!entry || name === HOME_ROOM) return false;
    this.#entries.delete(name);
    this.#hooks.changed();
    // A room still joining (or that failed to) is left once joined: the server forgets it only
    // when it is left, and would list it again on every device.
    const room = entry.room ?? (await this.#chat.join(name).catch(() => null));
    await room?.leave().catch(() => undefined);
    return true;
  }

  async loadOlder(name: string): Promise<void> {
    const entry = this.#entries.get(name);
    const room = entry?.room;
    if (!entry || !room || entry.loadingOlder || !room.hasMoreHistory) return;
    await this.#loadPage(entry, room, undefined);
  }

  /**
   * Loads older pages until the message created at `seq` is in `room.messages`, within
   * `JUMP_MAX_PAGES` pages; resolves with whether it is there.
   */
  async loadUntil(name: string, seq: number): Promise<boolean> {
    for (let pages = 0; pages <= JUMP_MAX_PAGES; pages += 1) {
      const entry = this.#entries.get(name);
      const room = entry?.room;
      if (!entry || !room || this.#closed) return false;
      const oldest = room.messages[0];
      if (oldest && oldest.seq <= seq) return room.messages.some((each) => each.seq === seq);
      if (!room.hasMoreHistory || pages === JUMP_MAX_PAGES) return false;
      const inFlight = this.#loading.get(entry);
      // A page is on its way already; wait for it rather than asking for the same page.
      if (!(await (inFlight ?? this.#loadPage(entry, room, JUMP_PAGE_SIZE)))) return false;
    }
    return false;
  }

  close(): void {
    this.#closed = true;
  }

  /** Reads the page just older than what `room` holds; resolves with whether it worked. */
  #loadPage(entry: RoomEntry, room: Room, limit: number | undefined): Promise<boolean> {
    const oldest = room.messages[0];
    entry.loadingOlder = true;
    entry.historyError = null;
    this.#hooks.changed();
    const loading = room
      .history({
        ...(oldest ? { before: oldest.seq } : {}),
        ...(limit === undefined ? {} : { limit }),
      })
      .then(
        () => true,
        (error: unknown) => {
          entry.historyError = toChatterError(error);
          return false;
        },
      )
      .finally(() => {
        entry.loadingOlder = false;
        this.#loading.delete(entry);
        this.#hooks.changed();
      });
    this.#loading.set(entry, loading);
    return loading;
  }

  #join(entry: RoomEntry): void {
    entry.joinError = null;
    this.#chat.join(entry.name).then(
      (room) => {
        if (this.#closed || this.#entries.get(entry.name) !== entry) return;
        entry.room = room;
        this.#hooks.joined(entry, room);
      },
      (error: unknown) => {
        if (this.#closed) return;
        entry.joinError = toChatterError(error);
        this.#hooks.changed();
      },
    );
  }
}
