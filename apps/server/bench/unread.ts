/**
 * Unread counts: one room of 1,000,000 messages with a change (a reaction) after every 50th and
 * one message in 1,000 deleted, written once per run straight into Chatter's schema (the store
 * migrates an empty file, then one transaction inserts the rows). Two readers far behind, read
 * up to seq 10: "light" wrote one message in 10,000, "heavy" one in 50 (20,000 of its own after
 * its position: the cost grows with those, see src/store/sqlite-unread.ts).
 *
 * Chatter: `store.readPosition`, which counts unread messages from the per-message ordinal and
 * covering index ranges. Baselines, in the same process on the same file and interleaved per
 * trial: reading one backward history page of 50 (`store.listMessages`), the everyday read the
 * count should cost no more than; and a naive `count(*)` over the rows after the position.
 *
 * Run alone: pnpm --filter @chatter/server bench unread   (or BENCH=unread pnpm bench)
 * Tune: UNREAD_MESSAGES=1000000 UNREAD_CALLS=300 (per trial) BENCH_TRIALS=3 BENCH_QUICK=1
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, type SqliteChatStore } from '../src/store/sqlite-store.js';
import { envNumber, interleaved, removeDir, TRIALS, tempDir } from './lib/options.js';
import { latencyPercentiles, Trials } from './lib/stats.js';
import { type PartResult, ratioAtMost, valueAtMost } from './lib/table.js';

const MESSAGES = envNumber('UNREAD_MESSAGES', 1_000_000, 200_000);
const CALLS = envNumber('UNREAD_CALLS', 300, 50);
// The naive count reads every row after the position: a few calls per trial are plenty.
const NAIVE_CALLS = Math.max(3, Math.round(CALLS / 50));
const ROOM = 'unread';
const READ_SEQ = 10;
const PAGE = 50;
const CHANGE_EVERY = 50;
const DELETE_EVERY = 1000;
const READERS = { light: 'reader-light', heavy: 'reader-heavy' } as const;
type Reader = keyof typeof READERS;

const NAIVE_COUNT = `SELECT count(*) FROM messages
  WHERE room = ? AND seq > ? AND author_id <> ? AND deleted_at IS NULL`;

/** The author of the n-th message: the light reader 1 in 10,000, the heavy 1 in 50. */
const authorOf = (n: number): string => {
  if (n % 10_000 === 7) return READERS.light;
  if (n % 50 === 3) return READERS.heavy;
  return `author-${n % 37}`;
};

/** Writes the room; returns its head. Rows as the store writes them, ordinals included. */
const buildRoom = async (dataDir: string): Promise<number> => {
  const store = openSqliteStore(dataDir);
  await store.close();
  const db = new Database(path.join(dataDir, 'chatter.db'));
  let seq = 0;
  try {
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const baseMs = Date.now() - MESSAGES * 1000;
    const epoch = db.prepare(`SELECT value FROM meta WHERE key = 'default_epoch'`).pluck().get();
    const insertMessage = db.prepare(
      `INSERT INTO messages (id, room, seq, author_id, author_name, text, created_at, ordinal,
         deleted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertReaction = db.prepare(
      `INSERT INTO reactions (message_id, emoji, user_id, created_at, emoji_order)
       VALUES (?, '👍', ?, ?, 1)`,
    );
    const insertChange = db.prepare(
      `INSERT INTO changes (room, seq, type, message_id, actor_id, emoji, created_at)
       VALUES (?, ?, 'reaction_added', ?, ?, '👍', ?)`,
    );
    db.transaction(() => {
      db.prepare(
        `INSERT INTO rooms (name, epoch, head, message_count, created_at) VALUES (?, ?, 0, 0, ?)`,
      ).run(ROOM, epoch, new Date(baseMs).toISOString());
      for (let n = 1; n <= MESSAGES; n++) {
        const id = `m-${n}`;
        const at = new Date(baseMs + n * 1000).toISOString();
        const deleted = n % DELETE_EVERY === 0;
        const author = authorOf(n);
        const text = deleted ? '' : `message ${n}: lorem ipsum dolor sit amet`;
        insertMessage.run(id, ROOM, ++seq, author, author, text, at, n, deleted ? at : null);
        if (n % CHANGE_EVERY === 1) {
          insertReaction.run(id, `author-${n % 11}`, at);
          insertChange.run(ROOM, ++seq, id, `author-${n % 11}`, at);
        }
      }
      db.prepare('UPDATE rooms SET head = ?, message_count = ? WHERE name = ?').run(
        seq,
        MESSAGES,
        ROOM,
      );
      const join = db.prepare(
        'INSERT INTO memberships (user_id, room, joined_at, read_seq) VALUES (?, ?, ?, ?)',
      );
      for (const user of Object.values(READERS))
        join.run(user, ROOM, new Date().toISOString(), READ_SEQ);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
  return seq;
};

/** Microseconds per call of `run`, `calls` times: p50 and p99. */
const time = async (calls: number, run: (i: number) => unknown) => {
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await run(i);
    latencies.push((performance.now() - started) * 1000);
  }
  return latencyPercentiles(latencies);
};

type Contender = 'light' | 'heavy' | 'page' | 'naive';

export const runUnread = async (): Promise<PartResult[]> => {
  const dir = tempDir('unread');
  try {
    const building = performance.now();
    const head = await buildRoom(dir);
    console.log(
      `unread: ${MESSAGES.toLocaleString('en-US')} messages (head ${head.toLocaleString('en-US')}) written in ${((performance.now() - building) / 1000).toFixed(1)} s`,
    );
    const store: SqliteChatStore = openSqliteStore(dir);
    const naive = new Database(store.file, { readonly: true, fileMustExist: true });
    try {
      const naiveCount = naive.prepare(NAIVE_COUNT).pluck();
      // The count must be right before its speed means anything.
      for (const reader of Object.keys(READERS) as Reader[]) {
        const position = await store.readPosition(READERS[reader], ROOM);
        const expected = naiveCount.get(ROOM, READ_SEQ, READERS[reader]);
        if (
          position.unread !== expected ||
          position.readSeq !== READ_SEQ ||
          position.head !== head
        ) {
          throw new Error(`${reader}: ${JSON.stringify(position)}, expected ${expected} unread`);
        }
      }
      const pageAt = (i: number) => PAGE + 1 + ((i * 7919) % (head - PAGE));
      const runs: Record<Contender, () => Promise<{ p50: number; p99: number }>> = {
        light: () => time(CALLS, () => store.readPosition(READERS.light, ROOM)),
        heavy: () => time(CALLS, () => store.readPosition(READERS.heavy, ROOM)),
        page: () =>
          time(CALLS, (i) => store.listMessages({ room: ROOM, limit: PAGE, before: pageAt(i) })),
        naive: () => time(NAIVE_CALLS, () => naiveCount.get(ROOM, READ_SEQ, READERS.light)),
      };
      const figures: Record<Contender, Trials> = {
        light: new Trials(),
        heavy: new Trials(),
        page: new Trials(),
        naive: new Trials(),
      };
      // Warm-up: page cache and JIT, for all alike.
      for (const run of Object.values(runs)) await run();
      for (let t = 0; t < TRIALS; t++) {
        for (const contender of interleaved<Contender>(t, 'light', 'heavy', 'page', 'naive')) {
          figures[contender].add(await runs[contender]());
        }
      }
      const row = (figure: string, chatter: Contender, baseline: Contender, key: string) => ({
        figure,
        chatter: figures[chatter].get(key),
        baselineName: baseline === 'page' ? `page of ${PAGE}` : 'naive count',
        baseline: figures[baseline].get(key),
      });
      const light = await store.readPosition(READERS.light, ROOM);
      const heavy = await store.readPosition(READERS.heavy, ROOM);
      return [
        {
          part: 'unread',
          note: `${MESSAGES.toLocaleString('en-US')} messages, readers at seq ${READ_SEQ}, ${CALLS} calls per trial (naive ${NAIVE_CALLS}), ${TRIALS} trials`,
          rows: [
            {
              ...row('far behind, p50 µs', 'light', 'page', 'p50'),
              target: ratioAtMost(2, `page of ${PAGE}`),
            },
            {
              ...row('far behind, p99 µs', 'light', 'page', 'p99'),
              target: valueAtMost(5000, '≤ 5 ms'),
            },
            row('far behind, p50 µs', 'light', 'naive', 'p50'),
            {
              ...row('own 2% of room, p50 µs', 'heavy', 'page', 'p50'),
              target: valueAtMost(10_000, '≤ 10 ms'),
            },
          ],
          facts: [
            `light reader: ${light.unread.toLocaleString('en-US')} unread of ${head.toLocaleString('en-US')} entries; heavy reader: ${heavy.unread.toLocaleString('en-US')} unread, ${(MESSAGES / 50).toLocaleString('en-US')} own messages after its position`,
          ],
        },
      ];
    } finally {
      naive.close();
      await store.close();
    }
  } finally {
    removeDir(dir);
  }
};
