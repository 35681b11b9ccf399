import type { MessageChange } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import type { HistoryPage, HistoryRange } from './chat-store.js';
import type { MessageReads } from './sqlite-message-reads.js';
import { type ChangeRow, type MessageRow, toChange } from './sqlite-schema.js';

// Larger than any seq a room will reach; stands for "no upper bound" in range queries.
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/** Pages of a room's log, read on the main thread's connection, each in one read transaction. */
export class HistoryReads {
  readonly #reads: MessageReads;
  readonly #statements;
  readonly forward: (range: HistoryRange & { after: number }) => HistoryPage;
  readonly backward: (range: HistoryRange) => HistoryPage;

  constructor(db: Database.Database, reads: MessageReads) {
    this.#reads = reads;
    this.#statements = {
      head: db.prepare<[string], number>('SELECT head FROM rooms WHERE name = ?').pluck(),
      messagesIn: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND seq > ? AND seq <= ? ORDER BY seq ASC',
      ),
      changesIn: db.prepare<[string, number, number], ChangeRow>(
        'SELECT * FROM changes WHERE room = ? AND seq > ? AND seq <= ? ORDER BY seq ASC',
      ),
      pageBefore: db.prepare<[string, number, number], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
      ),
    };
    // One snapshot per page: the head, the entries and the messages' states agree.
    this.forward = db.transaction((range) => this.#forward(range));
    this.backward = db.transaction((range) => this.#backward(range));
  }

  /**
   * Every entry in `(after, end]`, `end = min(after + limit, head, before - 1)`. Seqs are
   * gap-free, so the range is known from the head before anything else is read, and `hasMore`
   * is exact: entries lie past `end` exactly when `end` is short of `min(head, before - 1)`.
   */
  #forward({ room, limit, before, after }: HistoryRange & { after: number }): HistoryPage {
    const s = this.#statements;
    const head = s.head.get(room) ?? 0;
    const last = Math.min(head, (before ?? NO_BOUND) - 1);
    const end = Math.min(after + limit, last);
    if (end <= after) return { messages: [], changes: [], hasMore: end < last };
    const messageRows = s.messagesIn.all(room, after, end);
    const changeRows = s.changesIn.all(room, after, end);
    // A change's message may lie before the page: read the ones the page does not hold.
    const inPage = new Set(messageRows.map((row) => row.id));
    const others = [...new Set(changeRows.map((row) => row.message_id))].filter(
      (id) => !inPage.has(id),
    );
    const messages = this.#reads.hydrate([...messageRows, ...this.#reads.rows(others)]);
    const byId = new Map(messages.map((message) => [message.id, message]));
    const changes: MessageChange[] = [];
    for (const row of changeRows) {
      const message = byId.get(row.message_id);
      if (!message) throw new Error(`change ${row.room}/${row.seq} names no stored message`);
      changes.push(toChange(row, message));
    }
    return { messages: messages.slice(0, messageRows.length), changes, hasMore: end < last };
  }

  /** The newest `limit` messages before `before`, in their latest state; one row past tells more. */
  #backward({ room, limit, before }: HistoryRange): HistoryPage {
    const rows = this.#statements.pageBefore.all(room, before ?? NO_BOUND, limit + 1);
    return {
      messages: this.#reads.hydrate(rows.slice(0, limit).reverse()),
      changes: [],
      hasMore: rows.length > limit,
    };
  }
}
