import { afterEach, describe, expect, it } from 'vitest';
import { MONGO_SCHEMA_VERSION } from '../../src/store/mongo-meta.js';
import { ADA } from './contract-context.js';
import {
  dropDatabase,
  freshDatabaseUri,
  inspect,
  MONGODB_URI,
  openTestStore,
} from './mongo-test-db.js';

// No MongoDB server can be installed everywhere the suite runs; say so plainly when skipping.
if (!MONGODB_URI) console.warn('MongoDB schema-version tests skipped: set MONGODB_URI to run them');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const freshDatabase = () => {
  const uri = freshDatabaseUri();
  cleanups.push(() => dropDatabase(uri));
  return uri;
};

const open = async (uri: string) => {
  const store = await openTestStore(uri);
  cleanups.push(() => store.close());
  return store;
};

const look = async (uri: string) => {
  const connection = await inspect(uri);
  cleanups.push(() => connection.close());
  const db = connection.db;
  if (!db) throw new Error('not connected');
  return db;
};

describe.skipIf(!MONGODB_URI)('MongoDB schema version and epochs', () => {
  it('records the schema version and a default epoch at first start', async () => {
    const uri = freshDatabase();
    await open(uri);
    const meta = (await look(uri)).collection('meta');
    expect(await meta.findOne({ _id: 'schema' as never })).toMatchObject({
      version: MONGO_SCHEMA_VERSION,
    });
    expect(await meta.findOne({ _id: 'default_epoch' as never })).toMatchObject({
      epoch: expect.any(String),
    });
  });

  it('refuses to start on a database from a newer version', async () => {
    const uri = freshDatabase();
    const db = await look(uri);
    await db
      .collection('meta')
      .insertOne({ _id: 'schema' as never, version: MONGO_SCHEMA_VERSION + 1 });
    await expect(openTestStore(uri)).rejects.toThrow(
      `has schema version ${MONGO_SCHEMA_VERSION + 1}, newer than this Chatter's ${MONGO_SCHEMA_VERSION}`,
    );
  });

  it('stores no room document for a room only viewed; the first message takes the default epoch', async () => {
    const uri = freshDatabase();
    const store = await open(uri);
    const view = await store.viewRoom('quiet');
    expect(await (await look(uri)).collection('rooms').countDocuments()).toBe(0);
    await store.appendMessage({ room: 'quiet', author: ADA, text: 'first' });
    expect((await store.getRoom('quiet'))?.epoch).toBe(view.epoch);
  });

  it('rotateEpochs gives every room and the default epoch a new epoch', async () => {
    const uri = freshDatabase();
    const store = await open(uri);
    await store.appendMessage({ room: 'a', author: ADA, text: 'x' });
    await store.appendMessage({ room: 'b', author: ADA, text: 'y' });
    const before = await Promise.all(['a', 'b', 'never'].map((room) => store.viewRoom(room)));
    const { rooms, epoch } = await store.rotateEpochs();
    expect(rooms).toBe(2);
    const after = await Promise.all(['a', 'b', 'never'].map((room) => store.viewRoom(room)));
    for (const [i, view] of after.entries()) {
      expect(view.epoch).toBe(epoch);
      expect(view.epoch).not.toBe(before[i]?.epoch);
      expect(view.head).toBe(before[i]?.head);
    }
  });
});
