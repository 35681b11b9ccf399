import type { Message, Reaction, ReplyTo } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import { type MessageRow, type StoreLimits, toMessage } from './sqlite-schema.js';

interface ReactionRow {
  message_id: string;
  emoji: string;
  user_id: string;
  count: number;
}

interface ParentRow {
  id: string;
  seq: number;
  author_id: string;
  author_name: string;
  excerpt: string;
  deleted_at: string | null;
}

// A list of ids as one bound parameter: `IN (SELECT value FROM json_each(?))` is an IN list the
// planner probes the index with, one statement for any number of ids.
const IDS = 'SELECT value FROM json_each(?)';

/**
 * Messages in their latest state, on either thread's connection: a row, its reactions and the
 * excerpt of the message it answers. A page is built with one query for its rows, one for all
 * their reactions and one for all their parents, never one per message.
 */
export class MessageReads {
  readonly #limits: StoreLimits;
  readonly #statements;

  constructor(db: Database.Database, limits: StoreLimits) {
    this.#limits = limits;
    this.#statements = {
      byId: db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?'),
      byIds: db.prepare<[string], MessageRow>(`SELECT * FROM messages WHERE id IN (${IDS})`),
      // Per message and emoji, the earliest reactors (rowids grow with each insert) and the exact
      // count; emoji in the order they were first used (see `reactions.emoji_order`).
      reactions: db.prepare<[string, number], ReactionRow>(`
        SELECT message_id, emoji, user_id, count FROM (
          SELECT message_id, emoji, user_id, emoji_order,
                 row_number() OVER byEmoji AS rank,
                 count(*) OVER byEmoji AS count
          FROM reactions
          WHERE message_id IN (${IDS})
          WINDOW byEmoji AS (
            PARTITION BY message_id, emoji ORDER BY rowid
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
          )
        )
        WHERE rank <= ?
        ORDER BY message_id, emoji_order, rank
      `),
      // SQLite's substr counts characters, so the excerpt never splits a surrogate pair.
      parents: db.prepare<[number, string], ParentRow>(`
        SELECT id, seq, author_id, author_name, substr(text, 1, ?) AS excerpt, deleted_at
        FROM messages WHERE id IN (${IDS})
      `),
    };
  }

  row(id: string): MessageRow | undefined {
    return this.#statements.byId.get(id);
  }

  /** The rows of `ids` that exist, in no particular order. */
  rows(ids: readonly string[]): MessageRow[] {
    return ids.length === 0 ? [] : this.#statements.byIds.all(JSON.stringify(ids));
  }

  get(id: string): Message | null {
    const row = this.row(id);
    return row ? this.one(row) : null;
  }

  one(row: MessageRow): Message {
    return this.hydrate([row])[0] as Message;
  }

  /** The messages of `rows`, in the same order, with their reactions and reply excerpts. */
  hydrate(rows: readonly MessageRow[]): Message[] {
    // A deleted message has no reactions: its rows went with the deletion.
    const reacted = rows.filter((row) => row.deleted_at === null).map((row) => row.id);
    const reactions = this.#reactionsOf(reacted);
    const parents = this.replyTos(
      rows.flatMap((row) => (row.reply_to === null ? [] : [row.reply_to])),
    );
    return rows.map((row) => {
      const message = toMessage(row);
      const ofMessage = reactions.get(row.id);
      if (ofMessage) message.reactions = ofMessage;
      const parent = row.reply_to === null ? undefined : parents.get(row.reply_to);
      if (parent) message.replyTo = parent;
      return message;
    });
  }

  /** What a reply shows of each parent in `ids`, as the parent is now. */
  replyTos(ids: readonly string[]): Map<string, ReplyTo> {
    const replies = new Map<string, ReplyTo>();
    if (ids.length === 0) return replies;
    const unique = [...new Set(ids)];
    for (const row of this.#statements.parents.all(
      this.#limits.replyExcerptMaxLength,
      JSON.stringify(unique),
    )) {
      replies.set(row.id, {
        id: row.id,
        seq: row.seq,
        author: { id: row.author_id, name: row.author_name },
        excerpt: row.deleted_at === null ? row.excerpt : '',
        ...(row.deleted_at === null ? {} : { deleted: true as const }),
      });
    }
    return replies;
  }

  #reactionsOf(ids: readonly string[]): Map<string, Reaction[]> {
    const byMessage = new Map<string, Reaction[]>();
    if (ids.length === 0) return byMessage;
    const rows = this.#statements.reactions.all(
      JSON.stringify(ids),
      this.#limits.reactionUsersListed,
    );
    for (const row of rows) {
      let list = byMessage.get(row.message_id);
      if (!list) {
        list = [];
        byMessage.set(row.message_id, list);
      }
      const last = list.at(-1);
      if (last?.emoji === row.emoji) last.users.push(row.user_id);
      else list.push({ emoji: row.emoji, count: row.count, users: [row.user_id] });
    }
    return byMessage;
  }
}
