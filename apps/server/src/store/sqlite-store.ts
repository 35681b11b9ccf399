import fs from 'node:fs';
import path from 'node:path';
import type { User } from '@chatter/protocol';
import Database from 'better-sqlite3';
import {
  type AppendMessageInput,
  type AppendResult,
  type ChatStore,
  type CommitObserver,
  type HistoryPage,
  type HistoryRange,
  type RoomState,
  type RoomView,
  type StoredUser,
  StoreUnavailableError,
} from './chat-store.js';
import { holdServerLock, type ServerLock } from './sqlite-lock.js';
import { migrate } from './sqlite-migrations.js';
import { openFailure } from './sqlite-open-failure.js';
import {
  configureConnection,
  DEFAULT_EPOCH_QUERY,
  type MessageRow,
  type RoomRow,
  toMessage,
  toRoomState,
} from './sqlite-schema.js';
import { isDatabaseFault } from './sqlite-writer.js';
import { SqliteWriterClient } from './sqlite-writer-client.js';

interface UserRow {
  id: string;
  name: string;
  last_seen: string | null;
}

export interface SqliteStoreOptions {
  /** How long a write waits for another process's write lock before it fails as UNAVAILABLE. */
  busyTimeoutMs?: number;
  /**
   * Told of each committed batch of the writer thread that held message appends, with the number
   * of appends in it (retries answered with their original included). The time is measured on
   * this thread, from when the writer thread took the batch up to its answer (see
   * `SqliteWriterClient`); batches of presence times alone are not reported.
   */
  onCommit?: CommitObserver;
}

// Larger than any seq a room will reach; stands for "no upper bound" in range queries.
const NO_BOUND = Number.MAX_SAFE_INTEGER;

// Reads run on the event loop. Under WAL they never wait for a writer; this bounds the rare
// waits that remain (another process recovering the WAL) so they cannot freeze the server.
const READ_BUSY_TIMEOUT_MS = 100;

/**
 * The embedded store: one SQLite file in WAL mode. Writes go to a writer thread that group-commits
 * them (see `SqliteWriter`), so a disk sync serves many messages and never blocks the event loop;
 * reads run here, on a connection of their own, and see every write once its promise resolves.
 */
export class SqliteChatStore implements ChatStore {
  private readonly db: Database.Database;
  private readonly lock: ServerLock;
  private readonly writer: SqliteWriterClient;
  private readonly statements;
  private corrupt: StoreUnavailableError | undefined;

  constructor(
    readonly file: string,
    { busyTimeoutMs = 5000, onCommit }: SqliteStoreOptions = {},
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Before the file is opened: a restore in progress must stop the start-up.
    this.lock = holdServerLock(file);
    let opened: Database.Database | undefined;
    try {
      opened = new Database(file);
      configureConnection(opened, busyTimeoutMs);
      // Here, and only here: before the writer thread starts, so a broken or newer file stops
      // the start-up and the thread always opens the current schema.
      migrate(opened, file);
    } catch (error) {
      opened?.close();
      this.lock.release();
      throw error;
    }
    this.db = opened;
    this.db.pragma(`busy_timeout = ${READ_BUSY_TIMEOUT_MS}`);
    this.writer = new SqliteWriterClient({ file, busyTimeoutMs }, onCommit);

    const db = this.db;
    this.statements = {
      getRoom: db.prepare<[string], RoomRow>('SELECT name, epoch, head FROM rooms WHERE name = ?'),
      defaultEpoch: db.prepare<[], string>(DEFAULT_EPOCH_QUERY).pluck(),
      pageAfter: db.prepare<[string, number, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?',
      ),
      pageBefore: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      ),
      // Reads the database's first pages: a file that cannot be read fails it.
      ping: db.prepare('SELECT count(*) FROM sqlite_schema'),
    };
  }

  async viewRoom(room: string): Promise<RoomView> {
    const stored = await this.getRoom(room);
    if (stored) return { ...stored, stored: true };
    const epoch = this.read(() => this.statements.defaultEpoch.get());
    if (epoch === undefined) throw new Error('the meta table has no default_epoch');
    return { room, epoch, head: 0, stored: false };
  }

  async getRoom(room: string): Promise<RoomState | null> {
    const row = this.read(() => this.statements.getRoom.get(room));
    return row ? toRoomState(row) : null;
  }

  appendMessage(input: AppendMessageInput): Promise<AppendResult> {
    const { room, author, text, clientId } = input;
    // Only plain fields cross to the thread; no caller's extra properties ride along.
    return this.writer.write({
      op: 'append',
      input: {
        room,
        author: { id: author.id, name: author.name },
        text,
        ...(clientId === undefined ? {} : { clientId }),
      },
    });
  }

  async listMessages({ room, limit, before, after }: HistoryRange): Promise<HistoryPage> {
    // One row past the page tells whether there is more, without a second query.
    if (after !== undefined) {
      const rows = this.read(() =>
        this.statements.pageAfter.all(room, after, before ?? NO_BOUND, limit + 1),
      );
      return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
    }
    const rows = this.read(() =>
      this.statements.pageBefore.all(room, before ?? NO_BOUND, limit + 1),
    );
    return {
      messages: rows.slice(0, limit).reverse().map(toMessage),
      hasMore: rows.length > limit,
    };
  }

  saveUser(user: User, lastSeen: Date): Promise<void> {
    return this.saveUsers([{ user, lastSeen }]);
  }

  async saveUsers(users: ReadonlyArray<{ user: User; lastSeen: Date }>): Promise<void> {
    if (users.length === 0) return;
    await this.writer.write({
      op: 'saveUsers',
      users: users.map(({ user, lastSeen }) => ({
        id: user.id,
        name: user.name,
        lastSeen: lastSeen.toISOString(),
      })),
    });
  }

  async getUsers(ids: readonly string[]): Promise<StoredUser[]> {
    if (ids.length === 0) return [];
    const placeholders = ids.map(() => '?').join(', ');
    const rows = this.read(() =>
      this.db
        .prepare<string[], UserRow>(
          `SELECT id, name, last_seen FROM users WHERE id IN (${placeholders})`,
        )
        .all(...ids),
    );
    return rows.map((row) => ({ id: row.id, name: row.name, lastSeen: row.last_seen }));
  }

  /** Readiness: the file reads, and writes commit (see `SqliteWriterClient.check`). */
  async ping(): Promise<void> {
    if (this.corrupt) throw this.corrupt;
    this.read(() => this.statements.ping.get());
    await this.writer.check();
  }

  /**
   * Runs a read; a fault of the database itself (locked past the busy timeout, corrupt, I/O)
   * becomes UNAVAILABLE rather than INTERNAL. Corruption is remembered: SQLite never repairs it.
   */
  private read<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (!isDatabaseFault(error)) throw error;
      const fault = new StoreUnavailableError(
        `SQLite could not read ${this.file}: ${(error as Error).message}`,
        { cause: error },
      );
      if (/^SQLITE_(CORRUPT|NOTADB)/.test((error as { code?: string }).code ?? '')) {
        this.corrupt ??= fault;
      }
      throw fault;
    }
  }

  async close(): Promise<void> {
    await this.writer.close();
    if (this.db.open) this.db.close();
    this.lock.release();
  }
}

/** The database file of a data directory. */
export const databaseFile = (dataDir: string): string =>
  path.join(path.resolve(dataDir), 'chatter.db');

export const openSqliteStore = (dataDir: string, options?: SqliteStoreOptions): SqliteChatStore => {
  const file = databaseFile(dataDir);
  try {
    return new SqliteChatStore(file, options);
  } catch (error) {
    throw openFailure(error, file);
  }
};
