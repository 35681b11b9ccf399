import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatStore } from '../../src/store/chat-store.js';
import { openSqliteStore, SqliteChatStore } from '../../src/store/sqlite-store.js';
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
