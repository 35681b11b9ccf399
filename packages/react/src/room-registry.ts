import { type ChatterClient, ChatterError, isChatterError, type Room } from '@chatter/client';

/**
 * Where joining one room stands, shared by every hook of one client that uses the room. A new
 * object whenever any field changes, so `useSyncExternalStore` can compare it by identity.
 */
export interface RoomJoinState {
  /** The joined room; `null` until the first join has caught up (or after it failed). */
  readonly room: Room | null;
  /** Why the join, or the last `loadOlder`, failed; `null` once one succeeds. */
  readonly error: ChatterError | null;
  /** An older page is on its way (`loadOlder`). */
  readonly loadingOlder: boolean;
}

const INITIAL: RoomJoinState = { room: null, error: null, loadingOlder: false };

interface Slot {
  refs: number;
  /** Whether the room is left once the last hook using it lets go (the last one out decides). */
  leaveWhenUnused: boolean;
  state: RoomJoinState;
  joining: Promise<Room> | null;
  loading: Promise<void> | null;
  listeners: Set<() => void>;
  leaveTimer: ReturnType<typeof setTimeout> | undefined;
}

export const toChatterError = (error: unknown): ChatterError =>
  isChatterError(error)
    ? error
    : new ChatterError('INTERNAL', error instanceof Error ? error.message : String(error), {
        cause: error,
      });

/**
 * The rooms a client's hooks use, counted: one join however many components (or StrictMode's
 * second mount) ask for a room, and a leave only when the last of them lets go and asked for it.
 * One registry per client, whichever provider or hook reaches it first.
 */
export class RoomRegistry {
  readonly #chat: ChatterClient;
  readonly #slots = new Map<string, Slot>();
  /** Told whenever a room is joined or left through this registry (for `useUnreadCounts`). */
  readonly #roomsChanged = new Set<() => void>();

  /** References held across all rooms; the client is watched only while there are some. */
  #inUse = 0;
  #unwatch: (() => void) | undefined;

  constructor(chat: ChatterClient) {
    this.#chat = chat;
  }

  state(name: string): RoomJoinState {
    return this.#slots.get(name)?.state ?? INITIAL;
  }

  subscribe(name: string, listener: () => void): () => void {
    const slot = this.#slot(name);
    slot.listeners.add(listener);
    return () => slot.listeners.delete(listener);
  }

  onRoomsChanged(listener: () => void): () => void {
    this.#roomsChanged.add(listener);
    return () => this.#roomsChanged.delete(listener);
  }

  /**
   * Takes a reference to `name`, joining it unless it is joined or joining; the returned
   * function lets go. A failed join is tried again when a hook takes the room afresh.
   */
  acquire(name: string, leaveWhenUnused: boolean): () => void {
    const slot = this.#slot(name);
    slot.refs += 1;
    // A room can stop being joined behind the hooks' back (the app called `room.leave()`, or
    // closed the client): a room still in use is joined again, so components keep showing it.
    if (this.#inUse++ === 0) this.#unwatch = this.#chat.on('change', () => this.#forgetLeftRooms());
    clearTimeout(slot.leaveTimer);
    slot.leaveTimer = undefined;
    if (!slot.state.room && !slot.joining) this.#join(name, slot);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      slot.refs -= 1;
      if (--this.#inUse === 0) this.#unwatch?.();
      slot.leaveWhenUnused = leaveWhenUnused;
      if (slot.refs > 0 || !leaveWhenUnused) return;
      // StrictMode unmounts and mounts again at once, and a component moved in the tree does
      // the same: wait a tick before leaving, for a hook that takes the room straight back.
      slot.leaveTimer = setTimeout(() => this.#leaveIfUnused(slot), 0);
    };
  }

  /** The room once joined: at once, or when the join under way resolves. */
  joined(name: string): Promise<Room> {
    const slot = this.#slot(name);
    if (slot.state.room) return Promise.resolve(slot.state.room);
    if (slot.joining) return slot.joining;
    return Promise.reject(
      slot.state.error ?? new ChatterError('NOT_FOUND', `Room "${name}" is not joined`),
    );
  }

  /** Reads the page older than what the room holds; failures land in the state's `error`. */
  loadOlder(name: string): Promise<void> {
    const slot = this.#slot(name);
    const room = slot.state.room;
    if (slot.loading) return slot.loading;
    if (!room?.hasMoreHistory) return Promise.resolve();
    const oldest = room.messages[0];
    this.#set(slot, { loadingOlder: true });
    const loading = room.history(oldest ? { before: oldest.seq } : {}).then(
      () => {
        slot.loading = null;
        this.#set(slot, { loadingOlder: false, error: null });
      },
      (error: unknown) => {
        slot.loading = null;
        this.#set(slot, { loadingOlder: false, error: toChatterError(error) });
      },
    );
    slot.loading = loading;
    return loading;
  }

  #join(name: string, slot: Slot): void {
    const joining = this.#chat.join(name);
    slot.joining = joining;
    joining.then(
      (room) => {
        if (slot.joining !== joining) return;
        slot.joining = null;
        this.#set(slot, { room, error: null });
        for (const listener of this.#roomsChanged) listener();
        // Everyone let go while the join was on its way.
        if (slot.refs === 0 && slot.leaveWhenUnused) this.#leaveIfUnused(slot);
      },
      (error: unknown) => {
        if (slot.joining !== joining) return;
        slot.joining = null;
        this.#set(slot, { error: toChatterError(error) });
      },
    );
  }

  #forgetLeftRooms(): void {
    const joined = this.#chat.joinedRooms;
    for (const [name, slot] of this.#slots) {
      const room = slot.state.room;
      if (!room || joined.includes(room)) continue;
      this.#set(slot, { room: null });
      if (slot.refs > 0 && !slot.joining) this.#join(name, slot);
    }
  }

  #leaveIfUnused(slot: Slot): void {
    slot.leaveTimer = undefined;
    const room = slot.state.room;
    // Still joining: the join's answer comes back here.
    if (slot.refs > 0 || !room) return;
    // The slot stays (hooks may hold it); the next hook to take the room joins it afresh.
    this.#set(slot, INITIAL);
    room.leave().then(
      () => {
        for (const listener of this.#roomsChanged) listener();
      },
      // The client was closed or lost the room already; nothing is left to undo.
      () => undefined,
    );
  }

  #slot(name: string): Slot {
    let slot = this.#slots.get(name);
    if (!slot) {
      slot = {
        refs: 0,
        leaveWhenUnused: false,
        state: INITIAL,
        joining: null,
        loading: null,
        listeners: new Set(),
        leaveTimer: undefined,
      };
      this.#slots.set(name, slot);
    }
    return slot;
  }

  #set(slot: Slot, change: Partial<RoomJoinState>): void {
    slot.state = { ...slot.state, ...change };
    for (const listener of slot.listeners) listener();
  }
}

const registries = new WeakMap<ChatterClient, RoomRegistry>();

/** The registry of `chat`, made on first use. */
export const registryOf = (chat: ChatterClient): RoomRegistry => {
  let registry = registries.get(chat);
  if (!registry) {
    registry = new RoomRegistry(chat);
    registries.set(chat, registry);
  }
  return registry;
};
