import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteChatStore } from '../../src/store/sqlite-store.js';
import { ADA, BOB, range } from './contract-context.js';

describe('SqliteChatStore onCommit', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const openObserved = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-store-'));
    const commits: Array<{ seconds: number; batchSize: number }> = [];
    const store: SqliteChatStore = openSqliteStore(dir, {
      onCommit: (seconds, batchSize) => commits.push({ seconds, batchSize }),
    });
    cleanups.push(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return { store, commits };
  };

  it('reports committed batches whose sizes add up to the messages appended', async () => {
    const { store, commits } = openObserved();
    // Sent together, these go to the writer thread in one turn and may share batches.
    await Promise.all(
      range(1, 40).map((n) =>
        store.appendMessage({ room: `room-${n % 3}`, author: ADA, text: `together ${n}` }),
      ),
    );
    for (const n of range(1, 5)) {
      await store.appendMessage({ room: 'general', author: BOB, text: `alone ${n}` });
    }

    expect(commits.reduce((sum, { batchSize }) => sum + batchSize, 0)).toBe(45);
    expect(commits.length).toBeGreaterThanOrEqual(6);
    for (const { seconds, batchSize } of commits) {
      expect(batchSize).toBeGreaterThan(0);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(5);
    }
  });

  it('counts a retry answered with its original as an append of its batch', async () => {
    const { store, commits } = openObserved();
    const input = { room: 'general', author: ADA, text: 'once', clientId: 'c-1' };
    await store.appendMessage(input);
    const retry = await store.appendMessage(input);

    expect(retry.created).toBe(false);
    expect(commits.map(({ batchSize }) => batchSize)).toEqual([1, 1]);
  });

  it('leaves out batches of presence times alone', async () => {
    const { store, commits } = openObserved();
    await store.saveUsers([{ user: ADA, lastSeen: new Date() }]);
    await store.saveUser(BOB, new Date());
    expect(commits).toEqual([]);

    await store.appendMessage({ room: 'general', author: ADA, text: 'hi' });
    expect(commits).toHaveLength(1);
  });
});
