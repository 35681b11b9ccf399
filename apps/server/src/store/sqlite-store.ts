import fs from 'node:fs';
import path from 'node:path';
import type { Message, User } from '@chatter/protocol';
import Database from 'better-sqlite3';
import { newEpoch, newMessageId } from '../utils/ids.js';
import type {
  AppendMessageInput,
  AppendResult,
  ChatStore,
  HistoryPage,
  HistoryRange,
  RoomState,
  StoredUser,
} from './chat-store.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS rooms (
    name       TEXT PRIMARY KEY,
    epoch      TEXT NOT NULL,
    head       INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE IF NOT EXISTS messages (
    id          TEXT PRIMARY KEY,
    room        TEXT NOT NULL REFERENCES rooms(name),
    seq         INTEGER NOT NULL,
    author_id   TEXT NOT NULL,
    author_name TEXT NOT NULL,
    text        TEXT NOT NULL,
    client_id   TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (room, seq)
  ) STRICT;

  CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency
    ON messages (room, author_id, client_id) WHERE client_id IS NOT NULL;

  CREATE TABLE IF NOT EXISTS users (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    last_seen TEXT
  ) STRICT;
`;

interface MessageRow {
  id: string;
  room: string;
  seq: number;
  author_id: string;
  author_name: string;
  text: string;
  client_id: string | null;
  created_at: string;
}

interface RoomRow {
  name: string;
  epoch: string;
  head: number;
}

interface UserRow {
  id: string;
  name: string;
  last_seen: string | null;
}

const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  room: row.room,
  seq: row.seq,
  text: row.text,
  author: { id: row.author_id, name: row.author_name },
  createdAt: row.created_at,
  ...(row.client_id === null ? {} : { clientId: row.client_id }),
});

const toRoomState = (row: RoomRow): RoomState => ({
  room: row.name,
  epoch: row.epoch,
  head: row.head,
});

// Larger than any seq a room will reach; stands for "no upper bound" in range queries.
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The embedded store: one SQLite file in WAL mode. Writes run in `BEGIN IMMEDIATE` transactions,
 * so allocating a `seq` and inserting the message happen under one write lock, even when several
 * processes share the file.
 */
export class SqliteChatStore implements ChatStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly appendTransaction;
  private readonly ensureRoomTransaction;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL makes every commit reach the disk before we acknowledge it; NORMAL could lose the
    // last commits on power loss, which would break "acknowledged means stored".
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);

    const db = this.db;
    this.statements = {
      getRoom: db.prepare<[string], RoomRow>('SELECT name, epoch, head FROM rooms WHERE name = ?'),
      insertRoom: db.prepare<[string, string, string]>(
        'INSERT INTO rooms (name, epoch, head, created_at) VALUES (?, ?, 0, ?)',
      ),
      bumpHead: db.prepare<[number, string]>('UPDATE rooms SET head = ? WHERE name = ?'),
      findByClientId: db.prepare<[string, string, string], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND author_id = ? AND client_id = ?',
      ),
      insertMessage: db.prepare<
        [string, string, number, string, string, string, string | null, string]
      >(
        `INSERT INTO messages (id, room, seq, author_id, author_name, text, client_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      pageAfter: db.prepare<[string, number, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?',
      ),
      pageBefore: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      ),
      upsertUser: db.prepare<[string, string, string]>(
        `INSERT INTO users (id, name, last_seen) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`,
      ),
      ping: db.prepare('SELECT 1'),
    };

    this.ensureRoomTransaction = db.transaction((room: string): RoomState => {
      const existing = this.statements.getRoom.get(room);
      if (existing) return toRoomState(existing);
      const epoch = newEpoch();
      this.statements.insertRoom.run(room, epoch, new Date().toISOString());
      return { room, epoch, head: 0 };
    });

    this.appendTransaction = db.transaction((input: AppendMessageInput): AppendResult => {
      if (input.clientId !== undefined) {
        const original = this.statements.findByClientId.get(
          input.room,
          input.author.id,
          input.clientId,
        );
        if (original) return { message: toMessage(original), created: false };
      }
      const room = this.ensureRoomTransaction(input.room);
      const message: Message = {
        id: newMessageId(),
        room: input.room,
        seq: room.head + 1,
        text: input.text,
        author: { id: input.author.id, name: input.author.name },
        createdAt: new Date().toISOString(),
        ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
      };
      this.statements.insertMessage.run(
        message.id,
        message.room,
        message.seq,
        message.author.id,
        message.author.name,
        message.text,
        input.clientId ?? null,
        message.createdAt,
      );
      this.statements.bumpHead.run(message.seq, message.room);
      return { message, created: true };
    });
  }

  async ensureRoom(room: string): Promise<RoomState> {
    return this.ensureRoomTransaction.immediate(room);
  }

  async getRoom(room: string): Promise<RoomState | null> {
    const row = this.statements.getRoom.get(room);
    return row ? toRoomState(row) : null;
  }

  async appendMessage(input: AppendMessageInput): Promise<AppendResult> {
    return this.appendTransaction.immediate(input);
  }

  async listMessages({ room, limit, before, after }: HistoryRange): Promise<HistoryPage> {
    // One row past the page tells whether there is more, without a second query.
    if (after !== undefined) {
      const rows = this.statements.pageAfter.all(room, after, before ?? NO_BOUND, limit + 1);
      return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit };
    }
    const rows = this.statements.pageBefore.all(room, before ?? NO_BOUND, limit + 1);
    return {
      messages: rows.slice(0, limit).reverse().map(toMessage),
      hasMore: rows.length > limit,
    };
  }

  async saveUser(user: User, lastSeen: Date): Promise<void> {
    this.statements.upsertUser.run(user.id, user.name, lastSeen.toISOString());
  }

  async getUsers(ids: readonly string[]): Promise<StoredUser[]> {
    if (ids.length === 0) return [];
    const placeholders = ids.map(() => '?').join(', ');
    const rows = this.db
      .prepare<string[], UserRow>(
        `SELECT id, name, last_seen FROM users WHERE id IN (${placeholders})`,
      )
      .all(...ids);
    return rows.map((row) => ({ id: row.id, name: row.name, lastSeen: row.last_seen }));
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export const openSqliteStore = (dataDir: string): SqliteChatStore =>
  new SqliteChatStore(path.join(dataDir, 'chatter.db'));
