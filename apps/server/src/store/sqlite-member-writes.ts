import type { ReadState } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import { TooManyRoomsError } from './chat-store.js';
import type { RoomHeads } from './sqlite-room-heads.js';
import type { StoreLimits } from './sqlite-schema.js';
import type { UnreadCounter } from './sqlite-unread.js';

/** Memberships and read positions, on the writer thread. None of them takes a seq. */
export class MemberWrites {
  readonly #unread: UnreadCounter;
  readonly #roomsPerUserMax: number;
  readonly #statements;

  constructor(db: Database.Database, unread: UnreadCounter, limits: StoreLimits) {
    this.#unread = unread;
    this.#roomsPerUserMax = limits.roomsPerUserMax;
    this.#statements = {
      readSeq: db
        .prepare<[string, string], number>(
          'SELECT read_seq FROM memberships WHERE user_id = ? AND room = ?',
        )
        .pluck(),
      roomsOf: db
        .prepare<[string], number>('SELECT count(*) FROM memberships WHERE user_id = ?')
        .pluck(),
      insert: db.prepare<[string, string, string, number]>(
        'INSERT INTO memberships (user_id, room, joined_at, read_seq) VALUES (?, ?, ?, ?)',
      ),
      remove: db.prepare<[string, string]>(
        'DELETE FROM memberships WHERE user_id = ? AND room = ?',
      ),
      setReadSeq: db.prepare<[number, string, string]>(
        'UPDATE memberships SET read_seq = ? WHERE user_id = ? AND room = ?',
      ),
    };
  }

  /**
   * Makes the user a member (past the cap: `TooManyRoomsError`); returns their read position. A
   * new member has read up to the head: joining shows the newest page, and a room's past is not
   * news to someone who just arrived (a thousand "unread" messages on first join would be noise).
   */
  add(userId: string, room: string, heads: RoomHeads, startAt: 'head' | 'start' = 'head'): number {
    const s = this.#statements;
    const current = s.readSeq.get(userId, room);
    if (current !== undefined) return current;
    if ((s.roomsOf.get(userId) as number) >= this.#roomsPerUserMax) {
      throw new TooManyRoomsError(
        `user ${userId} is a member of ${this.#roomsPerUserMax} rooms already`,
      );
    }
    const readSeq = startAt === 'head' ? (heads.find(room)?.head ?? 0) : 0;
    s.insert.run(userId, room, new Date().toISOString(), readSeq);
    return readSeq;
  }

  remove(userId: string, room: string): void {
    this.#statements.remove.run(userId, room);
  }

  /**
   * Moves the read position forward to `seq`, clamped to the head; a user who is not a member
   * becomes one (within the cap). The unread count is taken in the same transaction as the head.
   */
  markRead(userId: string, room: string, seq: number, heads: RoomHeads): ReadState {
    // Reading makes a member of a user who was not one, read up to where they say.
    let readSeq = this.add(userId, room, heads, 'start');
    const state = heads.find(room);
    const head = state?.head ?? 0;
    const target = Math.min(seq, head);
    if (target > readSeq) {
      this.#statements.setReadSeq.run(target, userId, room);
      readSeq = target;
    }
    const unread = state ? this.#unread.count(room, userId, readSeq, state.messageCount) : 0;
    return { room, seq: readSeq, unread, head };
  }
}
