import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../utils/errors.js';
import { consumeOrRefuse, inMemoryRateLimiters, type RateLimiters } from '../utils/rate-limit.js';

/** The rooms one connection is in, the user's own room aside. */
export interface JoinedRooms {
  has(room: string): boolean;
  readonly count: number;
}

export interface RoomAdmissionOptions {
  maxRoomsPerConnection: number;
  /** New rooms (ones with no stored history) one user may bring in per minute. */
  roomsPerMinute: number;
  limiters?: RateLimiters;
}

const WINDOW_MS = 60_000;

// Rooms known to be stored, so sends to them need no look-up; past this, the set starts over.
const KNOWN_ROOMS_LIMIT = 10_000;

/**
 * The room limits of issue 11: how many rooms one connection may be in, and how many new rooms
 * one user may bring into existence per minute (joining or writing to a room nobody has written
 * in yet). Joining rooms that have a history is never charged.
 *
 * A user is charged once per room per minute: a join and then the first message, or a reconnect
 * that joins the same empty rooms again, cost nothing more within the minute.
 */
export class RoomAdmission {
  readonly #maxRoomsPerConnection: number;
  readonly #limiter: RateLimiterAbstract;
  /** `user \0 room` → when it was charged; in charge order, so expired ones are at the front. */
  readonly #charged = new Map<string, number>();
  readonly #knownStored = new Set<string>();

  constructor({
    maxRoomsPerConnection,
    roomsPerMinute,
    limiters = inMemoryRateLimiters,
  }: RoomAdmissionOptions) {
    this.#maxRoomsPerConnection = maxRoomsPerConnection;
    this.#limiter = limiters('new-rooms', { points: roomsPerMinute, duration: WINDOW_MS / 1000 });
  }

  /** Throws FORBIDDEN when joining `room` would take the connection past its limit. */
  checkCapacity(joined: JoinedRooms, room: string): void {
    if (joined.has(room) || joined.count < this.#maxRoomsPerConnection) return;
    throw new AppError(
      'FORBIDDEN',
      `A connection may be in at most ${this.#maxRoomsPerConnection} rooms; leave one first`,
      { maxRoomsPerConnection: this.#maxRoomsPerConnection },
    );
  }

  /** Charges `userId` for bringing `room` in; RATE_LIMITED with `retryAfterMs` past the rate. */
  async chargeNewRoom(userId: string, room: string): Promise<void> {
    const now = Date.now();
    this.#forgetExpired(now);
    const key = `${userId}\u0000${room}`;
    if (this.#charged.has(key)) return;
    await consumeOrRefuse(this.#limiter, userId, 'Too many new rooms; try again later');
    this.#charged.set(key, now);
  }

  /**
   * Charges the writer of a message for its room if the room has no history yet; `isStored`
   * asks the store, once per room while this process remembers the answer.
   */
  async chargeWrite(
    userId: string,
    room: string,
    isStored: (room: string) => Promise<boolean>,
  ): Promise<void> {
    if (this.#knownStored.has(room)) return;
    if (await isStored(room)) this.roomStored(room);
    else await this.chargeNewRoom(userId, room);
  }

  /** Remembers that `room` has a history (rooms are never removed while a server runs). */
  roomStored(room: string): void {
    if (this.#knownStored.size >= KNOWN_ROOMS_LIMIT) this.#knownStored.clear();
    this.#knownStored.add(room);
  }

  #forgetExpired(now: number): void {
    for (const [key, chargedAt] of this.#charged) {
      if (now - chargedAt < WINDOW_MS) return;
      this.#charged.delete(key);
    }
  }
}
