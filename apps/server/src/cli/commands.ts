import path from 'node:path';
import type { Config } from '../config.js';
import type { MongoStoreSettings } from '../store/mongo-options.js';
import {
  backupSqlite,
  MaintenanceError,
  restoreSqlite,
  rotateSqliteEpochs,
} from '../store/sqlite-maintenance.js';
import { databaseFile } from '../store/sqlite-store.js';

export const USAGE = `usage: pnpm chatter <command>
  backup <file>     copy the SQLite database to <file> while the server runs
  restore <file>    replace the SQLite database with <file> (servers stopped); every client resets
  rotate-epochs     give every room a new epoch (servers stopped); every client resets`;

/** A command line that names no command, or a command without what it needs. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const MONGO_BACKUPS =
  'with MONGODB_URI set, back up and restore with mongodump and mongorestore, then run `pnpm chatter rotate-epochs`';

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

const fileArgument = (args: readonly string[], command: string): string => {
  const [file, ...extra] = args;
  if (file === undefined || file === '' || extra.length > 0) {
    throw new UsageError(`${command} takes one file name\n${USAGE}`);
  }
  return path.resolve(file);
};

const mongoSettings = (config: Config & { mongodbUri: string }): MongoStoreSettings => ({
  uri: config.mongodbUri,
  writeConcern: config.mongodbWriteConcern,
  writeTimeoutMs: config.mongodbWriteTimeoutMs,
});

/** Runs one command; resolves with its one line of outcome, rejects with its one line of error. */
export const runCommand = async (argv: readonly string[], config: Config): Promise<string> => {
  const [command, ...args] = argv;
  switch (command) {
    case 'backup': {
      const destination = fileArgument(args, command);
      if (config.mongodbUri) throw new MaintenanceError(MONGO_BACKUPS);
      const source = databaseFile(config.dataDir);
      if (path.resolve(destination) === source) {
        throw new MaintenanceError('the backup must go to another file than the database');
      }
      const { rooms, messages } = await backupSqlite(source, destination);
      return `backed up ${source} to ${destination} (${plural(rooms, 'room')}, ${plural(messages, 'message')})`;
    }
    case 'restore': {
      const backup = fileArgument(args, command);
      if (config.mongodbUri) throw new MaintenanceError(MONGO_BACKUPS);
      const target = databaseFile(config.dataDir);
      const { rooms, messages, epoch } = restoreSqlite(target, backup);
      return `restored ${target} from ${backup} (${plural(rooms, 'room')}, ${plural(messages, 'message')}); every room's epoch is now ${epoch}, so clients reset`;
    }
    case 'rotate-epochs': {
      if (args.length > 0) throw new UsageError(`rotate-epochs takes no arguments\n${USAGE}`);
      if (config.mongodbUri) {
        const { openMongoStore } = await import('../store/mongo-open.js');
        const store = await openMongoStore(
          mongoSettings({ ...config, mongodbUri: config.mongodbUri }),
        );
        try {
          const { rooms, epoch } = await store.rotateEpochs();
          return `rotated the epochs of ${plural(rooms, 'room')} in MongoDB at ${store.target} to ${epoch}; clients reset at their next join`;
        } finally {
          await store.close();
        }
      }
      const file = databaseFile(config.dataDir);
      const { rooms, epoch } = rotateSqliteEpochs(file);
      return `rotated the epochs of ${plural(rooms, 'room')} in ${file} to ${epoch}; clients reset at their next join`;
    }
    case undefined:
    case 'help':
    case '--help':
      throw new UsageError(USAGE);
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
};
