import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from './chat-store.js';
import type { WriteOutcome, WriteRequest } from './sqlite-writer.js';
import type { ToWriter, WriterThreadOptions } from './sqlite-writer-thread.js';

type Settle = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** How long a client should wait before retrying a write the database could not take. */
export const WRITE_RETRY_AFTER_MS = 1000;

/**
 * Built, this module is `dist/store/…js` next to the thread's `.js`. From source (tests, `pnpm
 * dev`) it is `.ts`, and a worker thread does not inherit the parent's TypeScript loader, so the
 * thread starts with a line that registers tsx's loader before importing the entry.
 */
const startWorker = (options: WriterThreadOptions): Worker => {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./sqlite-writer-thread.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSource) return new Worker(entry, { workerData: options });
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxApi = pathToFileURL(path.join(tsxDir, 'dist/esm/api/index.mjs')).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => {
    tsx.register();
    return import(${JSON.stringify(entry.href)});
  });`;
  return new Worker(bootstrap, { eval: true, workerData: options });
};

const toError = (outcome: Extract<WriteOutcome, { ok: false }>): Error => {
  const { unavailable, message, sqliteCode } = outcome.error;
  const error = unavailable
    ? new StoreUnavailableError(`SQLite could not write: ${message}`, {
        retryAfterMs: WRITE_RETRY_AFTER_MS,
      })
    : new Error(message);
  return Object.assign(error, { sqliteCode });
};

/**
 * The main thread's end of the writer thread: each write becomes a promise that settles when the
 * batch holding it has committed (or failed). A thread that dies fails what it held and is
 * started again, so one fault does not stop every later write.
 */
export class SqliteWriterClient {
  readonly #options: WriterThreadOptions;
  readonly #pending = new Map<number, Settle>();
  #worker: Worker;
  #nextId = 1;
  #closed: Promise<void> | undefined;

  constructor(options: WriterThreadOptions) {
    this.#options = options;
    this.#worker = this.#start();
  }

  write<T>(request: WriteRequest): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new StoreUnavailableError('the SQLite store is closed'));
    }
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, request } satisfies ToWriter);
    });
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
      for (const { id, outcome } of results) {
        const settle = this.#pending.get(id);
        this.#pending.delete(id);
        if (!settle) continue;
        if (outcome.ok) settle.resolve(outcome.value);
        else settle.reject(toError(outcome));
      }
    });
    worker.on('error', (error) => this.#failAll(error));
    worker.on('exit', () => {
      this.#failAll(new Error('the SQLite writer thread stopped'));
      if (!this.#closed) this.#worker = this.#start();
    });
    return worker;
  }

  #failAll(cause: Error): void {
    const error = new StoreUnavailableError(`SQLite writer thread failed: ${cause.message}`, {
      cause,
      retryAfterMs: WRITE_RETRY_AFTER_MS,
    });
    for (const settle of this.#pending.values()) settle.reject(error);
    this.#pending.clear();
  }
}
