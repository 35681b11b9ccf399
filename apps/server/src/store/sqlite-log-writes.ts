import type { MessageChange, MessageChangeType } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import {
  type ChangeResult,
  type DeleteMessageInput,
  type EditMessageInput,
  MessageNotFoundError,
  type ReactionInput,
  TooManyReactionsError,
} from './chat-store.js';
import type { MessageReads } from './sqlite-message-reads.js';
import type { RoomHeads } from './sqlite-room-heads.js';
import { type ChangeRow, type MessageRow, type StoreLimits, toChange } from './sqlite-schema.js';

interface Entry {
  room: string;
  type: MessageChangeType;
  messageId: string;
  actorId: string;
  emoji?: string | undefined;
  clientId?: string | undefined;
}

/**
 * Edits, deletions and reactions, on the writer thread: each that changes something appends one
 * entry to the room's log with the next seq, in the write that changes the message; one that
 * changes nothing appends nothing and answers `change: null`.
 */
export class LogWrites {
  readonly #reads: MessageReads;
  readonly #limits: StoreLimits;
  readonly #statements;

  constructor(db: Database.Database, reads: MessageReads, limits: StoreLimits) {
    this.#reads = reads;
    this.#limits = limits;
    this.#statements = {
      // DO NOTHING on a taken seq: the cached head was stale (see `#appendEntry`).
      insertChange: db.prepare<
        [string, number, string, string, string, string | null, string | null, string]
      >(
        `INSERT INTO changes (room, seq, type, message_id, actor_id, emoji, client_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      findEdit: db.prepare<[string, string, string], ChangeRow>(
        'SELECT * FROM changes WHERE room = ? AND actor_id = ? AND client_id = ?',
      ),
      setText: db.prepare<[string, string, string]>(
        'UPDATE messages SET text = ?, edited_at = ? WHERE id = ?',
      ),
      tombstone: db.prepare<[string, string]>(
        `UPDATE messages SET text = '', deleted_at = ? WHERE id = ?`,
      ),
      dropReactions: db.prepare<[string]>('DELETE FROM reactions WHERE message_id = ?'),
      hasReaction: db
        .prepare<[string, string, string], number>(
          'SELECT 1 FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?',
        )
        .pluck(),
      emojiOrder: db
        .prepare<[string, string], number>(
          'SELECT emoji_order FROM reactions WHERE message_id = ? AND emoji = ? LIMIT 1',
        )
        .pluck(),
      // The message's emoji: how many, and the place after the last.
      emojiStats: db.prepare<[string], { count: number; last: number | null }>(
        `SELECT count(DISTINCT emoji) AS count, max(emoji_order) AS last
         FROM reactions WHERE message_id = ?`,
      ),
      addReaction: db.prepare<[string, string, string, string, number]>(
        `INSERT INTO reactions (message_id, emoji, user_id, created_at, emoji_order)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      removeReaction: db.prepare<[string, string, string]>(
        'DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?',
      ),
    };
  }

  edit(input: EditMessageInput, heads: RoomHeads): ChangeResult {
    const s = this.#statements;
    if (input.clientId !== undefined) {
      // A retry answers with its original entry, whatever became of the message since.
      const original = s.findEdit.get(input.room, input.actor.id, input.clientId);
      if (original) {
        const message = this.#reads.get(original.message_id);
        if (!message) throw new MessageNotFoundError(original.message_id, 'missing');
        return { message, change: toChange(original, message) };
      }
    }
    const row = this.#target(input.room, input.messageId, 'live');
    if (row.text === input.text) return { message: this.#reads.one(row), change: null };
    const at = new Date().toISOString();
    s.setText.run(input.text, at, row.id);
    return this.#appendEntry(heads, at, {
      room: input.room,
      type: 'edited',
      messageId: row.id,
      actorId: input.actor.id,
      clientId: input.clientId,
    });
  }

  delete(input: DeleteMessageInput, heads: RoomHeads): ChangeResult {
    const row = this.#target(input.room, input.messageId, 'any');
    if (row.deleted_at !== null) return { message: this.#reads.one(row), change: null };
    const at = new Date().toISOString();
    this.#statements.tombstone.run(at, row.id);
    this.#statements.dropReactions.run(row.id);
    return this.#appendEntry(heads, at, {
      room: input.room,
      type: 'deleted',
      messageId: row.id,
      actorId: input.actor.id,
    });
  }

  react(input: ReactionInput, heads: RoomHeads): ChangeResult {
    const s = this.#statements;
    const row = this.#target(input.room, input.messageId, 'live');
    const { emoji } = input;
    const userId = input.actor.id;
    const present = s.hasReaction.get(row.id, emoji, userId) !== undefined;
    if (present === input.on) return { message: this.#reads.one(row), change: null };
    const at = new Date().toISOString();
    if (input.on) s.addReaction.run(row.id, emoji, userId, at, this.#emojiOrder(row.id, emoji));
    else s.removeReaction.run(row.id, emoji, userId);
    return this.#appendEntry(heads, at, {
      room: input.room,
      type: input.on ? 'reaction_added' : 'reaction_removed',
      messageId: row.id,
      actorId: userId,
      emoji,
    });
  }

  /** Where `emoji` stands among the message's emoji; a new one goes last, within the cap. */
  #emojiOrder(messageId: string, emoji: string): number {
    const s = this.#statements;
    const order = s.emojiOrder.get(messageId, emoji);
    if (order !== undefined) return order;
    const { count, last } = s.emojiStats.get(messageId) as { count: number; last: number | null };
    const max = this.#limits.reactionsPerMessageMax;
    if (count >= max) {
      throw new TooManyReactionsError(
        `message ${messageId} has ${max} different reactions already`,
      );
    }
    return (last ?? 0) + 1;
  }

  /** The message `id` of `room`; with `live`, refused when deleted as well. */
  #target(room: string, id: string, state: 'live' | 'any'): MessageRow {
    const row = this.#reads.row(id);
    if (!row || row.room !== room) throw new MessageNotFoundError(id, 'missing');
    if (state === 'live' && row.deleted_at !== null) throw new MessageNotFoundError(id, 'deleted');
    return row;
  }

  /** Appends the entry with the room's next seq and answers with the message as it is now. */
  #appendEntry(heads: RoomHeads, at: string, entry: Entry): ChangeResult {
    for (let attempt = 1; ; attempt++) {
      const room = heads.open(entry.room);
      const seq = room.head + 1;
      const { changes } = this.#statements.insertChange.run(
        entry.room,
        seq,
        entry.type,
        entry.messageId,
        entry.actorId,
        entry.emoji ?? null,
        entry.clientId ?? null,
        at,
      );
      if (changes === 1) {
        heads.move({ ...room, head: seq });
        const message = this.#reads.get(entry.messageId);
        if (!message) throw new MessageNotFoundError(entry.messageId, 'missing');
        const change: MessageChange = {
          room: entry.room,
          seq,
          type: entry.type,
          message,
          by: entry.actorId,
          at,
          ...(entry.emoji === undefined ? {} : { emoji: entry.emoji }),
          ...(entry.clientId === undefined ? {} : { clientId: entry.clientId }),
        };
        return { message, change };
      }
      // The seq was taken: the cached head was stale. Read it again, once.
      if (attempt === 2) throw new Error(`seq ${seq} of room "${entry.room}" is taken`);
      heads.reload(entry.room);
    }
  }
}
