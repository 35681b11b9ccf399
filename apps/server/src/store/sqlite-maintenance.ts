import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { newEpoch } from '../utils/ids.js';
import { takeMaintenanceLock } from './sqlite-lock.js';
import { migrate, SCHEMA_VERSION, schemaVersionOf } from './sqlite-migrations.js';

/** What a backup or restore holds, for its one line of outcome. */
export interface DatabaseSummary {
  rooms: number;
  messages: number;
}

/** A maintenance step that cannot go ahead; its message is the operator's one line. */
export class MaintenanceError extends Error {
  override readonly name = 'MaintenanceError';
}

// Pages per backup step, once the first step is done: all of them. One step is one read
// transaction on the source, so the copy is one consistent snapshot; a write by another
// connection between steps restarts the copy, and then the next step takes it whole.
const ALL_PAGES = 2_000_000_000;

const summarize = (db: Database.Database): DatabaseSummary => ({
  rooms: db.prepare('SELECT count(*) FROM rooms').pluck().get() as number,
  messages: db.prepare('SELECT count(*) FROM messages').pluck().get() as number,
});

/** Flushes a file (or directory) to the disk, so a rename that follows cannot outrun it. */
const syncPath = (target: string): void => {
  const fd = fs.openSync(target, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
};

const removeDatabaseFiles = (file: string): void => {
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    fs.rmSync(`${file}${suffix}`, { force: true });
};

/**
 * Copies the database into `destination` with SQLite's online backup, while servers keep
 * writing: the copy is one consistent snapshot. It is written beside `destination` and renamed
 * into place once complete and checked, so `destination` is never a half-written file. The
 * copy is in rollback-journal mode: one self-contained file.
 */
export const backupSqlite = async (file: string, destination: string): Promise<DatabaseSummary> => {
  if (!fs.existsSync(file)) throw new MaintenanceError(`there is no database at ${file}`);
  const partial = `${destination}.partial-${process.pid}`;
  removeDatabaseFiles(partial);
  const source = new Database(file, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    await source.backup(partial, { progress: () => ALL_PAGES });
  } catch (error) {
    removeDatabaseFiles(partial);
    throw error;
  } finally {
    source.close();
  }
  try {
    const copy = new Database(partial);
    try {
      copy.pragma('journal_mode = DELETE');
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new MaintenanceError(`the copy failed its check: ${String(check)}`);
      const summary = summarize(copy);
      copy.close();
      syncPath(partial);
      fs.renameSync(partial, destination);
      syncPath(path.dirname(path.resolve(destination)));
      return summary;
    } finally {
      if (copy.open) copy.close();
    }
  } catch (error) {
    removeDatabaseFiles(partial);
    throw error;
  }
};

/** Gives every room, and the default epoch unwritten rooms report, one new epoch. */
const rotateEpochsIn = (db: Database.Database): { rooms: number; epoch: string } => {
  const epoch = newEpoch();
  const rotate = db.transaction(() => {
    const { changes } = db.prepare('UPDATE rooms SET epoch = ?').run(epoch);
    db.prepare(`UPDATE meta SET value = ? WHERE key = 'default_epoch'`).run(epoch);
    return changes;
  });
  return { rooms: rotate.immediate(), epoch };
};

/** Checks that `backup` is a Chatter database this release can open; returns its version. */
const checkBackup = (backup: string): number => {
  if (!fs.existsSync(backup)) throw new MaintenanceError(`there is no backup at ${backup}`);
  let db: Database.Database;
  try {
    db = new Database(backup, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new MaintenanceError(`${backup} cannot be opened: ${(error as Error).message}`);
  }
  try {
    const version = schemaVersionOf(db);
    if (version > SCHEMA_VERSION) {
      throw new MaintenanceError(
        `${backup} has schema version ${version}, newer than this Chatter's ${SCHEMA_VERSION}; restore it with the release that wrote it`,
      );
    }
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new MaintenanceError(`${backup} is damaged: ${String(check)}`);
    const tables = db
      .prepare(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('rooms', 'messages')`,
      )
      .pluck()
      .all();
    if (tables.length !== 2) throw new MaintenanceError(`${backup} is not a Chatter database`);
    return version;
  } catch (error) {
    if (error instanceof MaintenanceError) throw error;
    throw new MaintenanceError(`${backup} cannot be read: ${(error as Error).message}`);
  } finally {
    db.close();
  }
};

/**
 * Replaces the database with `backup`, with every server stopped (the maintenance lock proves
 * it and keeps them from starting meanwhile). The backup is copied beside the database,
 * brought to the current schema and given new epochs there; only then does it replace the
 * database, in one rename. The old file's `-wal` and `-shm` go first: SQLite would otherwise
 * replay the old write-ahead log onto the restored file.
 *
 * Every epoch changes, so every client resets its copy of every room at its next join.
 */
export const restoreSqlite = (
  file: string,
  backup: string,
): DatabaseSummary & { epoch: string; fromVersion: number } => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = takeMaintenanceLock(file);
  try {
    const fromVersion = checkBackup(backup);
    const staged = `${file}.restoring`;
    removeDatabaseFiles(staged);
    fs.copyFileSync(backup, staged);
    try {
      const db = new Database(staged);
      try {
        db.pragma('journal_mode = WAL');
        migrate(db, backup);
        const { epoch } = rotateEpochsIn(db);
        const summary = summarize(db);
        db.close();
        // A closed WAL database has no -wal left: everything is in the one file now.
        syncPath(staged);
        for (const suffix of ['-wal', '-shm', '-journal']) {
          fs.rmSync(`${file}${suffix}`, { force: true });
        }
        fs.renameSync(staged, file);
        syncPath(path.dirname(file));
        return { ...summary, epoch, fromVersion };
      } finally {
        if (db.open) db.close();
      }
    } catch (error) {
      removeDatabaseFiles(staged);
      throw error;
    }
  } finally {
    lock.release();
  }
};

/** Rotates every epoch of the database in place, with every server stopped. */
export const rotateSqliteEpochs = (file: string): { rooms: number; epoch: string } => {
  if (!fs.existsSync(file)) throw new MaintenanceError(`there is no database at ${file}`);
  const lock = takeMaintenanceLock(file);
  try {
    const db = new Database(file, { fileMustExist: true });
    try {
      db.pragma('journal_mode = WAL');
      migrate(db, file);
      return rotateEpochsIn(db);
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
};
