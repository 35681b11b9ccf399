import type Database from 'better-sqlite3';
import { newEpoch } from '../utils/ids.js';
import { StoreUnavailableError } from './chat-store.js';

/**
 * One step of the schema, from `version - 1` to `version`. Forward only: a database is never
 * taken back, and a step, once released, is never edited (add a new one instead).
 */
interface Migration {
  version: number;
  /** What the step does, for the log line of an upgrade. */
  summary: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    summary: 'rooms, messages and users',
    // `IF NOT EXISTS`: databases made before versions were recorded (user_version 0) hold these
    // tables already, and this step only stamps them as version 1.
    up: (db) =>
      db.exec(`
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
      `),
  },
  {
    version: 2,
    summary: 'rooms are stored from their first message; unwritten rooms share a default epoch',
    up: (db) => {
      db.exec(`
        CREATE TABLE meta (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) STRICT;
      `);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('default_epoch', ?)`).run(newEpoch());
      // Joins used to store a row per room; the ones nobody wrote in were only ever clutter
      // (issue 11: one socket left 50,001 of them). Their clients reset an empty timeline.
      db.exec(`
        DELETE FROM rooms
        WHERE NOT EXISTS (SELECT 1 FROM messages WHERE messages.room = rooms.name)
      `);
    },
  },
  {
    version: 3,
    summary:
      'edits, deletions, reactions and replies in the room log; memberships and read positions',
    up: (db) =>
      // Before this step every seq was a message and seqs ran 1, 2, 3 … without a gap, so a
      // message's ordinal (its rank among the room's messages) is its seq, and a room's message
      // count is its number of rows. Issue 13.
      db.exec(`
        ALTER TABLE messages ADD COLUMN edited_at TEXT;
        ALTER TABLE messages ADD COLUMN deleted_at TEXT;
        ALTER TABLE messages ADD COLUMN reply_to TEXT;
        ALTER TABLE messages ADD COLUMN ordinal INTEGER;
        UPDATE messages SET ordinal = seq;

        ALTER TABLE rooms ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0;
        UPDATE rooms SET message_count =
          (SELECT count(*) FROM messages WHERE messages.room = rooms.name);

        -- Unread counts: a user's own messages after a position, and deleted ones, are index
        -- ranges (see sqlite-unread.ts). The deleted index carries the author, so own deleted
        -- messages are counted on it too, and deleted_at, which the count's WHERE names (SQLite
        -- uses a partial index only for a query that repeats its condition): both counts are
        -- answered from the index alone, without visiting a row.
        CREATE INDEX messages_by_author ON messages (room, author_id, seq);
        CREATE INDEX messages_deleted ON messages (room, seq, author_id, deleted_at)
          WHERE deleted_at IS NOT NULL;

        -- Every entry of a room's log after a message's creation: it takes the room's next seq.
        CREATE TABLE changes (
          room       TEXT NOT NULL REFERENCES rooms(name),
          seq        INTEGER NOT NULL,
          type       TEXT NOT NULL
            CHECK (type IN ('edited', 'deleted', 'reaction_added', 'reaction_removed')),
          message_id TEXT NOT NULL REFERENCES messages(id),
          actor_id   TEXT NOT NULL,
          emoji      TEXT,
          client_id  TEXT,
          created_at TEXT NOT NULL,
          UNIQUE (room, seq)
        ) STRICT;

        -- Only edits carry a clientId: a retried edit finds its original entry.
        CREATE UNIQUE INDEX changes_idempotency
          ON changes (room, actor_id, client_id) WHERE client_id IS NOT NULL;

        -- A rowid table: rowids grow with each insert, so they order an emoji's reactors.
        -- emoji_order places the emoji among the message's: taken when the emoji is first used
        -- and shared by its later reactors, so it keeps its place when its first reactor leaves.
        CREATE TABLE reactions (
          message_id  TEXT NOT NULL REFERENCES messages(id),
          emoji       TEXT NOT NULL,
          user_id     TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          emoji_order INTEGER NOT NULL,
          PRIMARY KEY (message_id, emoji, user_id)
        ) STRICT;

        -- No reference to rooms: a user joins rooms nobody has written in yet.
        CREATE TABLE memberships (
          user_id   TEXT NOT NULL,
          room      TEXT NOT NULL,
          joined_at TEXT NOT NULL,
          read_seq  INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (user_id, room)
        ) STRICT;

        CREATE INDEX memberships_read ON memberships (room, read_seq, user_id);
      `),
  },
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export const schemaVersionOf = (db: Database.Database): number =>
  db.pragma('user_version', { simple: true }) as number;

/**
 * Brings the file up to `SCHEMA_VERSION`, one step per transaction (a step that fails leaves
 * the file at the version before it). `BEGIN IMMEDIATE` and re-reading the version inside it
 * make it safe for several processes opening one file at once: the first upgrades, the others
 * find nothing left to do. A file from newer code is refused, never touched.
 *
 * Returns the versions passed through, so the caller can log an upgrade.
 */
export const migrate = (db: Database.Database, file: string): { from: number; to: number } => {
  const from = schemaVersionOf(db);
  refuseNewer(from, file);
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    db.prepare('BEGIN IMMEDIATE').run();
    try {
      const current = schemaVersionOf(db);
      refuseNewer(current, file);
      if (current < migration.version) {
        if (current !== migration.version - 1) {
          throw new Error(`cannot apply migration ${migration.version} to version ${current}`);
        }
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      }
      db.prepare('COMMIT').run();
    } catch (error) {
      if (db.inTransaction) db.prepare('ROLLBACK').run();
      throw error;
    }
  }
  return { from, to: schemaVersionOf(db) };
};

const refuseNewer = (version: number, file: string): void => {
  if (version > SCHEMA_VERSION) {
    throw new StoreUnavailableError(
      `${file} has schema version ${version}, newer than this Chatter's ${SCHEMA_VERSION}; ` +
        'run the Chatter release that wrote it (or a later one)',
    );
  }
};
