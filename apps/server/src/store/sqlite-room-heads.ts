import type Database from 'better-sqlite3';
import type { RoomState } from './chat-store.js';
import { DEFAULT_EPOCH_QUERY, type RoomRow } from './sqlite-schema.js';

/** A room as the writer thread keeps it: its head, and how many of its log entries are messages. */
export interface WriterRoom extends RoomState {
  messageCount: number;
}

interface WriterRoomRow extends RoomRow {
  message_count: number;
}

/**
 * What one write sees of the rooms: the batch's state, with its own moves on top. Whatever it
 * moves counts only if the write succeeds (see `RoomHeadCache.forWrite`).
 */
export interface RoomHeads {
  /** The room as this write sees it, or undefined while nobody has written in it. */
  find(name: string): WriterRoom | undefined;
  /**
   * The room, stored now if it does not exist yet. It takes the default epoch, read in this
   * transaction: the epoch its joiners were shown while it was unwritten, so its first message
   * does not reset them (and one a rotation changed, if one came between).
   */
  open(name: string): WriterRoom;
  /** The room's new head (and message count), committed with this write. */
  move(state: WriterRoom): void;
  /**
   * The room as the file has it, after a write found its next seq taken: the cached head was
   * stale. Read from the entries themselves, the newest message and the newest change.
   */
  reload(name: string): WriterRoom;
}

// Room states kept between batches; past this many, the cache starts over rather than grow.
const ROOM_CACHE_LIMIT = 10_000;

/**
 * Room heads, epochs and message counts, cached between the writer's batches. They stay
 * trustworthy while no other connection has written to the file, which `PRAGMA data_version`
 * tells at the start of each batch (under the write lock); when another process did write, the
 * cache is dropped. `rooms.head` is the one record of a room's head: every write that takes a
 * seq, a message's or a change's, moves it in the same transaction, and the two tables' seqs
 * never overlap because each is taken from it.
 */
export class RoomHeadCache {
  readonly #statements;
  readonly #rooms = new Map<string, WriterRoom>();
  #dataVersion: number | undefined;

  constructor(db: Database.Database) {
    this.#statements = {
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      getRoom: db.prepare<[string], WriterRoomRow>(
        'SELECT name, epoch, head, message_count FROM rooms WHERE name = ?',
      ),
      defaultEpoch: db.prepare<[], string>(DEFAULT_EPOCH_QUERY).pluck(),
      insertRoom: db.prepare<[string, string, string]>(
        'INSERT INTO rooms (name, epoch, head, message_count, created_at) VALUES (?, ?, 0, 0, ?)',
      ),
      setHead: db.prepare<[number, number, string]>(
        'UPDATE rooms SET head = ?, message_count = ? WHERE name = ?',
      ),
      lastMessage: db.prepare<[string], { seq: number; ordinal: number | null }>(
        'SELECT seq, ordinal FROM messages WHERE room = ? ORDER BY seq DESC LIMIT 1',
      ),
      lastChange: db
        .prepare<[string], number>(
          'SELECT seq FROM changes WHERE room = ? ORDER BY seq DESC LIMIT 1',
        )
        .pluck(),
    };
  }

  /** At the start of each batch, under the write lock. */
  startBatch(): void {
    const version = this.#statements.dataVersion.get() as number;
    if (version !== this.#dataVersion) this.#rooms.clear();
    this.#dataVersion = version;
  }

  /**
   * The rooms as one write of the batch sees them. Its moves go to `own`; the batch copies them
   * into `moved` once the write's savepoint is released.
   */
  forWrite(moved: ReadonlyMap<string, WriterRoom>, own: Map<string, WriterRoom>): RoomHeads {
    const s = this.#statements;
    const find = (name: string): WriterRoom | undefined => {
      const known = own.get(name) ?? moved.get(name) ?? this.#rooms.get(name);
      if (known) return known;
      const row = s.getRoom.get(name);
      return row
        ? { room: row.name, epoch: row.epoch, head: row.head, messageCount: row.message_count }
        : undefined;
    };
    return {
      find,
      open: (name) => {
        const found = find(name);
        if (found) return found;
        const epoch = s.defaultEpoch.get();
        if (epoch === undefined) throw new Error('the meta table has no default_epoch');
        const state: WriterRoom = { room: name, epoch, head: 0, messageCount: 0 };
        s.insertRoom.run(name, state.epoch, new Date().toISOString());
        own.set(name, state);
        return state;
      },
      move: (state) => {
        own.set(state.room, state);
      },
      reload: (name) => {
        const state = find(name);
        if (!state) throw new Error(`room "${name}" is not stored`);
        const message = s.lastMessage.get(name);
        const change = s.lastChange.get(name) ?? 0;
        const reloaded: WriterRoom = {
          ...state,
          head: Math.max(message?.seq ?? 0, change),
          messageCount: message?.ordinal ?? 0,
        };
        own.set(name, reloaded);
        return reloaded;
      },
    };
  }

  /** Writes the heads a batch moved, in its transaction, before it commits. */
  store(moved: ReadonlyMap<string, WriterRoom>): void {
    for (const room of moved.values()) {
      this.#statements.setHead.run(room.head, room.messageCount, room.room);
    }
  }

  /** Keeps what a committed batch moved for the next batches. */
  remember(moved: ReadonlyMap<string, WriterRoom>): void {
    if (this.#rooms.size + moved.size > ROOM_CACHE_LIMIT) this.#rooms.clear();
    for (const [name, state] of moved) this.#rooms.set(name, state);
  }

  /** After a batch failed: what it read may have been rolled back. */
  clear(): void {
    this.#rooms.clear();
  }
}
