import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.js';
import { StoreUnavailableError } from '../../src/store/chat-store.js';
import { createChatConnection, openMongoStore } from '../../src/store/mongo-open.js';
import { InvalidStoreInputError } from '../../src/store/mongo-queries.js';
import { MongoChatStore } from '../../src/store/mongo-store.js';
import { type ChatStoreFixture, describeChatStoreContract } from './chat-store-contract.js';
import { ADA, range } from './contract-context.js';
import {
  dropDatabase,
  freshDatabaseUri,
  inspect,
  MONGODB_URI,
  openTestStore,
} from './mongo-test-db.js';
import { expectConcurrentAppendsStored, runConcurrentWriters } from './writer-process.js';

// No MongoDB server can be installed everywhere the suite runs; say so plainly when skipping.
if (!MONGODB_URI) console.warn('MongoDB tests skipped: set MONGODB_URI to run them');

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('MongoChatStore without a server', () => {
  it('rejects at open, naming MongoDB and the reason, when no server answers', async () => {
    const opening = openMongoStore({
      uri: 'mongodb://127.0.0.1:1/chatter?serverSelectionTimeoutMS=300',
      writeConcern: 'majority',
      writeTimeoutMs: 1000,
    });
    await expect(opening).rejects.toThrowError(StoreUnavailableError);
    await expect(opening).rejects.toThrowError(
      /^could not connect to MongoDB at 127\.0\.0\.1:1\/chatter: no server could be selected \(.*ECONNREFUSED/,
    );
  });

  it('keeps credentials out of the error', async () => {
    const opening = openMongoStore({
      uri: 'mongodb://alice:s3cret@127.0.0.1:1/chatter?serverSelectionTimeoutMS=300',
      writeConcern: 'majority',
      writeTimeoutMs: 1000,
    });
    const error = await opening.then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );
    expect(error?.message).toMatch(/^could not connect to MongoDB at 127\.0\.0\.1:1\/chatter/);
    expect(error?.message).not.toContain('s3cret');
    expect(error?.message).not.toContain('alice');
  });

  it('rejects an option the driver cannot use as a configuration error', async () => {
    const opening = openMongoStore({
      uri: 'mongodb://127.0.0.1:1/chatter?serverSelectionTimeoutMS=soon',
      writeConcern: 'majority',
      writeTimeoutMs: 1000,
    });
    await expect(opening).rejects.toThrowError(ConfigError);
    await expect(opening).rejects.toThrowError(
      /^MONGODB_URI cannot be used: .*serverSelectionTimeoutMS/,
    );
  });

  /** A store on a connection that never opens: whatever reaches the driver fails "not connected". */
  const unconnectedStore = () => {
    const { connection, models } = createChatConnection();
    return new MongoChatStore(connection, models, '127.0.0.1:1/chatter');
  };
  const NOT_CONNECTED = /before initial connection is complete/;

  it('checks every input before building a query', async () => {
    const store = unconnectedStore();
    const hostile = { $ne: null } as unknown as string;
    // A valid call gets as far as the driver...
    await expect(store.listMessages({ room: 'general', limit: 5 })).rejects.toThrow(NOT_CONNECTED);
    // ...an operator in any value is refused before that.
    const target = { room: 'general', messageId: 'm1', actor: ADA };
    for (const call of [
      () => store.getRoom(hostile),
      () => store.viewRoom(hostile),
      () => store.listMessages({ room: hostile, limit: 5 }),
      () => store.listMessages({ room: 'general', limit: 5, after: hostile as unknown as number }),
      () => store.appendMessage({ room: 'general', author: ADA, text: 'hi', clientId: hostile }),
      () =>
        store.appendMessage({ room: 'general', author: { id: hostile, name: 'x' }, text: 'hi' }),
      () => store.appendMessage({ room: 'general', author: ADA, text: 'hi', replyTo: hostile }),
      () => store.getMessage(hostile),
      () => store.editMessage({ ...target, text: hostile }),
      () => store.editMessage({ ...target, text: 'x', clientId: hostile }),
      () => store.deleteMessage({ ...target, messageId: hostile }),
      () => store.setReaction({ ...target, emoji: hostile, on: true }),
      () => store.setReaction({ ...target, room: hostile, emoji: '👍', on: true }),
      () => store.addMember(hostile, 'general'),
      () => store.removeMember(ADA.id, hostile),
      () => store.markRead(ADA.id, 'general', hostile as unknown as number),
      () => store.readPosition(hostile, 'general'),
      () => store.listRooms(hostile),
      () => store.readReceipts(hostile, 5),
      () => store.getUsers([hostile]),
      () => store.saveUser({ id: hostile, name: 'Ada' }, new Date()),
    ]) {
      await expect(call()).rejects.toThrowError(InvalidStoreInputError);
    }
  });

  it('matches an operator that slipped into a filter literally, never as an operator', async () => {
    const { models } = createChatConnection();
    // sanitizeFilter wraps it in $eq, and a string path cannot hold an object: a cast error.
    await expect(models.Message.find({ room: { $ne: 'x' } }).lean()).rejects.toThrowError(
      /Cast to string failed/,
    );
    // strictQuery 'throw': a misspelt path fails instead of being dropped from the filter.
    await expect(models.Message.find({ rom: 'general' }).lean()).rejects.toThrowError(
      /strictQuery/,
    );
  });

  it('ping names MongoDB when it is not connected', async () => {
    await expect(unconnectedStore().ping()).rejects.toThrowError(
      new StoreUnavailableError('MongoDB at 127.0.0.1:1/chatter is not connected'),
    );
  });

  it('after close, every method rejects, and closing again is harmless', async () => {
    const store = unconnectedStore();
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    const closed = /^the MongoDB store \(127\.0\.0\.1:1\/chatter\) is closed$/;
    for (const call of [
      () => store.ping(),
      () => store.viewRoom('general'),
      () => store.getRoom('general'),
      () => store.appendMessage({ room: 'general', author: ADA, text: 'hi' }),
      () => store.listMessages({ room: 'general', limit: 5 }),
      () => store.getMessage('m1'),
      () => store.editMessage({ room: 'general', messageId: 'm1', actor: ADA, text: 'x' }),
      () => store.deleteMessage({ room: 'general', messageId: 'm1', actor: ADA }),
      () =>
        store.setReaction({ room: 'general', messageId: 'm1', actor: ADA, emoji: '👍', on: true }),
      () => store.addMember(ADA.id, 'general'),
      () => store.removeMember(ADA.id, 'general'),
      () => store.markRead(ADA.id, 'general', 1),
      () => store.readPosition(ADA.id, 'general'),
      () => store.listRooms(ADA.id),
      () => store.readReceipts('general', 5),
      () => store.saveUser(ADA, new Date()),
      () => store.getUsers([ADA.id]),
    ]) {
      await expect(call()).rejects.toThrowError(closed);
    }
  });
});

const openMongoFixture = async (): Promise<ChatStoreFixture> => {
  const uri = freshDatabaseUri();
  const stores = [await openTestStore(uri)];
  return {
    store: stores[0] as MongoChatStore,
    reopen: async () => {
      const reopened = await openTestStore(uri);
      stores.push(reopened);
      return reopened;
    },
    cleanup: async () => {
      for (const each of stores) await each.close();
      await dropDatabase(uri);
    },
  };
};

describe.skipIf(!MONGODB_URI)('MongoDB', () => {
  describeChatStoreContract('mongodb', openMongoFixture);

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

  it("creates the indexes it relies on, the changes' beside the messages'", async () => {
    const uri = freshDatabase();
    await open(uri);
    const db = await inspect(uri);
    cleanups.push(() => db.close());
    const indexes = await db.collection('messages').listIndexes().toArray();
    const byName = Object.fromEntries(indexes.map((index) => [index.name, index]));
    expect(byName.room_seq_unique).toMatchObject({ key: { room: 1, seq: 1 }, unique: true });
    expect(byName.room_author_client_id_unique).toMatchObject({
      key: { room: 1, 'author.id': 1, clientId: 1 },
      unique: true,
      partialFilterExpression: { clientId: { $exists: true } },
    });
    expect(byName.room_author_seq).toMatchObject({ key: { room: 1, 'author.id': 1, seq: 1 } });
    expect(byName.room_seq_deleted).toMatchObject({
      key: { room: 1, seq: 1, deletedAt: 1 },
      partialFilterExpression: { deletedAt: { $exists: true } },
    });
    expect(byName.change_message_prev_unique).toMatchObject({
      key: { messageId: 1, prev: 1 },
      unique: true,
      partialFilterExpression: { kind: 'change' },
    });
    expect(byName.change_room_by_edit_client_id_unique).toMatchObject({
      key: { room: 1, by: 1, editClientId: 1 },
      unique: true,
    });
    expect(byName.change_room_pending_seq).toMatchObject({
      key: { room: 1, pending: 1, seq: 1 },
      partialFilterExpression: { pending: true },
    });
    const memberships = await db.collection('memberships').listIndexes().toArray();
    expect(memberships.find((index) => index.name === 'user_room_unique')).toMatchObject({
      key: { userId: 1, room: 1 },
      unique: true,
    });
  });

  it('stores messages as plain documents: a Date, and no clientId field when none was sent', async () => {
    const uri = freshDatabase();
    const store = await open(uri);
    const plain = await store.appendMessage({ room: 'general', author: ADA, text: 'hi' });
    const db = await inspect(uri);
    cleanups.push(() => db.close());
    const doc = await db.collection('messages').findOne({ _id: plain.message.id as never });
    expect(doc).toEqual({
      _id: plain.message.id,
      room: 'general',
      seq: 1,
      ordinal: 1,
      author: ADA,
      text: 'hi',
      createdAt: new Date(plain.message.createdAt),
    });
    expect(await db.collection('rooms').findOne({ _id: 'general' as never })).toMatchObject({
      head: 1,
    });
  });

  it('two stores on one database racing for one room keep seq gap-free', async () => {
    const uri = freshDatabase();
    const [first, second] = [await open(uri), await open(uri)];
    const appends = range(1, 60).map((index) =>
      (index % 2 === 0 ? first : second).appendMessage({
        room: 'race',
        author: ADA,
        text: `m${index}`,
        clientId: `c-${index % 45}`,
      }),
    );
    const results = await Promise.all(appends);
    const created = results.filter((result) => result.created).map((result) => result.message);
    expect(created).toHaveLength(45);
    expect(created.map((message) => message.seq).sort((x, y) => x - y)).toEqual(range(1, 45));
    expect((await first.getRoom('race'))?.head).toBe(45);
  });

  it('keeps seq gap-free when several processes append to one room', async () => {
    const uri = freshDatabase();
    const writers = { room: 'shared', writers: ['w1', 'w2', 'w3', 'w4'], perWriter: 40 };
    const reported = await runConcurrentWriters({
      backend: 'mongodb',
      target: uri,
      ...writers,
      onCleanup: (cleanup) => cleanups.push(cleanup),
    });
    await expectConcurrentAppendsStored(await open(uri), writers, reported);
  }, 120_000);
});
