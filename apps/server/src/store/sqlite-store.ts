import fs from 'node:fs';
import path from 'node:path';
import {
  LIMITS,
  type Message,
  type ReadReceipt,
  type ReadState,
  type RoomSummary,
  type User,
} from '@chatter/protocol';
import Database from 'better-sqlite3';
import {
  type AppendMessageInput,
  type AppendResult,
  type ChangeResult,
  type ChatStore,
  type CommitObserver,
  type DeleteMessageInput,
  type EditMessageInput,
  type HistoryPage,
  type HistoryRange,
  type ReactionInput,
  type ReadPosition,
  type RoomState,
  type RoomView,
  type StoredUser,
  StoreUnavailableError,
} from './chat-store.js';
import { HistoryReads } from './sqlite-history.js';
import { holdServerLock, type ServerLock } from './sqlite-lock.js';
import { MemberReads } from './sqlite-member-reads.js';
import { MessageReads } from './sqlite-message-reads.js';
import { migrate } from './sqlite-migrations.js';
import { openFailure } from './sqlite-open-failure.js';
import {
  configureConnection,
  DEFAULT_EPOCH_QUERY,
  type RoomRow,
  type StoreLimits,
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

const STORE_LIMITS: StoreLimits = {
  reactionsPerMessageMax: LIMITS.reactionsPerMessageMax,
  reactionUsersListed: LIMITS.reactionUsersListed,
  replyExcerptMaxLength: LIMITS.replyExcerptMaxLength,
  roomsPerUserMax: LIMITS.roomsPerUserMax,
};

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
  private readonly messages: MessageReads;
  private readonly history: HistoryReads;
  private readonly members: MemberReads;
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
    this.writer = new SqliteWriterClient({ file, busyTimeoutMs, limits: STORE_LIMITS }, onCommit);

    const db = this.db;
    this.statements = {
      getRoom: db.prepare<[string], RoomRow>('SELECT name, epoch, head FROM rooms WHERE name = ?'),
      defaultEpoch: db.prepare<[], string>(DEFAULT_EPOCH_QUERY).pluck(),
      // Reads the database's first pages: a file that cannot be read fails it.
      ping: db.prepare('SELECT count(*) FROM sqlite_schema'),
    };
    this.messages = new MessageReads(db, STORE_LIMITS);
    this.history = new HistoryReads(db, this.messages);
    this.members = new MemberReads(db);
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
    const { room, author, text, clientId, replyTo } = input;
    // Only plain fields cross to the thread; no caller's extra properties ride along.
    return this.writer.write({
      op: 'append',
      input: {
        room,
        author: { id: author.id, name: author.name },
        text,
        ...(clientId === undefined ? {} : { clientId }),
        ...(replyTo === undefined ? {} : { replyTo }),
      },
    });
  }

  async getMessage(id: string): Promise<Message | null> {
    return this.read(() => this.messages.get(id));
  }

  editMessage({ room, messageId, actor, text, clientId }: EditMessageInput): Promise<ChangeResult> {
    return this.writer.write({
      op: 'edit',
      input: {
        room,
        messageId,
        actor: { id: actor.id, name: actor.name },
        text,
        ...(clientId === undefined ? {} : { clientId }),
      },
    });
  }

  deleteMessage({ room, messageId, actor }: DeleteMessageInput): Promise<ChangeResult> {
    return this.writer.write({
      op: 'delete',
      input: { room, messageId, actor: { id: actor.id, name: actor.name } },
    });
  }

  setReaction({ room, messageId, actor, emoji, on }: ReactionInput): Promise<ChangeResult> {
    return this.writer.write({
      op: 'react',
      input: { room, messageId, actor: { id: actor.id, name: actor.name }, emoji, on },
    });
  }

  async listMessages(range: HistoryRange): Promise<HistoryPage> {
    const { room, limit, before, after } = range;
    if (after !== undefined)
      return this.read(() => this.history.forward({ room, limit, before, after }));
    return this.read(() => this.history.backward({ room, limit, before }));
  }

  async addMember(userId: string, room: string): Promise<void> {
    await this.writer.write({ op: 'addMember', userId, room });
  }

  async removeMember(userId: string, room: string): Promise<void> {
    await this.writer.write({ op: 'removeMember', userId, room });
  }

  markRead(userId: string, room: string, seq: number): Promise<ReadState> {
    return this.writer.write({ op: 'markRead', userId, room, seq });
  }

  async readPosition(userId: string, room: string): Promise<ReadPosition> {
    return this.read(() => this.members.readPosition(userId, room));
  }

  async listRooms(userId: string): Promise<RoomSummary[]> {
    return this.read(() => this.members.listRooms(userId));
  }

  async readReceipts(room: string, limit: number): Promise<ReadReceipt[]> {
    return this.read(() => this.members.readReceipts(room, limit));
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
