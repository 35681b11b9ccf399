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
