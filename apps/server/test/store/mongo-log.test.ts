import { afterEach, describe, expect, it } from 'vitest';
import { ADA, BOB, range } from './contract-context.js';
import {
  dropDatabase,
  freshDatabaseUri,
  inspect,
  MONGODB_URI,
  openTestStore,
} from './mongo-test-db.js';

// The room log on a real server: how changes are stored, repaired and raced. The contract
// (mongo-store.test.ts) checks what they answer; these look at the documents too.
if (!MONGODB_URI) console.warn('MongoDB room-log tests skipped: set MONGODB_URI to run them');

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

describe.skipIf(!MONGODB_URI)('MongoDB room log', () => {
  it('stores a change as an entry of the log, applied and no longer pending', async () => {
    const uri = freshDatabase();
    const store = await open(uri);
    const { message } = await store.appendMessage({ room: 'general', author: ADA, text: 'hi' });
    const edited = await store.editMessage({
      room: 'general',
      messageId: message.id,
      actor: ADA,
      text: 'hello',
      clientId: 'e-1',
    });
    await store.close();
    const db = await inspect(uri);
    cleanups.push(() => db.close());
    const entries = await db
      .collection('messages')
      .find({ room: 'general' })
      .sort({ seq: 1 })
      .toArray();
    expect(entries).toEqual([
      {
        _id: message.id,
        room: 'general',
        seq: 1,
        ordinal: 1,
        author: ADA,
        text: 'hello',
        createdAt: new Date(message.createdAt),
        editedAt: new Date(edited.change?.at ?? ''),
        lastChangeSeq: 2,
      },
      {
        _id: expect.any(String),
        room: 'general',
        seq: 2,
        ordinal: 1,
        kind: 'change',
        type: 'edited',
        messageId: message.id,
        prev: 0,
        by: ADA.id,
        at: new Date(edited.change?.at ?? ''),
        text: 'hello',
        editClientId: 'e-1',
      },
    ]);
  });

  it('a deletion removes the text from the message and from its edits', async () => {
    const uri = freshDatabase();
    const store = await open(uri);
    const { message } = await store.appendMessage({ room: 'general', author: ADA, text: 'draft' });
    const target = { room: 'general', messageId: message.id, actor: ADA };
    await store.editMessage({ ...target, text: 'secret' });
    await store.setReaction({ ...target, actor: BOB, emoji: '👍', on: true });
    await store.deleteMessage(target);
    const db = await inspect(uri);
    cleanups.push(() => db.close());
    const texts = await db
      .collection('messages')
      .find({ text: { $exists: true } })
      .toArray();
    expect(texts).toEqual([]);
    expect(
      await db.collection('messages').findOne({ _id: message.id as never }),
    ).not.toHaveProperty('reactions');
  });

  it('a change left pending by a process that died is applied by the next read', async () => {
    const uri = freshDatabase();
    const store = await open(uri);
    const { message } = await store.appendMessage({ room: 'general', author: ADA, text: 'hi' });
    await store.appendMessage({ room: 'general', author: BOB, text: 'yes' });
    // The dead process inserted its entry (the change happened) but never applied it.
    const db = await inspect(uri);
    cleanups.push(() => db.close());
    const at = new Date();
    await db.collection('messages').insertOne({
      _id: 'orphan-entry' as never,
      room: 'general',
      seq: 3,
      ordinal: 2,
      kind: 'change',
      type: 'reaction_added',
      messageId: message.id,
      prev: 0,
      by: BOB.id,
      at,
      emoji: '👍',
      pending: true,
    });
    const reacted = { emoji: '👍', count: 1, users: [BOB.id] };
    expect((await store.getMessage(message.id))?.reactions).toEqual([reacted]);
    expect(await db.collection('messages').countDocuments({ pending: true })).toBe(0);
    const page = await store.listMessages({ room: 'general', limit: 10, after: 0 });
    expect(page.changes).toMatchObject([{ seq: 3, type: 'reaction_added', emoji: '👍' }]);
    expect(page.messages[0]?.reactions).toEqual([reacted]);

    // Another one, found by a writer: its change of the same message goes after it.
    await db.collection('messages').insertOne({
      _id: 'orphan-entry-2' as never,
      room: 'general',
      seq: 4,
      ordinal: 2,
      kind: 'change',
      type: 'edited',
      messageId: message.id,
      prev: 3,
      by: ADA.id,
      at,
      text: 'hi, edited by the dead',
      pending: true,
    });
    const result = await store.setReaction({
      room: 'general',
      messageId: message.id,
      actor: ADA,
      emoji: '🎉',
      on: true,
    });
    expect(result.change?.seq).toBe(5);
    expect(result.message).toMatchObject({ text: 'hi, edited by the dead' });
    expect(result.message.reactions?.map((reaction) => reaction.emoji)).toEqual(['👍', '🎉']);
    // Closing waits for the writer to mark its own entry applied, which it does after answering.
    await store.close();
    expect(await db.collection('messages').countDocuments({ pending: true })).toBe(0);
  });

  it('upgrades a version 1 database: messages get their ordinal, and the log goes on', async () => {
    const uri = freshDatabase();
    const db = await inspect(uri);
    cleanups.push(() => db.close());
    const createdAt = new Date('2026-01-01T00:00:00.000Z');
    await db.collection('meta').insertMany([
      { _id: 'schema' as never, version: 1, updatedAt: createdAt },
      { _id: 'default_epoch' as never, epoch: 'epoch-1' },
    ]);
    await db.collection('rooms').insertOne({
      _id: 'general' as never,
      epoch: 'epoch-1',
      head: 3,
      createdAt,
    });
    await db.collection('messages').insertMany(
      [1, 2, 3].map((seq) => ({
        _id: `old-${seq}` as never,
        room: 'general',
        seq,
        author: seq === 2 ? BOB : ADA,
        text: `old ${seq}`,
        createdAt,
      })),
    );
    const store = await open(uri);
    expect(
      await db
        .collection('messages')
        .find()
        .sort({ seq: 1 })
        .map((doc) => doc.ordinal)
        .toArray(),
    ).toEqual([1, 2, 3]);
    expect((await db.collection('meta').findOne({ _id: 'schema' as never }))?.version).toBe(2);
    expect(await store.readPosition(BOB.id, 'general')).toEqual({ readSeq: 0, unread: 2, head: 3 });
    const { message } = await store.appendMessage({ room: 'general', author: ADA, text: 'new' });
    expect(message.seq).toBe(4);
    expect(await store.readPosition(BOB.id, 'general')).toEqual({ readSeq: 0, unread: 3, head: 4 });
  });

  it('two stores on one database changing one message at once apply every change once', async () => {
    const uri = freshDatabase();
    const [first, second] = [await open(uri), await open(uri)];
    const { message } = await first.appendMessage({ room: 'race', author: ADA, text: 'hi' });
    const users = range(1, 20).map((n) => ({ id: `user-${n}`, name: `User ${n}` }));
    // Every user reacts twice (once through each store) and Ada edits through both.
    const writes = users.flatMap((user) =>
      [first, second].map((store) =>
        store.setReaction({
          room: 'race',
          messageId: message.id,
          actor: user,
          emoji: '👍',
          on: true,
        }),
      ),
    );
    const results = await Promise.all([
      ...writes,
      first.editMessage({
        room: 'race',
        messageId: message.id,
        actor: ADA,
        text: 'a',
        clientId: 'e',
      }),
      second.editMessage({
        room: 'race',
        messageId: message.id,
        actor: ADA,
        text: 'a',
        clientId: 'e',
      }),
    ]);
    const seqs = [...new Set(results.flatMap((result) => result.change?.seq ?? []))];
    // One entry per user, one edit: 21 changes after the message, gap-free.
    expect(seqs.sort((x, y) => x - y)).toEqual(range(2, 22));
    const latest = await second.getMessage(message.id);
    expect(latest?.text).toBe('a');
    expect(latest?.reactions?.[0]?.count).toBe(users.length);
    expect((await first.getRoom('race'))?.head).toBe(22);
  });
});
