import { randomUUID } from 'node:crypto';
import { ConnectionString } from 'mongodb-connection-string-url';
import mongoose from 'mongoose';
import { openMongoStore } from '../../src/store/mongo-open.js';
import type { MongoChatStore } from '../../src/store/mongo-store.js';

/** The server the MongoDB tests run against; they are skipped when it is unset. */
export const MONGODB_URI = process.env.MONGODB_URI || undefined;

/** The same server, with a database name of its own for one test. */
export const freshDatabaseUri = (): string => {
  if (!MONGODB_URI) throw new Error('MONGODB_URI is not set');
  const uri = new ConnectionString(MONGODB_URI);
  uri.pathname = `/chatter_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  return uri.toString();
};

export const openTestStore = (uri: string): Promise<MongoChatStore> =>
  openMongoStore({ uri, writeConcern: 'majority', writeTimeoutMs: 10_000 });

export const dropDatabase = async (uri: string): Promise<void> => {
  const connection = await mongoose.createConnection(uri).asPromise();
  try {
    await connection.dropDatabase();
  } finally {
    await connection.close();
  }
};

/** A plain connection for looking at what the store wrote. */
export const inspect = (uri: string) => mongoose.createConnection(uri).asPromise();
