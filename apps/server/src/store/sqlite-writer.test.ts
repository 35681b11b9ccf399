import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIMITS } from '@chatter/protocol';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppendResult } from './chat-store.js';
import { migrate } from './sqlite-migrations.js';
import { configureConnection } from './sqlite-schema.js';
import { SqliteWriter, type WriteOutcome, type WriteRequest } from './sqlite-writer.js';

const ADA = { id: 'user-ada', name: 'Ada' };

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A real file, with the writer's own connection and a second one to look at what is stored. */
const openFile = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-writer-'));
  const file = path.join(dir, 'chatter.db');
  const db = new Database(file);
  configureConnection(db, 1000);
  migrate(db, file);
  const other = new Database(file);
  configureConnection(other, 0);
  cleanups.push(() => {
    db.close();
    other.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { db, other, writer: new SqliteWriter(db, LIMITS) };
};

const append = (room: string, text: string, clientId?: string): WriteRequest => ({
  op: 'append',
  input: { room, author: ADA, text, ...(clientId === undefined ? {} : { clientId }) },
});

const appended = (outcome: WriteOutcome | undefined): AppendResult => {
  if (!outcome?.ok) throw new Error(`write failed: ${JSON.stringify(outcome)}`);
  return outcome.value as AppendResult;
};

const storedSeqs = (db: Database.Database, room: string) =>
  db.prepare('SELECT seq FROM messages WHERE room = ? ORDER BY seq').pluck().all(room);

describe('SqliteWriter group commit', () => {
  it('gives each message of a batch its own seq, per room, in the order of arrival', () => {
    const { writer, other } = openFile();
    const outcomes = writer.commit([
      append('a', 'a1'),
      append('b', 'b1'),
      append('a', 'a2'),
      append('a', 'a3'),
      append('b', 'b2'),
    ]);
    expect(outcomes.map((o) => appended(o).message.text)).toEqual(['a1', 'b1', 'a2', 'a3', 'b2']);
    expect(outcomes.map((o) => appended(o).message.seq)).toEqual([1, 1, 2, 3, 2]);
    expect(storedSeqs(other, 'a')).toEqual([1, 2, 3]);
    expect(other.prepare('SELECT name, head FROM rooms ORDER BY name').all()).toEqual([
      { name: 'a', head: 3 },
      { name: 'b', head: 2 },
    ]);
  });

  it('a message that fails fails alone: its batch-mates are stored and the seqs stay gap-free', () => {
    const { writer, other } = openFile();
    // NOT NULL refuses a missing author name: a constraint failure inside the batch.
    const bad: WriteRequest = {
      op: 'append',
      input: { room: 'a', author: { id: 'x', name: null as unknown as string }, text: 'bad' },
    };
    const outcomes = writer.commit([append('a', 'first'), bad, append('a', 'second')]);
    expect(outcomes[1]).toMatchObject({ ok: false, error: { unavailable: false } });
    expect(appended(outcomes[0]).message.seq).toBe(1);
    expect(appended(outcomes[2]).message.seq).toBe(2);
    expect(storedSeqs(other, 'a')).toEqual([1, 2]);
  });

  it('a failed first message in a new room leaves no room behind, and the next batch creates it', () => {
    const { writer, other } = openFile();
    const bad: WriteRequest = {
      op: 'append',
      input: { room: 'fresh', author: { id: 'x', name: null as unknown as string }, text: 'bad' },
    };
    expect(writer.commit([bad])[0]).toMatchObject({ ok: false });
    expect(other.prepare('SELECT COUNT(*) FROM rooms').pluck().get()).toBe(0);
    expect(appended(writer.commit([append('fresh', 'hello')])[0]).message.seq).toBe(1);
    expect(storedSeqs(other, 'fresh')).toEqual([1]);
  });

  it('a repeated clientId returns the original, within one batch and across batches', () => {
    const { writer, other } = openFile();
    const [first, twin] = writer.commit([append('a', 'hi', 'c1'), append('a', 'hi again', 'c1')]);
    expect(appended(first).created).toBe(true);
    expect(appended(twin)).toEqual({ message: appended(first).message, created: false });
    const [retry] = writer.commit([append('a', 'hi', 'c1')]);
    expect(appended(retry)).toEqual({ message: appended(first).message, created: false });
    expect(storedSeqs(other, 'a')).toEqual([1]);
    // The repeat took no seq: the next message follows straight on.
    expect(appended(writer.commit([append('a', 'next')])[0]).message.seq).toBe(2);
  });

  it('continues from what another connection wrote in between, instead of its cached head', () => {
    const { writer, other } = openFile();
    writer.commit([append('a', 'one'), append('a', 'two')]);
    other
      .prepare(
        `INSERT INTO messages (id, room, seq, author_id, author_name, text, created_at)
         VALUES ('elsewhere', 'a', 3, 'bob', 'Bob', 'from another process', '2026-01-01T00:00:00Z')`,
      )
      .run();
    other.prepare("UPDATE rooms SET head = 3 WHERE name = 'a'").run();
    expect(appended(writer.commit([append('a', 'three')])[0]).message.seq).toBe(4);
    expect(storedSeqs(other, 'a')).toEqual([1, 2, 3, 4]);
  });

  it('fails the whole batch as unavailable when another connection holds the write lock', () => {
    const { db, writer, other } = openFile();
    db.pragma('busy_timeout = 50');
    other.prepare('BEGIN IMMEDIATE').run();
    const outcomes = writer.commit([append('a', 'one'), append('b', 'two')]);
    other.prepare('ROLLBACK').run();
    expect(outcomes).toEqual([
      expect.objectContaining({ ok: false, error: expect.objectContaining({ unavailable: true }) }),
      expect.objectContaining({ ok: false, error: expect.objectContaining({ unavailable: true }) }),
    ]);
    expect(other.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(0);
    // Nothing of the failed batch lingers: the next one starts the room at seq 1.
    expect(appended(writer.commit([append('a', 'again')])[0]).message.seq).toBe(1);
  });

  it('a refused change fails alone, saying why; its batch-mates take gap-free seqs', () => {
    const { writer, other } = openFile();
    const id = appended(writer.commit([append('a', 'one')])[0]).message.id;
    const target = { room: 'a', messageId: id, actor: ADA };
    const outcomes = writer.commit([
      { op: 'react', input: { ...target, emoji: '👍', on: true } },
      { op: 'edit', input: { ...target, messageId: 'nope', text: 'x' } },
      append('a', 'two'),
      { op: 'delete', input: target },
      { op: 'react', input: { ...target, emoji: '🎉', on: true } },
      { op: 'markRead', userId: 'bob', room: 'a', seq: 2 },
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true, true, false, true]);
    expect(outcomes[1]).toMatchObject({
      error: {
        unavailable: false,
        refusal: { kind: 'messageNotFound', messageId: 'nope', reason: 'missing' },
      },
    });
    expect(outcomes[4]).toMatchObject({
      error: { refusal: { kind: 'messageNotFound', messageId: id, reason: 'deleted' } },
    });
    // Read in the batch's transaction: the head and the count include what came before it.
    expect(outcomes[5]).toEqual({ ok: true, value: { room: 'a', seq: 2, unread: 1, head: 4 } });
    expect(other.prepare('SELECT seq, type FROM changes ORDER BY seq').all()).toEqual([
      { seq: 2, type: 'reaction_added' },
      { seq: 4, type: 'deleted' },
    ]);
    expect(storedSeqs(other, 'a')).toEqual([1, 3]);
    expect(other.prepare('SELECT head, message_count FROM rooms').get()).toEqual({
      head: 4,
      message_count: 2,
    });
    expect(other.prepare('SELECT count(*) FROM reactions').pluck().get()).toBe(0);
  });

  it('stores presence times, and a later batch still syncs messages in full', () => {
    const { db, writer, other } = openFile();
    const [saved] = writer.commit([
      { op: 'saveUsers', users: [{ id: 'u1', name: 'Ada', lastSeen: '2026-01-01T00:00:00.000Z' }] },
    ]);
    expect(saved).toEqual({ ok: true, value: null });
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(other.prepare('SELECT id, name, last_seen FROM users').all()).toEqual([
      { id: 'u1', name: 'Ada', last_seen: '2026-01-01T00:00:00.000Z' },
    ]);
  });
});
