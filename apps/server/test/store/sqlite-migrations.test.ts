import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite-migrations.js';
import { SqliteChatStore } from '../../src/store/sqlite-store.js';

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The schema exactly as the code before versioned migrations created it (user_version 0). */
const SEED_SCHEMA = `
  CREATE TABLE IF NOT EXISTS rooms (
    name TEXT PRIMARY KEY, epoch TEXT NOT NULL, head INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY, room TEXT NOT NULL REFERENCES rooms(name), seq INTEGER NOT NULL,
    author_id TEXT NOT NULL, author_name TEXT NOT NULL, text TEXT NOT NULL, client_id TEXT,
    created_at TEXT NOT NULL, UNIQUE (room, seq)
  ) STRICT;
  CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency
    ON messages (room, author_id, client_id) WHERE client_id IS NOT NULL;
  CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, last_seen TEXT
  ) STRICT;
`;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tempFile = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-migrate-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'chatter.db');
};

const open = (file: string): SqliteChatStore => {
  const store = new SqliteChatStore(file);
  cleanups.push(() => store.close());
  return store;
};

/** A file at `version`: the seed's tables and rows, then the migrations up to `version`. */
const databaseAt = (version: number): string => {
  const file = tempFile();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(SEED_SCHEMA);
  const now = new Date().toISOString();
  db.prepare('INSERT INTO rooms VALUES (?, ?, ?, ?)').run('general', 'epoch-general', 2, now);
  // A room a join created and nobody wrote in: the clutter of issue 11.
  db.prepare('INSERT INTO rooms VALUES (?, ?, ?, ?)').run('joined-only', 'epoch-empty', 0, now);
  const insert = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  insert.run('m1', 'general', 1, 'ada', 'Ada', 'one', 'c1', now);
  insert.run('m2', 'general', 2, 'bob', 'Bob', 'two', null, now);
  db.prepare('INSERT INTO users VALUES (?, ?, ?)').run('ada', 'Ada', now);
  for (const migration of MIGRATIONS.filter((each) => each.version <= version)) {
    migration.up(db);
    db.pragma(`user_version = ${migration.version}`);
  }
  db.close();
  return file;
};

const inspect = (file: string): Database.Database => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  cleanups.push(() => void db.close());
  return db;
};

const versionOf = (file: string): number => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
};

describe('SQLite schema migrations', () => {
  it('creates a new file at the current version', async () => {
    const file = tempFile();
    const store = open(file);
    expect(versionOf(file)).toBe(SCHEMA_VERSION);
    expect(await store.viewRoom('general')).toMatchObject({ head: 0, stored: false });
  });

  // Every version before the current one, including the seed's unversioned file.
  const earlier = Array.from({ length: SCHEMA_VERSION }, (_, version) => version);

  it.each(earlier)('upgrades a file at version %i without losing a row', async (version) => {
    const file = databaseAt(version);
    const store = open(file);
    expect(versionOf(file)).toBe(SCHEMA_VERSION);

    expect(await store.getRoom('general')).toEqual({
      room: 'general',
      epoch: 'epoch-general',
      head: 2,
    });
    const page = await store.listMessages({ room: 'general', limit: 10 });
    expect(page.messages.map((message) => [message.seq, message.text, message.clientId])).toEqual([
      [1, 'one', 'c1'],
      [2, 'two', undefined],
    ]);
    expect(await store.getUsers(['ada'])).toEqual([
      { id: 'ada', name: 'Ada', lastSeen: expect.any(String) },
    ]);
    // Writing goes on where it was, and a retry still finds its original.
    const next = await store.appendMessage({
      room: 'general',
      author: { id: 'ada', name: 'Ada' },
      text: 'three',
    });
    expect(next.message.seq).toBe(3);
    const retry = await store.appendMessage({
      room: 'general',
      author: { id: 'ada', name: 'Ada' },
      text: 'one',
      clientId: 'c1',
    });
    expect(retry).toMatchObject({ created: false, message: { id: 'm1', seq: 1 } });
  });

  it.each(earlier)(
    'at version %i, drops rooms nobody wrote in; they report the default epoch',
    async (version) => {
      const file = databaseAt(version);
      const store = open(file);
      expect(await store.getRoom('joined-only')).toBeNull();
      const view = await store.viewRoom('joined-only');
      expect(view).toMatchObject({ head: 0, stored: false });
      expect(view.epoch).not.toBe('epoch-empty');
      expect(inspect(file).prepare('SELECT name FROM rooms').pluck().all()).toEqual(['general']);
    },
  );

  it('version 3 keeps a version-2 history and numbers it for unread counts', async () => {
    const file = tempFile();
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    for (const migration of MIGRATIONS.filter((each) => each.version <= 2)) {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }
    // Rows exactly as version 2 wrote them: a room from its first message on, seq = head.
    const at = '2026-01-01T00:00:00.000Z';
    db.prepare('INSERT INTO rooms (name, epoch, head, created_at) VALUES (?, ?, ?, ?)').run(
      'general',
      'epoch-general',
      3,
      at,
    );
    db.prepare('INSERT INTO rooms (name, epoch, head, created_at) VALUES (?, ?, ?, ?)').run(
      'other',
      'epoch-other',
      1,
      at,
    );
    const insert = db.prepare(
      `INSERT INTO messages (id, room, seq, author_id, author_name, text, client_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    insert.run('m1', 'general', 1, 'ada', 'Ada', 'one', 'c1', at);
    insert.run('m2', 'general', 2, 'bob', 'Bob', 'two', null, at);
    insert.run('m3', 'general', 3, 'ada', 'Ada', 'three', null, at);
    insert.run('o1', 'other', 1, 'bob', 'Bob', 'elsewhere', null, at);
    db.close();
    expect(versionOf(file)).toBe(2);

    const store = open(file);
    expect(versionOf(file)).toBe(3);
    const ada = { id: 'ada', name: 'Ada' };
    const bob = { id: 'bob', name: 'Bob' };
    const v2 = (id: string, seq: number, author: typeof ada, text: string) => ({
      id,
      room: 'general',
      seq,
      text,
      author,
      createdAt: at,
    });
    const m1 = { ...v2('m1', 1, ada, 'one'), clientId: 'c1' };
    expect(await store.listMessages({ room: 'general', limit: 10 })).toStrictEqual({
      messages: [m1, v2('m2', 2, bob, 'two'), v2('m3', 3, ada, 'three')],
      changes: [],
      hasMore: false,
    });
    const stored = inspect(file);
    expect(stored.prepare('SELECT id, ordinal FROM messages ORDER BY room, seq').all()).toEqual([
      { id: 'm1', ordinal: 1 },
      { id: 'm2', ordinal: 2 },
      { id: 'm3', ordinal: 3 },
      { id: 'o1', ordinal: 1 },
    ]);
    expect(stored.prepare('SELECT name, message_count FROM rooms ORDER BY name').all()).toEqual([
      { name: 'general', message_count: 3 },
      { name: 'other', message_count: 1 },
    ]);

    // The new operations work on the migrated rows, and unread counts use their ordinals.
    expect(await store.readPosition('bob', 'general')).toEqual({ readSeq: 0, unread: 2, head: 3 });
    const edited = await store.editMessage({
      room: 'general',
      messageId: 'm1',
      actor: ada,
      text: 'uno',
    });
    expect(edited.change).toMatchObject({ seq: 4, type: 'edited', message: { text: 'uno' } });
    await store.setReaction({
      room: 'general',
      messageId: 'm2',
      actor: ada,
      emoji: '👍',
      on: true,
    });
    await store.deleteMessage({ room: 'general', messageId: 'm3', actor: ada });
    const reply = await store.appendMessage({
      room: 'general',
      author: ada,
      text: 'four',
      replyTo: 'm2',
    });
    expect(reply.message).toMatchObject({ seq: 7, replyTo: { id: 'm2', excerpt: 'two' } });
    expect(
      stored.prepare(`SELECT ordinal FROM messages WHERE id = ?`).pluck().get(reply.message.id),
    ).toBe(4);
    expect(await store.readPosition('bob', 'general')).toEqual({ readSeq: 0, unread: 2, head: 7 });
    expect(await store.markRead('bob', 'general', 4)).toEqual({
      room: 'general',
      seq: 4,
      unread: 1,
      head: 7,
    });
    const page = await store.listMessages({ room: 'general', limit: 10, after: 3 });
    expect(page.changes.map((change) => [change.seq, change.type])).toEqual([
      [4, 'edited'],
      [5, 'reaction_added'],
      [6, 'deleted'],
    ]);
    expect(page.messages.map((message) => message.seq)).toEqual([7]);
    expect(await store.listRooms('bob')).toEqual([
      expect.objectContaining({ room: 'general', epoch: 'epoch-general', readSeq: 4, unread: 1 }),
    ]);
    expect(await store.readPosition('ada', 'other')).toEqual({ readSeq: 0, unread: 1, head: 1 });
  });

  it('refuses a file from a newer version, naming the file and both versions, and leaves it alone', () => {
    const file = databaseAt(SCHEMA_VERSION);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = fs.readFileSync(file);
    expect(() => new SqliteChatStore(file)).toThrow(
      `${file} has schema version ${SCHEMA_VERSION + 1}, newer than this Chatter's ${SCHEMA_VERSION}`,
    );
    expect(versionOf(file)).toBe(SCHEMA_VERSION + 1);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('a server given a newer file stops at start with one line that says why', () => {
    const file = databaseAt(SCHEMA_VERSION);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: SERVER_DIR,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        HOST: '127.0.0.1',
        CHATTER_DATA_DIR: path.dirname(file),
        LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `chatter: ${file} has schema version ${SCHEMA_VERSION + 5}, newer than this Chatter's ${SCHEMA_VERSION}; run the Chatter release that wrote it (or a later one)`,
    );
  });

  it('a step that fails is rolled back whole, and the file stays at the version before it', () => {
    const file = databaseAt(1);
    // Lets step 2 create its table and default epoch, then fails its clean-up of empty rooms.
    const db = new Database(file);
    db.exec(
      `CREATE TRIGGER block BEFORE DELETE ON rooms BEGIN SELECT RAISE(ABORT, 'blocked'); END`,
    );
    db.close();
    expect(() => new SqliteChatStore(file)).toThrow('blocked');
    expect(versionOf(file)).toBe(1);
    const after = inspect(file);
    expect(after.prepare('SELECT name FROM rooms ORDER BY name').pluck().all()).toEqual([
      'general',
      'joined-only',
    ]);
    expect(after.prepare(`SELECT name FROM sqlite_master WHERE name = 'meta'`).all()).toEqual([]);
  });
});
