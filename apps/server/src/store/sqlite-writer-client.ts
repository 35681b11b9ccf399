import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { threadId, Worker } from 'node:worker_threads';
import {
  type CommitObserver,
  MessageNotFoundError,
  StoreUnavailableError,
  TooManyReactionsError,
  TooManyRoomsError,
} from './chat-store.js';
import type { WriteOutcome, WriteRefusal, WriteRequest } from './sqlite-writer.js';
import type { ToWriter, WriterThreadOptions } from './sqlite-writer-thread.js';

type Settle = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** A write sent to the thread and not answered yet, with what its batch's commit report needs. */
type Pending = Settle & { sentAt: number; append: boolean };

// How many writes of a committed batch are settled before the event loop gets a turn.
const SETTLE_SLICE = 32;

// A writer thread that ran at least this long is started again when it dies.
const RESTART_AFTER_MS = 1000;

// How long `check` waits for its probe write (a lock held elsewhere makes it wait the busy
// timeout): readiness probes time out after a second or so.
const CHECK_TIMEOUT_MS = 1000;

// SQLite does not repair a file: once seen, these faults stay until the server restarts.
const CORRUPTION = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * Built, this module is `dist/store/…js` next to the thread's `.js`. From source (tests, `pnpm
 * dev`) it is `.ts`, which a worker thread cannot load (it does not inherit the parent's
 * TypeScript loader, and registering tsx in every thread costs half a second): the entry is
 * bundled once per process with esbuild, a dev dependency, into a cache beside our
 * node_modules, where the thread still finds better-sqlite3.
 */
const workerEntry = (): URL => {
  const built = new URL('./sqlite-writer-thread.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return built;
  bundledEntry ??= bundleFromSource();
  return bundledEntry;
};

let bundledEntry: URL | undefined;

const bundleFromSource = (): URL => {
  const require = createRequire(import.meta.url);
  const esbuild = require('esbuild') as typeof import('esbuild');
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [fileURLToPath(new URL('./sqlite-writer-thread.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    write: false,
  });
  const code = outputFiles?.[0]?.contents;
  if (!code) throw new Error('esbuild produced no bundle for the SQLite writer thread');
  const dir = path.join(
    path.dirname(require.resolve('better-sqlite3/package.json')),
    '..',
    '.cache',
  );
  const file = path.join(
    dir,
    `chatter-sqlite-writer-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`,
  );
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written whole, then renamed: parallel test processes never load half a file.
    const partial = `${file}.${process.pid}.${threadId}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return pathToFileURL(file);
};

const startWorker = (options: WriterThreadOptions): Worker =>
  new Worker(workerEntry(), { workerData: options });

/** The store's own error classes, rebuilt on this side of the thread boundary. */
const refusalError = (refusal: WriteRefusal, message: string): Error => {
  switch (refusal.kind) {
    case 'messageNotFound':
      return new MessageNotFoundError(refusal.messageId, refusal.reason);
    case 'tooManyReactions':
      return new TooManyReactionsError(message);
    case 'tooManyRooms':
      return new TooManyRoomsError(message);
  }
};

const toError = (outcome: Extract<WriteOutcome, { ok: false }>): Error => {
  const { unavailable, message, sqliteCode, refusal } = outcome.error;
  if (refusal) return refusalError(refusal, message);
  const error = unavailable
    ? new StoreUnavailableError(`SQLite could not write: ${message}`)
    : new Error(message);
  return Object.assign(error, { sqliteCode });
};

/**
 * Settles a committed batch a slice at a time: each settled write goes on to broadcast and
 * acknowledge, and a batch of a thousand settled at once would hold the event loop for tens of
 * milliseconds. Between slices, other sockets, reads and /healthz get their turn.
 */
const settleInSlices = (
  answered: Array<{ settle: Settle; outcome: WriteOutcome }>,
  from: number,
) => {
  const to = Math.min(answered.length, from + SETTLE_SLICE);
  for (let i = from; i < to; i++) {
    const { settle, outcome } = answered[i] as (typeof answered)[number];
    if (outcome.ok) settle.resolve(outcome.value);
    else settle.reject(toError(outcome));
  }
  if (to < answered.length) setImmediate(() => settleInSlices(answered, to));
};

/**
 * The main thread's end of the writer thread: each write becomes a promise that settles when the
 * batch holding it has committed (or failed). A thread that dies fails what it held and is
 * started again, so one fault does not stop every later write.
 */
export class SqliteWriterClient {
  readonly #options: WriterThreadOptions;
  readonly #onCommit: CommitObserver | undefined;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker;
  // When the previous batch's answer arrived: the thread started the next batch about then.
  #lastAnswerAt = 0;
  #nextId = 1;
  #closed: Promise<void> | undefined;
  // Why the last batch could not be written (locked, disk full, thread died), until one commits.
  #fault: StoreUnavailableError | undefined;
  #corrupt: StoreUnavailableError | undefined;

  /** `onCommit` stays on this thread: a function cannot travel in `workerData`. */
  constructor(options: WriterThreadOptions, onCommit?: CommitObserver) {
    this.#options = options;
    this.#onCommit = onCommit;
    this.#worker = this.#start();
  }

  write<T>(request: WriteRequest): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new StoreUnavailableError('the SQLite store is closed'));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, {
        resolve: resolve as (value: unknown) => void,
        reject,
        sentAt: performance.now(),
        append: request.op === 'append',
      });
      this.#worker.postMessage({ id, request } satisfies ToWriter);
    });
  }

  /**
   * Resolves when writes work: at once when the last batch committed; otherwise after a probe
   * write commits, within a second. Rejects with the reason writes fail.
   */
  async check(): Promise<void> {
    if (this.#corrupt) throw this.#corrupt;
    const fault = this.#fault;
    if (!fault) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), CHECK_TIMEOUT_MS);
    });
    try {
      const probe = this.write({ op: 'probe' });
      // The probe goes on if it loses the race; its outcome still clears or renews the fault.
      probe.catch(() => {});
      if ((await Promise.race([probe, timeout])) === 'timeout') {
        throw new StoreUnavailableError(`${fault.message} (still waiting to write)`, {
          cause: fault,
        });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Commits everything already sent, then stops the thread. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#worker.once('exit', () => resolve());
      this.#worker.postMessage({ close: true } satisfies ToWriter);
    });
    return this.#closed;
  }

  #start(): Worker {
    const worker = startWorker(this.#options);
    worker.on('message', (results: Array<{ id: number; outcome: WriteOutcome }>) => {
      const answeredAt = performance.now();
      // Taken out of `pending` at once, so a thread exit right after cannot fail them too.
      const answered = results.flatMap(({ id, outcome }) => {
        const settle = this.#pending.get(id);
        this.#pending.delete(id);
        return settle ? [{ settle, outcome }] : [];
      });
      this.#noteBatch(results);
      settleInSlices(answered, 0);
      this.#reportCommit(answered, answeredAt);
      this.#lastAnswerAt = answeredAt;
    });
    worker.on('error', (error) => this.#failAll(error));
    const startedAt = Date.now();
    worker.on('exit', () => {
      this.#failAll(new Error('the SQLite writer thread stopped'));
      // A thread that dies at once would only die again: later writes fail instead of looping.
      if (this.#closed || Date.now() - startedAt < RESTART_AFTER_MS) {
        this.#closed ??= Promise.resolve();
        return;
      }
      this.#worker = this.#start();
    });
    return worker;
  }

  /** A batch commits whole or fails whole on a database fault, so one outcome tells. */
  #noteBatch(results: ReadonlyArray<{ outcome: WriteOutcome }>): void {
    for (const { outcome } of results) {
      if (outcome.ok) {
        this.#fault = undefined;
        return;
      }
      if (outcome.error.unavailable) {
        this.#fault = toError(outcome) as StoreUnavailableError;
        if (CORRUPTION.test(outcome.error.sqliteCode ?? '')) this.#corrupt = this.#fault;
        return;
      }
    }
  }

  /**
   * Tells `onCommit` of a committed batch that held message appends. Timed here, as the thread
   * reports no times: it starts a batch when it has answered the previous one or when the
   * batch's first write arrives, whichever is later, so the time from then to this answer is the
   * commit plus a hop each way between the threads (and any wait of this event loop).
   * Batches of presence times alone are left out: they skip the disk sync and would pull the
   * figures down; a batch that failed whole stored nothing.
   */
  #reportCommit(
    answered: ReadonlyArray<{ settle: Pending; outcome: WriteOutcome }>,
    answeredAt: number,
  ): void {
    if (!this.#onCommit) return;
    let appends = 0;
    let committed = false;
    let firstSentAt = answeredAt;
    for (const { settle, outcome } of answered) {
      if (settle.append) appends += 1;
      if (outcome.ok) committed = true;
      firstSentAt = Math.min(firstSentAt, settle.sentAt);
    }
    if (appends === 0 || !committed) return;
    const startedAt = Math.max(firstSentAt, this.#lastAnswerAt);
    this.#onCommit((answeredAt - startedAt) / 1000, appends);
  }

  #failAll(cause: Error): void {
    const error = new StoreUnavailableError(`SQLite writer thread failed: ${cause.message}`, {
      cause,
    });
    this.#fault = error;
    for (const settle of this.#pending.values()) settle.reject(error);
    this.#pending.clear();
  }
}
