import type { Limits, Message, MessageChange, MessageChangeType } from '@chatter/protocol';
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
  edited_at: string | null;
  /** Set once deleted; the text is '' from then on. */
  deleted_at: string | null;
  /** The id of the message this one answers. */
  reply_to: string | null;
  /** How many messages the room held once this one was stored, itself included (see sqlite-unread.ts). */
  ordinal: number | null;
}

/** One entry of a room's log after a message's creation (`changes`). */
export interface ChangeRow {
  room: string;
  seq: number;
  type: MessageChangeType;
  message_id: string;
  actor_id: string;
  emoji: string | null;
  client_id: string | null;
  created_at: string;
}

/**
 * The limits the store enforces, from `LIMITS`. Handed in rather than imported where they are
 * used: the writer thread would otherwise load the whole protocol package and zod to read four
 * numbers, and start that much slower.
 */
export type StoreLimits = Pick<
  Limits,
  'reactionsPerMessageMax' | 'reactionUsersListed' | 'replyExcerptMaxLength' | 'roomsPerUserMax'
>;

/** The epoch a room takes at its first message, and reports until then (`meta.default_epoch`). */
export const DEFAULT_EPOCH_QUERY = `SELECT value FROM meta WHERE key = 'default_epoch'`;

export interface RoomRow {
  name: string;
  epoch: string;
  head: number;
}

/**
 * The message as its own row tells it: everything but its reactions and the excerpt of the
 * message it answers, which other rows hold (see `MessageReads.hydrate`).
 */
export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  room: row.room,
  seq: row.seq,
  text: row.text,
  author: { id: row.author_id, name: row.author_name },
  createdAt: row.created_at,
  ...(row.client_id === null ? {} : { clientId: row.client_id }),
  ...(row.edited_at === null ? {} : { editedAt: row.edited_at }),
  ...(row.deleted_at === null ? {} : { deletedAt: row.deleted_at }),
});

export const toChange = (row: ChangeRow, message: Message): MessageChange => ({
  room: row.room,
  seq: row.seq,
  type: row.type,
  message,
  by: row.actor_id,
  at: row.created_at,
  ...(row.emoji === null ? {} : { emoji: row.emoji }),
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
