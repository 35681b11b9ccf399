import type { Message } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import type { RoomState } from './chat-store.js';

/** The tables, as the reader and the writer thread both open them. */
export const SCHEMA = `
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

export interface MessageRow {
  id: string;
  room: string;
  seq: number;
  author_id: string;
  author_name: string;
  text: string;
  client_id: string | null;
  created_at: string;
}

export interface RoomRow {
  name: string;
  epoch: string;
  head: number;
}

export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  room: row.room,
  seq: row.seq,
  text: row.text,
  author: { id: row.author_id, name: row.author_name },
  createdAt: row.created_at,
  ...(row.client_id === null ? {} : { clientId: row.client_id }),
});

export const toRoomState = (row: RoomRow): RoomState => ({
  room: row.name,
  epoch: row.epoch,
  head: row.head,
});

/**
 * WAL, so readers never wait for the writer; `synchronous = FULL`, so a commit is on the disk
 * before anything is acknowledged (NORMAL could lose the last commits on power loss).
 */
export const configureConnection = (db: Database.Database, busyTimeoutMs: number): void => {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
};
