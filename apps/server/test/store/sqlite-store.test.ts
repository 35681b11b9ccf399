import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatStore } from '../../src/store/chat-store.js';
import { openSqliteStore, SqliteChatStore } from '../../src/store/sqlite-store.js';
import { UNREAD_QUERIES } from '../../src/store/sqlite-unread.js';
import { type ChatStoreFixture, describeChatStoreContract } from './chat-store-contract.js';
import { expectConcurrentAppendsStored, runConcurrentWriters } from './writer-process.js';

const newTempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-store-'));

const openSqliteFixture = async (): Promise<ChatStoreFixture> => {
  const dir = newTempDir();
  const stores: ChatStore[] = [openSqliteStore(dir)];
  const [store] = stores as [SqliteChatStore];
  return {
    store,
    reopen: async () => {
      const reopened = new SqliteChatStore(store.file);
      stores.push(reopened);
      return reopened;
    },
    cleanup: async () => {
      // Closing again is harmless and releases the file if a test failed before closing it.
      for (const each of stores) await each.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeChatStoreContract('sqlite', openSqliteFixture);

describe('SqliteChatStore', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const openFixture = async () => {
    const fixture = await openSqliteFixture();
    cleanups.push(fixture.cleanup);
    return fixture.store as SqliteChatStore;
  };

  /** A second, read-only connection, as another process would see the file. */
  const inspect = (file: string): Database.Database => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    cleanups.push(async () => void db.close());
    return db;
  };

  it('keeps its file in WAL mode', async () => {
    const store = await openFixture();
    await store.appendMessage({ room: 'general', author: { id: 'u', name: 'U' }, text: 'x' });
    expect(inspect(store.file).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('has unique indexes on (room, seq) and (room, author_id, client_id)', async () => {
    const store = await openFixture();
    const db = inspect(store.file);
    const indexes = db.pragma('index_list(messages)') as Array<{ name: string; unique: number }>;
    const uniqueColumns = indexes
      .filter((index) => index.unique === 1)
      .map((index) =>
        (db.pragma(`index_info(${JSON.stringify(index.name)})`) as Array<{ name: string }>)
          .map((column) => column.name)
          .join(','),
      );
    expect(uniqueColumns).toEqual(expect.arrayContaining(['room,seq', 'room,author_id,client_id']));
  });

  it('a deleted message leaves neither its text nor its reactions in the file', async () => {
    const store = await openFixture();
    const ada = { id: 'user-ada', name: 'Ada' };
    const { message } = await store.appendMessage({ room: 'general', author: ada, text: 'secret' });
    const target = { room: 'general', messageId: message.id };
    for (const emoji of ['👍', '🎉'])
      await store.setReaction({ ...target, actor: ada, emoji, on: true });
    await store.deleteMessage({ ...target, actor: ada });
    const db = inspect(store.file);
    expect(db.prepare('SELECT text, deleted_at FROM messages').all()).toEqual([
      { text: '', deleted_at: expect.any(String) },
    ]);
    expect(db.prepare('SELECT count(*) FROM reactions').pluck().get()).toBe(0);
  });

  it('counts unread messages from covering indexes, never from the rows after the position', async () => {
    const store = await openFixture();
    const db = inspect(store.file);
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
        .map((row) => row.detail)
        .join('; ');
    const probe = plan(UNREAD_QUERIES.ordinalAt, 'general', 1);
    expect(probe).toMatch(
      /^SEARCH messages USING INDEX sqlite_autoindex_messages_\d \(room=\? AND seq<\?\)$/,
    );
    const { deletedAfter, ownAfter, ownDeletedAfter } = UNREAD_QUERIES;
    for (const [sql, params] of [
      [deletedAfter, ['general', 1]],
      [ownAfter, ['general', 'user', 1]],
      [ownDeletedAfter, ['general', 1, 'user']],
    ] as const) {
      expect(plan(sql, ...params)).toMatch(
        /^SEARCH messages USING COVERING INDEX messages_(deleted|by_author) \(room=\? AND (author_id=\? AND )?seq>\?\)$/,
      );
    }
  });

  it('keeps seq gap-free when several processes append to one file', async () => {
    const dir = newTempDir();
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'chatter.db');
    const writers = { room: 'shared', writers: ['w1', 'w2', 'w3'], perWriter: 50 };
    const reported = await runConcurrentWriters({
      backend: 'sqlite',
      target: file,
      ...writers,
      onCleanup: (cleanup) => cleanups.push(cleanup),
    });
    const store = new SqliteChatStore(file);
    cleanups.push(() => store.close());
    await expectConcurrentAppendsStored(store, writers, reported);
  }, 60_000);
});
