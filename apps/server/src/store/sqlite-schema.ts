import type { Message } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import type { RoomState } from './chat-store.js';

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

/** The epoch a room takes at its first message, and reports until then (`meta.default_epoch`). */
export const DEFAULT_EPOCH_QUERY = `SELECT value FROM meta WHERE key = 'default_epoch'`;

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
