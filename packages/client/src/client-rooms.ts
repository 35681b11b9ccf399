import type { RoomImpl } from './room.js';
import type { Room } from './room-api.js';

/**
 * The rooms a client has joined (or is joining) by name, and the frozen `joinedRooms` list
 * built from them, kept until the next room comes or goes so that UI stores can compare it by
 * identity.
 */
export class ClientRooms {
  readonly #rooms = new Map<string, RoomImpl>();
  /** Told after every `set`, for the client's `change` event. */
  readonly #changed: () => void;
  /** `joined`, until a room is joined or left. */
  #joined: readonly Room[] | undefined;

  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /** Every room, as one frozen array; the same array until a room is added or removed. */
  get joined(): readonly Room[] {
    this.#joined ??= Object.freeze([...this.#rooms.values()]);
    return this.#joined;
  }

  get(name: string): RoomImpl | undefined {
    return this.#rooms.get(name);
  }

  has(name: string): boolean {
    return this.#rooms.has(name);
  }

  values(): IterableIterator<RoomImpl> {
    return this.#rooms.values();
  }

  /** Adds `room` under `name`, or removes the room there (`undefined`), and reports the change. */
  set(name: string, room: RoomImpl | undefined): void {
    if (room) this.#rooms.set(name, room);
    else this.#rooms.delete(name);
    this.#joined = undefined;
    this.#changed();
  }

  /** Forgets every room without reporting it: `close` reports its whole change once. */
  clear(): void {
    this.#rooms.clear();
    this.#joined = undefined;
  }
}
