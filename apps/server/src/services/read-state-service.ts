import {
  LIMITS,
  type ReadPayload,
  type ReadReceipt,
  type ReadState,
  type RoomSummary,
} from '@chatter/protocol';
import type { ChatStore, ReadPosition } from '../store/chat-store.js';
import type { AccessPolicy } from './access-policy.js';
import type { AuthUser } from './auth-service.js';
import { refusalsOf } from './store-errors.js';
import type { WriteGate } from './write-gate.js';

export interface ReadStateServiceOptions {
  store: ChatStore;
  policy: AccessPolicy;
  /** The writes' shutdown drain (read positions and memberships are not charged to a budget). */
  writes: WriteGate;
  /** Tells every connection of the user, on every node, where their read position stands now. */
  announceRead: (userId: string, state: ReadState) => void;
  /** Passes a read position on to the room's other people, gathered (`ReadReceiptFanout`). */
  publishReceipt: (room: string, receipt: ReadReceipt) => void;
}

/** What a join answers about reading: the user's position and how far the others have read. */
export interface JoinReading extends ReadPosition {
  reads: ReadReceipt[];
}

/**
 * Read state and the rooms the server remembers for each user: memberships (recorded on join,
 * removed on leave), read positions that only move forward, unread counts, and read receipts.
 */
export class ReadStateService {
  readonly #store: ChatStore;
  readonly #policy: AccessPolicy;
  readonly #writes: WriteGate;
  readonly #announceRead: ReadStateServiceOptions['announceRead'];
  readonly #publishReceipt: ReadStateServiceOptions['publishReceipt'];

  constructor(options: ReadStateServiceOptions) {
    this.#store = options.store;
    this.#policy = options.policy;
    this.#writes = options.writes;
    this.#announceRead = options.announceRead;
    this.#publishReceipt = options.publishReceipt;
  }

  /**
   * Records that the user is in the room, for a join the policy has allowed; a first join starts
   * the read position at the room's head. A read position beyond 0 means a membership (only
   * members have one), so a reconnect costs a read and no write. Otherwise (not a member, or one
   * who joined the room while it was empty and has read nothing since) the store's idempotent
   * `addMember` decides. FORBIDDEN with `roomsPerUserMax` past `LIMITS.roomsPerUserMax` rooms.
   */
  async enterRoom(userId: string, room: string): Promise<void> {
    const { readSeq } = await this.#store.readPosition(userId, room);
    if (readSeq > 0) return;
    await this.#writes.write(() => refusalsOf(room, this.#store.addMember(userId, room)));
  }

  /** Forgets the room for the user, read position included; nothing to do for a non-member. */
  async leaveRoom(userId: string, room: string): Promise<void> {
    await this.#writes.write(() => this.#store.removeMember(userId, room));
  }

  /**
   * The user's reading of the room and the furthest positions of others (at most
   * `LIMITS.readReceiptsListed`, the user left out), for a join answer.
   */
  async joinReading(userId: string, room: string): Promise<JoinReading> {
    const listed = LIMITS.readReceiptsListed;
    const [position, receipts] = await Promise.all([
      this.#store.readPosition(userId, room),
      // One more than listed, in case the user is among them.
      this.#store.readReceipts(room, listed + 1),
    ]);
    const reads = receipts.filter((receipt) => receipt.userId !== userId).slice(0, listed);
    return { ...position, reads };
  }

  /**
   * Moves the user's read position forward to `seq` (clamped to the head; never back). When it
   * moved, every connection of the user hears of it (`read`) and the room's people get a
   * receipt. The position read first only decides whether to tell anyone: two reads racing may
   * both announce, which is harmless, and one that moved the position always does.
   */
  async markRead(user: AuthUser, { room, seq }: ReadPayload): Promise<ReadState> {
    this.#policy.check(user, 'read', room);
    const before = await this.#store.readPosition(user.id, room);
    const state = await this.#writes.write(() =>
      refusalsOf(room, this.#store.markRead(user.id, room, seq)),
    );
    if (state.seq > before.readSeq) {
      this.#announceRead(user.id, state);
      this.#publishReceipt(room, { userId: user.id, seq: state.seq });
    }
    return state;
  }

  /**
   * The rooms the server remembers for the user, oldest membership first, with unread counts;
   * rooms this user's token may no longer use (another token of the same app user joined them)
   * are left out.
   */
  async rooms(user: AuthUser): Promise<RoomSummary[]> {
    const rooms = await this.#store.listRooms(user.id);
    return rooms.filter(({ room }) => this.#policy.decide(user, 'read', room).allowed);
  }
}
