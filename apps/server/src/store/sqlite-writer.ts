import type { Message, ReadState } from '@chatter/protocol';
import type Database from 'better-sqlite3';
import { newMessageId } from '../utils/ids.js';
import {
  type AppendMessageInput,
  type AppendResult,
  type ChangeResult,
  type DeleteMessageInput,
  type EditMessageInput,
  MessageNotFoundError,
  type ReactionInput,
  TooManyReactionsError,
  TooManyRoomsError,
} from './chat-store.js';
import { LogWrites } from './sqlite-log-writes.js';
import { MemberWrites } from './sqlite-member-writes.js';
import { MessageReads } from './sqlite-message-reads.js';
import { RoomHeadCache, type RoomHeads, type WriterRoom } from './sqlite-room-heads.js';
import type { MessageRow, StoreLimits } from './sqlite-schema.js';
import { UnreadCounter } from './sqlite-unread.js';

export interface SeenUser {
  id: string;
  name: string;
  /** ISO time. */
  lastSeen: string;
}

/** One write, as the main thread sends it to the writer thread. */
export type WriteRequest =
  | { op: 'append'; input: AppendMessageInput }
  | { op: 'edit'; input: EditMessageInput }
  | { op: 'delete'; input: DeleteMessageInput }
  | { op: 'react'; input: ReactionInput }
  | { op: 'addMember'; userId: string; room: string }
  | { op: 'removeMember'; userId: string; room: string }
  | { op: 'markRead'; userId: string; room: string; seq: number }
  | { op: 'saveUsers'; users: SeenUser[] }
  /** Writes the schema version back as it is: the smallest synced write, to see if writes work. */
  | { op: 'probe' };

/** What a write answers: `append` an `AppendResult`, changes a `ChangeResult`, `markRead` a `ReadState`. */
export type WriteValue = AppendResult | ChangeResult | ReadState | null;

/**
 * A write the store refused for a reason of its own. Error classes do not survive the trip
 * between threads, so the main thread rebuilds them from this (see `SqliteWriterClient`).
 */
export type WriteRefusal =
  | { kind: 'messageNotFound'; messageId: string; reason: 'missing' | 'deleted' }
  | { kind: 'tooManyReactions' }
  | { kind: 'tooManyRooms' };

export interface WriteFailure {
  /** The store could not write at all (locked, full, broken): worth retrying later. */
  unavailable: boolean;
  message: string;
  sqliteCode: string | undefined;
  /** Set when the write was refused by a rule of the store rather than failed. */
  refusal?: WriteRefusal;
}

export type WriteOutcome = { ok: true; value: WriteValue } | { ok: false; error: WriteFailure };

// Errors that say nothing about the one write that met them, but about the database: the whole
// batch fails with them and the transaction is rolled back.
const DATABASE_FAULT =
  /^SQLITE_(BUSY|LOCKED|FULL|IOERR|CORRUPT|NOTADB|CANTOPEN|READONLY|PROTOCOL|NOMEM)/;

const sqliteCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

export const isDatabaseFault = (error: unknown): boolean =>
  DATABASE_FAULT.test(sqliteCode(error) ?? '');

const refusalOf = (error: unknown): WriteRefusal | undefined => {
  if (error instanceof MessageNotFoundError) {
    return { kind: 'messageNotFound', messageId: error.messageId, reason: error.reason };
  }
  if (error instanceof TooManyReactionsError) return { kind: 'tooManyReactions' };
  if (error instanceof TooManyRoomsError) return { kind: 'tooManyRooms' };
  return undefined;
};

const failure = (error: unknown): WriteOutcome => {
  const refusal = refusalOf(error);
  return {
    ok: false,
    error: {
      unavailable: isDatabaseFault(error),
      message: error instanceof Error ? error.message : String(error),
      sqliteCode: sqliteCode(error),
      ...(refusal ? { refusal } : {}),
    },
  };
};

/**
 * Group commit: a batch of writes in one `BEGIN IMMEDIATE … COMMIT`, so one disk sync serves them
 * all. Each write runs in a savepoint of its own, so one that fails (a constraint, a refusal)
 * fails alone and its batch-mates still commit; a fault of the database itself (locked, full,
 * I/O) fails the whole batch, and nothing of it is stored. Runs on the writer thread,
 * synchronously. Room heads are cached between batches (see `RoomHeadCache`).
 */
export class SqliteWriter {
  readonly #db: Database.Database;
  readonly #statements;
  readonly #heads: RoomHeadCache;
  readonly #reads: MessageReads;
  readonly #log: LogWrites;
  readonly #members: MemberWrites;

  constructor(db: Database.Database, limits: StoreLimits) {
    this.#db = db;
    this.#heads = new RoomHeadCache(db);
    this.#reads = new MessageReads(db, limits);
    this.#log = new LogWrites(db, this.#reads, limits);
    this.#members = new MemberWrites(db, new UnreadCounter(db), limits);
    this.#statements = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT write'),
      release: db.prepare('RELEASE write'),
      rollbackTo: db.prepare('ROLLBACK TO write'),
      // DO NOTHING on a repeated (room, author, clientId): the common case, a new message, then
      // costs no look-up; only a retry reads its original back.
      insertMessage: db.prepare<
        [
          string,
          string,
          number,
          string,
          string,
          string,
          string | null,
          string,
          string | null,
          number,
        ]
      >(
        `INSERT INTO messages
           (id, room, seq, author_id, author_name, text, client_id, created_at, reply_to, ordinal)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      findByClientId: db.prepare<[string, string, string], MessageRow>(
        'SELECT * FROM messages WHERE room = ? AND author_id = ? AND client_id = ?',
      ),
      upsertUser: db.prepare<[string, string, string]>(
        `INSERT INTO users (id, name, last_seen) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen`,
      ),
    };
  }

  /** Applies `batch` in one transaction; one outcome per request, in order. */
  commit(batch: readonly WriteRequest[]): WriteOutcome[] {
    // Presence times alone need no sync of their own: the next synced commit carries them.
    const durable = batch.some((request) => request.op !== 'saveUsers');
    if (!durable) this.#db.pragma('synchronous = NORMAL');
    try {
      this.#statements.begin.run();
    } catch (error) {
      if (!durable) this.#db.pragma('synchronous = FULL');
      return batch.map(() => failure(error));
    }
    // Heads this batch moved, kept apart until the commit holds them.
    const moved = new Map<string, WriterRoom>();
    try {
      this.#heads.startBatch();
      const outcomes = batch.map((request) => this.#applyAlone(request, moved));
      this.#heads.store(moved);
      this.#statements.commit.run();
      this.#heads.remember(moved);
      return outcomes;
    } catch (error) {
      if (this.#db.inTransaction) this.#statements.rollback.run();
      this.#heads.clear();
      return batch.map(() => failure(error));
    } finally {
      if (!durable) this.#db.pragma('synchronous = FULL');
    }
  }

  #applyAlone(request: WriteRequest, moved: Map<string, WriterRoom>): WriteOutcome {
    // Rooms this write creates or moves count only if the write succeeds.
    const own = new Map<string, WriterRoom>();
    this.#statements.savepoint.run();
    try {
      const value = this.#apply(request, this.#heads.forWrite(moved, own));
      this.#statements.release.run();
      for (const [name, state] of own) moved.set(name, state);
      return { ok: true, value };
    } catch (error) {
      if (isDatabaseFault(error)) throw error;
      this.#statements.rollbackTo.run();
      this.#statements.release.run();
      return failure(error);
    }
  }

  #apply(request: WriteRequest, heads: RoomHeads): WriteValue {
    switch (request.op) {
      case 'append':
        return this.#append(request.input, heads);
      case 'edit':
        return this.#log.edit(request.input, heads);
      case 'delete':
        return this.#log.delete(request.input, heads);
      case 'react':
        return this.#log.react(request.input, heads);
      case 'addMember':
        this.#members.add(request.userId, request.room, heads);
        return null;
      case 'removeMember':
        this.#members.remove(request.userId, request.room);
        return null;
      case 'markRead':
        return this.#members.markRead(request.userId, request.room, request.seq, heads);
      case 'probe': {
        const version = this.#db.pragma('user_version', { simple: true }) as number;
        this.#db.pragma(`user_version = ${version}`);
        return null;
      }
      case 'saveUsers':
        for (const user of request.users) {
          this.#statements.upsertUser.run(user.id, user.name, user.lastSeen);
        }
        return null;
    }
  }

  #append(input: AppendMessageInput, heads: RoomHeads): AppendResult {
    const message: Message = {
      id: newMessageId(),
      room: input.room,
      seq: 0,
      text: input.text,
      author: { id: input.author.id, name: input.author.name },
      createdAt: new Date().toISOString(),
      ...(input.clientId === undefined ? {} : { clientId: input.clientId }),
    };
    for (let attempt = 1; ; attempt++) {
      const room = heads.open(input.room);
      message.seq = room.head + 1;
      const { changes } = this.#statements.insertMessage.run(
        message.id,
        message.room,
        message.seq,
        message.author.id,
        message.author.name,
        message.text,
        input.clientId ?? null,
        message.createdAt,
        input.replyTo ?? null,
        room.messageCount + 1,
      );
      if (changes === 1) {
        heads.move({ ...room, head: message.seq, messageCount: room.messageCount + 1 });
        if (input.replyTo !== undefined) message.replyTo = this.#parent(input.room, input.replyTo);
        return { message, created: true };
      }
      const original =
        input.clientId === undefined
          ? undefined
          : this.#statements.findByClientId.get(input.room, input.author.id, input.clientId);
      if (original) return { message: this.#reads.one(original), created: false };
      // Not a retry, so the seq was taken: the cached head was stale. Read it again, once.
      if (attempt === 2) throw new Error(`seq ${message.seq} of room "${input.room}" is taken`);
      heads.reload(input.room);
    }
  }

  /**
   * What a new reply shows of its parent, checked in the write that stores the reply: a message
   * of the same room, not deleted. Checked after the insert, so a retry answers with its original
   * even if the parent was deleted since; the savepoint takes the insert back otherwise.
   */
  #parent(room: string, id: string): NonNullable<Message['replyTo']> {
    const row = this.#reads.row(id);
    if (!row || row.room !== room) throw new MessageNotFoundError(id, 'missing');
    if (row.deleted_at !== null) throw new MessageNotFoundError(id, 'deleted');
    const reply = this.#reads.replyTos([id]).get(id);
    if (!reply) throw new MessageNotFoundError(id, 'missing');
    return reply;
  }
}
