import mongoose, { type Connection } from 'mongoose';
import { type ChatModels, registerModels } from '../models/models.js';
import type { Logger } from '../utils/logger.js';
import { type CommitObserver, StoreUnavailableError } from './chat-store.js';
import { isCreationRace, type OpenStep, openFailure } from './mongo-errors.js';
import { prepareMeta } from './mongo-meta.js';
import {
  connectOptions,
  describeTarget,
  type MongoStoreSettings,
  withoutWriteConcern,
} from './mongo-options.js';
import { MongoChatStore } from './mongo-store.js';

/**
 * A connection that is not open yet, with Chatter's models compiled on it. Its own connection,
 * not mongoose's global one, so several stores can be open in one process.
 */
export const createChatConnection = (): { connection: Connection; models: ChatModels } => {
  const connection = mongoose.createConnection();
  // Also passed to openUri; set here too so queries built before it opens are sanitized alike.
  connection.set('sanitizeFilter', true);
  return { connection, models: registerModels(connection) };
};

/**
 * Connects, creates the indexes and returns the store; rejects with a ConfigError or a
 * StoreUnavailableError that names MongoDB and the reason. Never falls back to another store.
 *
 * Indexes are created here, on purpose, rather than by mongoose's `autoIndex` in the background:
 * the unique indexes are what keep `seq` gap-free and sends idempotent, so the store must not
 * accept a write before they exist, and a failure (say, duplicates already in the data) must stop
 * the server instead of being logged and ignored. `createIndexes` only adds missing indexes; it
 * never drops one an operator added (as `syncIndexes` would), and it is safe for several
 * processes starting at once.
 */
export const openMongoStore = async (
  settings: MongoStoreSettings,
  logger?: Logger,
  onCommit?: CommitObserver,
): Promise<MongoChatStore> => {
  const target = describeTarget(settings.uri);
  const { connection, models } = createChatConnection();
  const fail = async (error: unknown, step: OpenStep) => {
    await connection.close(true).catch(() => {});
    return openFailure(error, target, step);
  };
  const { uri, removed } = withoutWriteConcern(settings.uri);
  if (removed.length > 0) {
    logger?.warn(
      { ignored: removed },
      `MONGODB_URI sets ${removed.join(', ')}; ignored, CHATTER_MONGODB_WRITE_CONCERN and ` +
        'CHATTER_MONGODB_WRITE_TIMEOUT_MS decide',
    );
  }
  try {
    await connection.openUri(uri, connectOptions(settings));
  } catch (error) {
    throw await fail(error, 'connect');
  }
  // Messages and changes share a collection; each model creates its own indexes on it.
  for (const model of [
    models.Room,
    models.Message,
    models.Change,
    models.Membership,
    models.User,
  ]) {
    try {
      await model.createIndexes().catch(async (error: unknown) => {
        // Another process created the collection at the same moment; it exists now.
        if (!isCreationRace(error)) throw error;
        await model.createIndexes();
      });
    } catch (error) {
      throw await fail(error, 'create-indexes');
    }
  }
  try {
    await prepareMeta(connection.db as NonNullable<typeof connection.db>, target);
  } catch (error) {
    // A newer schema is the operator's to sort out: its message says so in one line already.
    if (!(error instanceof StoreUnavailableError)) throw await fail(error, 'check-schema');
    await connection.close(true).catch(() => {});
    throw error;
  }
  return new MongoChatStore(connection, models, target, logger, onCommit);
};
