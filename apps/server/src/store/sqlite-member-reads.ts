import type { ReadReceipt, RoomSummary } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import type { ReadPosition } from './chat-store.js';
import { DEFAULT_EPOCH_QUERY } from './sqlite-schema.js';
import { UnreadCounter } from './sqlite-unread.js';

interface PositionRow {
  head: number | null;
  message_count: number | null;
  read_seq: number | null;
}

interface MembershipRow {
  room: string;
  joined_at: string;
  read_seq: number;
  epoch: string | null;
  head: number | null;
  message_count: number | null;
}

/**
 * Read positions, rooms and receipts, on the main thread's connection. Each answer is read in
 * one read transaction, so its head, count and unread agree.
 */
export class MemberReads {
  readonly #unread: UnreadCounter;
  readonly #statements;
  readonly readPosition: (userId: string, room: string) => ReadPosition;
  readonly listRooms: (userId: string) => RoomSummary[];

  constructor(db: Database.Database) {
    this.#unread = new UnreadCounter(db);
    this.#statements = {
      // One row whether or not the room is stored or the user a member.
      position: db.prepare<[string, string, string], PositionRow>(`
        SELECT r.head, r.message_count,
               (SELECT read_seq FROM memberships WHERE user_id = ? AND room = ?) AS read_seq
        FROM (SELECT 1) LEFT JOIN rooms r ON r.name = ?
      `),
      memberships: db.prepare<[string], MembershipRow>(`
        SELECT m.room, m.joined_at, m.read_seq, r.epoch, r.head, r.message_count
        FROM memberships m LEFT JOIN rooms r ON r.name = m.room
        WHERE m.user_id = ?
        ORDER BY m.joined_at, m.rowid
      `),
      defaultEpoch: db.prepare<[], string>(DEFAULT_EPOCH_QUERY).pluck(),
      receipts: db.prepare<[string, number], { user_id: string; read_seq: number }>(`
        SELECT user_id, read_seq FROM memberships
        WHERE room = ? AND read_seq > 0
        ORDER BY read_seq DESC, user_id
        LIMIT ?
      `),
    };
    this.readPosition = db.transaction((userId, room) => this.#readPosition(userId, room));
    this.listRooms = db.transaction((userId) => this.#listRooms(userId));
  }

  readReceipts(room: string, limit: number): ReadReceipt[] {
    return this.#statements.receipts
      .all(room, limit)
      .map((row) => ({ userId: row.user_id, seq: row.read_seq }));
  }

  #readPosition(userId: string, room: string): ReadPosition {
    const row = this.#statements.position.get(userId, room, room) as PositionRow;
    const head = row.head ?? 0;
    const readSeq = row.read_seq ?? 0;
    const unread = this.#unread.count(room, userId, readSeq, row.message_count ?? 0);
    return { readSeq, unread, head };
  }

  #listRooms(userId: string): RoomSummary[] {
    const rows = this.#statements.memberships.all(userId);
    let defaultEpoch: string | undefined;
    return rows.map((row) => {
      if (row.epoch === null) defaultEpoch ??= this.#statements.defaultEpoch.get();
      const epoch = row.epoch ?? defaultEpoch;
      if (epoch === undefined) throw new Error('the meta table has no default_epoch');
      return {
        room: row.room,
        epoch,
        head: row.head ?? 0,
        readSeq: row.read_seq,
        unread: this.#unread.count(row.room, userId, row.read_seq, row.message_count ?? 0),
        joinedAt: row.joined_at,
      };
    });
  }
}
