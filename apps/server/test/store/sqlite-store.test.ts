import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatStore } from '../../src/store/chat-store.js';
import { openSqliteStore, SqliteChatStore } from '../../src/store/sqlite-store.js';
import { type ChatStoreFixture, describeChatStoreContract } from './chat-store-contract.js';
import { watch } from './writer-process.js';

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./sqlite-writer.ts', import.meta.url));

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
    await store.ensureRoom('general');
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
    const writers = ['w1', 'w2', 'w3'];
    const perWriter = 50;

    const children = writers.map((writer) =>
      spawn(process.execPath, ['--import', 'tsx', WRITER, file, 'shared', writer, `${perWriter}`], {
        cwd: SERVER_DIR,
      }),
    );
    cleanups.push(async () => {
      for (const child of children) if (child.exitCode === null) child.kill();
    });
    const runs = children.map(watch);
    // Every writer has the file open before any starts appending, so they contend for the lock.
    await Promise.all(runs.map((run) => run.ready));
    for (const child of children) child.stdin.end();
    const outputs = await Promise.all(runs.map((run) => run.done));

    const reported = outputs.map((output) => JSON.parse(output.trim().split('\n').at(-1) ?? ''));
    const store = new SqliteChatStore(file);
    cleanups.push(() => store.close());
    const total = writers.length * perWriter;
    const page1 = await store.listMessages({ room: 'shared', limit: 100, after: 0 });
    const page2 = await store.listMessages({ room: 'shared', limit: 100, after: 100 });
    const messages = [...page1.messages, ...page2.messages];

    expect(messages.map((message) => message.seq)).toEqual(
      Array.from({ length: total }, (_, index) => index + 1),
    );
    expect((await store.getRoom('shared'))?.head).toBe(total);
    // Had the writers run one after another, this test would say nothing about contention.
    const switches = messages.filter((message, index) => {
      const previous = messages[index - 1];
      return previous !== undefined && previous.author.id !== message.author.id;
    }).length;
    expect(switches).toBeGreaterThan(writers.length - 1);
    writers.forEach((writer, index) => {
      const own = messages.filter((message) => message.author.id === `user-${writer}`);
      // Each writer's messages are stored in the order it sent them, under the seqs it was told.
      expect(own.map((message) => message.text)).toEqual(
        Array.from({ length: perWriter }, (_, n) => `${writer} ${n + 1}`),
      );
      expect(own.map((message) => message.seq)).toEqual(reported[index]);
    });
  }, 60_000);
});
