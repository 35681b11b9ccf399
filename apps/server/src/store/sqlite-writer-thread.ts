/**
 * The writer thread's entry. It owns the one write connection and commits whatever arrived while
 * the previous commit was running as the next batch: the disk sync, and any wait for another
 * process's write lock, happen here and never on the main thread's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureConnection, type StoreLimits } from './sqlite-schema.js';
import { SqliteWriter, type WriteRequest } from './sqlite-writer.js';

export interface WriterThreadOptions {
  file: string;
  busyTimeoutMs: number;
  limits: StoreLimits;
}

/** What the main thread posts: a numbered write, or `close` once nothing more will come. */
export type ToWriter = { id: number; request: WriteRequest } | { close: true };

// One transaction holds at most this many writes, so a flood cannot grow one without bound.
const MAX_BATCH = 1000;

const port = parentPort;
if (!port) throw new Error('sqlite-writer-thread runs as a worker thread');
const { file, busyTimeoutMs, limits } = workerData as WriterThreadOptions;
const db = new Database(file);
configureConnection(db, busyTimeoutMs);
const writer = new SqliteWriter(db, limits);

const queue: Array<{ id: number; request: WriteRequest }> = [];
let flushScheduled = false;
let closing = false;

const flush = () => {
  flushScheduled = false;
  const batch = queue.splice(0, MAX_BATCH);
  if (batch.length > 0) {
    const outcomes = writer.commit(batch.map(({ request }) => request));
    port.postMessage(batch.map(({ id }, i) => ({ id, outcome: outcomes[i] })));
  }
  // What arrived during the commit (or did not fit in it) joins the queue first: the next batch.
  if (queue.length > 0) scheduleFlush();
  else if (closing) {
    db.close();
    port.close();
  }
};

const scheduleFlush = () => {
  if (flushScheduled) return;
  flushScheduled = true;
  // setImmediate runs after the port has delivered everything that is waiting: one batch.
  setImmediate(flush);
};

port.on('message', (message: ToWriter) => {
  if ('close' in message) closing = true;
  else queue.push(message);
  scheduleFlush();
});
