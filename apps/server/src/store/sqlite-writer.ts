import type { Message } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import { newMessageId } from '../utils/ids.js';
import type { AppendMessageInput, AppendResult, RoomState } from './chat-store.js';
import {
  DEFAULT_EPOCH_QUERY,
  type MessageRow,
  type RoomRow,
  toMessage,
  toRoomState,
} from './sqlite-schema.js';

export interface SeenUser {
  id: string;
  name: string;
  /** ISO time. */
  lastSeen: string;
}

/** One write, as the main thread sends it to the writer thread. */
export type WriteRequest =
  | { op: 'append'; input: AppendMessageInput }
  | { op: 'saveUsers'; users: SeenUser[] }
  /** Writes the schema version back as it is: the smallest synced write, to see if writes work. */
  | { op: 'probe' };

export interface WriteFailure {
  /** The store could not write at all (locked, full, broken): worth retrying later. */
  unavailable: boolean;
  message: string;
  sqliteCode: string | undefined;
}

export type WriteOutcome =
  | { ok: true; value: AppendResult | null }
  | { ok: false; error: WriteFailure };

// Errors that say nothing about the one write that met them, but about the database: the whole
// batch fails with them and the transaction is rolled back.
const DATABASE_FAULT =
  /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CORRUPT|NOTADB|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

const sqliteCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

export const isDatabaseFault = (error: unknown): boolean =>
  DATABASE_FAULT.test(sqliteCode(error) ?? '');

const failure = (error: unknown): WriteOutcome => ({
  ok: false,
  error: {
    unavailable: isDatabaseFault(error),
    message: error instanceof Error ? error.message : String(error),
    sqliteCode: sqliteCode(error),
  },
});

/** Room states a batch has changed (`moved`) and the one write in progress has changed (`own`). */
interface BatchRooms {
  own: Map<string, RoomState>;
  moved: Map<string, RoomState>;
}

// Room states kept between batches; past this many, the cache starts over rather than grow.
const ROOM_CACHE_LIMIT = 10_000;

/**
 * Group commit: a batch of writes in one `BEGIN IMMEDIATE … COMMIT`, so one disk sync serves them
 * all. Each write runs in a savepoint of its own, so one that fails (a constraint) fails alone and
 * its batch-mates still commit; a fault of the database itself (locked, full, I/O) fails the
 * whole batch, and nothing of it is stored. Runs on the writer thread, synchronously.
 *
 * Room heads and epochs are cached between batches. They stay trustworthy while no other
 * connection has written to the file, which `PRAGMA data_version` tells at the start of each
 * batch (under the write lock); when another process did write, the cache is dropped.
 */
export class SqliteWriter {
  readonly #db: Database.Database;
  readonly #statements;
  readonly #rooms = new Map<string, RoomState>();
  #dataVersion: number | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT write'),
      release: db.prepare('RELEASE write'),
      rollbackTo: db.prepare('ROLLBACK TO write'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
      getRoom: db.prepare<[string], RoomRow>('SELECT name, epoch, head FROM rooms WHERE name = ?'),
      defaultEpoch: db.prepare<[], string>(DEFAULT_EPOCH_QUERY).pluck(),
      insertRoom: db.prepare<[string, string, string]>(
        'INSERT INTO rooms (name, epoch, head, created_at) VALUES (?, ?, 0, ?)',
      ),
      setHead: db.prepare<[number, string]>('UPDATE rooms SET head = ? WHERE name = ?'),
      // DO NOTHING on a repeated (room, author, clientId): the common case, a new message, then
      // costs no look-up; only a retry reads its original back.
      insertMessage: db.prepare<
        [string, string, number, string, string, string, string | null, string]
      >(
        `INSERT INTO messages (id, room, seq, author_id, author_name, text, client_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      findByClientId: db.prepare<[string, string, string], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND author_id = ? AND client_id = ?',
      ),
      maxSeq: db.prepare<[string]>('SELECT MAX(seq) FROM messages WHERE room = ?').pluck(),
      upsertUser: db.prepare<[string, string, string]>(
        `INSERT INTO users (id, name, last_seen) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`,
      ),
    };
  }

  /** Applies `batch` in one transaction; one outcome per request, in order. */
  commit(batch: readonly WriteRequest[]): WriteOutcome[] {
    // Presence times alone need no sync of their own: the next synced commit carries them.
    const durable = batch.some((request) => request.op !== 'saveUsers');
    if (!durable) this.#db.pragma('synchronous = NORMAL');
    try {
      this.#statements.begin.run();
    } catch (error) {
      if (!durable) this.#db.pragma('synchronous = FULL');
      return batch.map(() => failure(error));
    }
    // Heads this batch moved, kept apart until the commit holds them.
    const moved = new Map<string, RoomState>();
    try {
      this.#dropCacheIfOthersWrote();
      const outcomes = batch.map((request) => this.#applyAlone(request, moved));
      for (const room of moved.values()) this.#statements.setHead.run(room.head, room.room);
      this.#statements.commit.run();
      this.#remember(moved);
      return outcomes;
    } catch (error) {
      if (this.#db.inTransaction) this.#statements.rollback.run();
      this.#rooms.clear();
      return batch.map(() => failure(error));
    } finally {
      if (!durable) this.#db.pragma('synchronous = FULL');
    }
  }

  #applyAlone(request: WriteRequest, moved: Map<string, RoomState>): WriteOutcome {
    // Rooms this write creates or moves count only if the write succeeds.
    const own = new Map<string, RoomState>();
    this.#statements.savepoint.run();
    try {
      const value = this.#apply(request, { own, moved });
      this.#statements.release.run();
      for (const [name, state] of own) moved.set(name, state);
      return { ok: true, value };
    } catch (error) {
      if (isDatabaseFault(error)) throw error;
      this.#statements.rollbackTo.run();
      this.#statements.release.run();
      return failure(error);
    }
  }

  #apply(request: WriteRequest, rooms: BatchRooms): AppendResult | null {
    switch (request.op) {
      case 'append':
        return this.#append(request.input, rooms);
      case 'probe': {
        const version = this.#db.pragma('user_version', { simple: true }) as number;
        this.#db.pragma(`user_version = ${version}`);
        return null;
      }
      case 'saveUsers':
        for (const user of request.users) {
          this.#statements.upsertUser.run(user.id, user.name, user.lastSeen);
        }
        return null;
    }
  }

  #append(input: AppendMessageInput, rooms: BatchRooms): AppendResult {
    const message: Message = {
      id: newMessageId(),
      room: input.room,
      seq: 0,
      text: input.text,
      author: { id: input.author.id, name: input.author.name },
      createdAt: new Date().toISOString(),
      ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
    };
    for (let attempt = 1; ; attempt++) {
      const room = this.#room(input.room, rooms);
      message.seq = room.head + 1;
      const { changes } = this.#statements.insertMessage.run(
        message.id,
        message.room,
        message.seq,
        message.author.id,
        message.author.name,
        message.text,
        input.clientId ?? null,
        message.createdAt,
      );
      if (changes === 1) {
        rooms.own.set(input.room, { ...room, head: message.seq });
        return { message, created: true };
      }
      const original =
        input.clientId === undefined
          ? undefined
          : this.#statements.findByClientId.get(input.room, input.author.id, input.clientId);
      if (original) return { message: toMessage(original), created: false };
      // Not a retry, so the seq was taken: the cached head was stale. Read it again, once.
      if (attempt === 2) throw new Error(`seq ${message.seq} of room "${input.room}" is taken`);
      const head = this.#statements.maxSeq.get(input.room) as number | null;
      rooms.own.set(input.room, { ...room, head: head ?? 0 });
    }
  }

  /**
   * The room as this write sees it, stored when it does not exist yet. It takes the default
   * epoch, read in this transaction: the epoch its joiners were shown while it was unwritten, so
   * its first message does not reset them (and one a rotation changed, if one came between).
   */
  #room(name: string, { own, moved }: BatchRooms): RoomState {
    const known = own.get(name) ?? moved.get(name) ?? this.#rooms.get(name);
    if (known) return known;
    const row = this.#statements.getRoom.get(name);
    if (row) return toRoomState(row);
    const epoch = this.#statements.defaultEpoch.get();
    if (epoch === undefined) throw new Error('the meta table has no default_epoch');
    const state: RoomState = { room: name, epoch, head: 0 };
    this.#statements.insertRoom.run(name, state.epoch, new Date().toISOString());
    own.set(name, state);
    return state;
  }

  #dropCacheIfOthersWrote(): void {
    const version = this.#statements.dataVersion.get() as number;
    if (version !== this.#dataVersion) this.#rooms.clear();
    this.#dataVersion = version;
  }

  #remember(moved: Map<string, RoomState>): void {
    if (this.#rooms.size + moved.size > ROOM_CACHE_LIMIT) this.#rooms.clear();
    for (const [name, state] of moved) this.#rooms.set(name, state);
  }
}
