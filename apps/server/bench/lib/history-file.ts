/**
 * Builds a SQLite file in Chatter's schema holding one room of N messages, directly with
 * better-sqlite3 in big transactions. The schema comes from Chatter itself (opening and closing
 * its store creates the tables), so new columns are picked up; a new NOT NULL column without a
 * default that this file does not know stops the bench with a message naming it.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

const KNOWN = new Set([
  'id',
  'room',
  'seq',
  'author_id',
  'author_name',
  'text',
  'client_id',
  'created_at',
]);
const AUTHORS = 50;
const BATCH = 50_000;

/** Text of 30–130 characters, varied but deterministic. */
const textOf = (seq: number) =>
  `message ${seq}: ${'lorem ipsum dolor sit amet '.repeat(1 + (seq % 4)).slice(0, 20 + ((seq * 7919) % 100))}`;

/** A UUIDv7-shaped id that sorts with seq, as Chatter's time-ordered ids do. */
const idOf = (seq: number, baseMs: number) => {
  const hex = (baseMs + seq).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-${seq.toString(16).padStart(12, '0')}`;
};

/** Writes `count` messages into `room` of `<dataDir>/chatter.db`; returns the file's path. */
export const buildHistoryFile = async (
  dataDir: string,
  room: string,
  count: number,
): Promise<string> => {
  const store = openSqliteStore(dataDir);
  await store.close();
  const file = path.join(dataDir, 'chatter.db');
  const db = new Database(file);
  try {
    const columns = db.prepare('PRAGMA table_info(messages)').all() as Array<{
      name: string;
      notnull: number;
      dflt_value: unknown;
      pk: number;
    }>;
    const unknown = columns.filter(
      (c) => !KNOWN.has(c.name) && c.notnull === 1 && c.dflt_value === null,
    );
    if (unknown.length > 0) {
      throw new Error(
        `messages has new required columns the bench cannot fill: ${unknown.map((c) => c.name).join(', ')}`,
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const baseMs = Date.now() - count * 1000;
    db.prepare('INSERT INTO rooms (name, epoch, head, created_at) VALUES (?, ?, ?, ?)').run(
      room,
      randomUUID(),
      count,
      new Date(baseMs).toISOString(),
    );
    const insert = db.prepare(
      `INSERT INTO messages (id, room, seq, author_id, author_name, text, client_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const batch = db.transaction((from: number, to: number) => {
      for (let seq = from; seq <= to; seq++) {
        const author = `author-${seq % AUTHORS}`;
        const createdAt = new Date(baseMs + seq * 1000).toISOString();
        insert.run(
          idOf(seq, baseMs),
          room,
          seq,
          author,
          author,
          textOf(seq),
          `c-${seq}`,
          createdAt,
        );
      }
    });
    for (let from = 1; from <= count; from += BATCH) batch(from, Math.min(count, from + BATCH - 1));
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return file;
};
