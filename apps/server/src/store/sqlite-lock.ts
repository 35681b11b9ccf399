import Database from 'better-sqlite3';
import { StoreUnavailableError } from './chat-store.js';

/**
 * The lock that tells maintenance (restore, rotate-epochs) whether a server uses a database:
 * a small SQLite file beside it, `<database>.lock`. Every server holds a read transaction on it
 * for as long as it runs (SQLite's SHARED lock; several servers on one file share it), and
 * maintenance takes an EXCLUSIVE transaction, which SQLite grants only when nobody holds SHARED.
 * They are the operating system's file locks, so a server that dies, however it dies, lets go
 * of its lock: there is no stale PID file to clean up. Servers on other hosts sharing the file
 * over a network filesystem are only seen where that filesystem supports POSIX locks (SQLite
 * itself needs them there too).
 */
export const lockFileOf = (databaseFile: string): string => `${databaseFile}.lock`;

const busy = (error: unknown): boolean =>
  /^SQLITE_BUSY/.test(String((error as { code?: unknown } | null)?.code ?? ''));

/** Held by a running server; `release` at shutdown. */
export interface ServerLock {
  release(): void;
}

export const holdServerLock = (databaseFile: string): ServerLock => {
  const file = lockFileOf(databaseFile);
  const db = new Database(file, { timeout: 0 });
  try {
    db.prepare('BEGIN').run();
    // A deferred transaction takes its SHARED lock at the first read.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    db.close();
    if (!busy(error)) throw error;
    throw new StoreUnavailableError(
      `${databaseFile} is being restored or maintained (${file} is locked); start the server when that is done`,
      { cause: error },
    );
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
};

/**
 * Taken by maintenance for its whole run: no server can start meanwhile. Throws, naming the
 * lock, when a server holds it.
 */
export const takeMaintenanceLock = (databaseFile: string): ServerLock => {
  const file = lockFileOf(databaseFile);
  const db = new Database(file, { timeout: 0 });
  try {
    db.prepare('BEGIN EXCLUSIVE').run();
  } catch (error) {
    db.close();
    if (!busy(error)) throw error;
    throw new StoreUnavailableError(
      `a Chatter server is running on ${databaseFile} (it holds ${file}); stop it first`,
      { cause: error },
    );
  }
  return {
    release: () => {
      if (!db.open) return;
      db.prepare('ROLLBACK').run();
      db.close();
    },
  };
};
