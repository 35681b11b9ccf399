import { RoomNameSchema } from '@chatter/protocol';
import type { ClientRooms } from './client-rooms.js';
import { type RequestOptions, throwIfAborted, withDeadline } from './deadline.js';
import { toChatterError, validateLocally } from './errors.js';
import type { RoomImpl } from './room.js';

/** What {@link RoomJoins} needs from its client. */
export interface RoomJoinsDeps {
  rooms: ClientRooms;
  /** A new room, not joined yet. */
  newRoom(name: string): RoomImpl;
  /** Resolves once connected; `signal` drops the wait. */
  connect(signal: AbortSignal): Promise<void>;
  /** The deadline of a `join` without a `timeoutMs` of its own. */
  requestTimeoutMs: number;
  /** Leaves a room on the server, for a join nobody waits for any more. */
  leaveQuietly(name: string): void;
}

/**
 * The client's `join` calls: one room per name, however many calls wait for it, retried across
 * drops until joined or given up on; a room no call resolved with goes once its last caller gives
 * up, so no room is left half joined.
 */
export class RoomJoins {
  readonly #deps: RoomJoinsDeps;
  /** `join` calls under way per room, and the rooms some `join` call resolved with. */
  readonly #calls = new Map<RoomImpl, number>();
  readonly #joined = new WeakSet<RoomImpl>();

  constructor(deps: RoomJoinsDeps) {
    this.#deps = deps;
  }

  /** Joins `name` (connecting first if needed) and resolves after catch-up; see `chat.join`. */
  async join(name: string, options: RequestOptions): Promise<RoomImpl> {
    validateLocally(RoomNameSchema, name, 'room');
    const { rooms } = this.#deps;
    const existing = rooms.get(name);
    if (existing?.settled) return existing;
    const room = existing ?? this.#deps.newRoom(name);
    if (!existing) rooms.set(name, room);
    this.#calls.set(room, (this.#calls.get(room) ?? 0) + 1);
    try {
      await withDeadline(`join "${name}"`, options, this.#deps.requestTimeoutMs, (signal) =>
        this.#sync(room, signal),
      );
      this.#joined.add(room);
      return room;
    } catch (error) {
      // No room half joined: one no join ever resolved with goes once its last caller gives up
      // (a join the server completes later is left there: see `join` in the room channel).
      const calls = this.#calls.get(room) ?? 1;
      if (calls <= 1 && !this.#joined.has(room) && rooms.get(name) === room) {
        rooms.set(name, undefined);
        // Answered already (given up on while catching up): leave now. Not answered yet: the
        // answer, when it comes, finds no room here and leaves (see `join` in the room channel).
        if (room.joinedOnServer) this.#deps.leaveQuietly(name);
        room.abandon();
      }
      throw error;
    } finally {
      const calls = (this.#calls.get(room) ?? 1) - 1;
      if (calls > 0) this.#calls.set(room, calls);
      else this.#calls.delete(room);
    }
  }

  /** Connects and syncs `room`, again after each drop or timeout, until done or aborted. */
  async #sync(room: RoomImpl, signal: AbortSignal): Promise<void> {
    for (;;) {
      await this.#deps.connect(signal);
      throwIfAborted(signal);
      try {
        await room.sync();
        throwIfAborted(signal);
        return;
      } catch (error) {
        throwIfAborted(signal);
        const chatterError = toChatterError(error);
        if (chatterError.code !== 'DISCONNECTED' && chatterError.code !== 'TIMEOUT') throw error;
      }
    }
  }
}
