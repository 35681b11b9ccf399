import { isDeepStrictEqual } from 'node:util';
import type { Message } from '@chatter/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChatterClient,
  createChatterClient,
  createMemoryOutbox,
  type OutboxStorage,
  type ReadState,
  type Room,
} from '../src/index.js';
import { FAST_RECONNECTION, FAST_TIMEOUTS } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

/**
 * Issue 13: every change is an entry of the room's log. Edits, deletions and reactions reach
 * every client once, live or caught up; they go through the outbox like sends; read positions
 * and unread counts follow the user across devices.
 */
const server = new ServerProcess();
let proxy: FaultyProxy;

beforeAll(async () => {
  await server.start();
  proxy = new FaultyProxy(() => server.port);
  await proxy.listen();
});
afterAll(async () => {
  await proxy.close();
  await server.dispose();
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  proxy.refuse(false);
  proxy.refuseUpgrades(false);
  proxy.loseReplies = false;
  proxy.loseMessageEvents = 0;
});

let roomCounter = 0;
const freshRoom = () => `log-${process.pid}-${++roomCounter}`;

interface Person {
  chat: ChatterClient;
  room: Room;
  /** Every log entry the room reported, in order: `seq type`. */
  log: string[];
}

const user = (id: string) => ({ id, name: id });

const client = (
  userId: string,
  options: { viaProxy?: boolean; outbox?: OutboxStorage } = {},
): ChatterClient => {
  const chat = createChatterClient({
    url: options.viaProxy ? proxy.url : server.url,
    getToken: () => server.token(user(userId)),
    ...(options.outbox ? { outbox: options.outbox } : {}),
    ...FAST_RECONNECTION,
    ...FAST_TIMEOUTS,
  });
  cleanups.push(() => chat.close());
  return chat;
};

/** Records the log entries `room` reports, in the order it reports them. */
const recordLog = (room: Room): string[] => {
  const log: string[] = [];
  room.on('message', (message) => log.push(`${message.seq} message`));
  for (const event of ['edited', 'deleted', 'reaction'] as const) {
    room.on(event, (change) => log.push(`${change.seq} ${change.type}`));
  }
  return log;
};

const enter = async (
  userId: string,
  roomName: string,
  options: { viaProxy?: boolean; outbox?: OutboxStorage } = {},
): Promise<Person> => {
  const chat = client(userId, options);
  const room = await chat.join(roomName);
  return { chat, room, log: recordLog(room) };
};

/** The server's log of `room` as `seq type` lines, and its messages in their latest state. */
const serverLog = async (room: string) => {
  const { messages, changes } = await server.log(room);
  const entries = [
    ...messages.map((message) => ({ seq: message.seq, line: `${message.seq} message` })),
    ...changes.map((change) => ({ seq: change.seq, line: `${change.seq} ${change.type}` })),
  ].sort((a, b) => a.seq - b.seq);
  return { messages, changes, lines: entries.map((entry) => entry.line) };
};

/** Waits until every room holds the server's messages, in their latest state. */
const untilInStep = async (roomName: string, ...rooms: Room[]): Promise<Message[]> => {
  let messages: Message[] = [];
  await waitFor('the rooms to hold the server’s messages', async () => {
    messages = (await server.log(roomName)).messages;
    return rooms.every((room) => isDeepStrictEqual(room.messages, messages));
  });
  return messages;
};

/**
 * An acknowledged round trip on `chat`'s connection: what the server sent it before answering
 * has been handled once this resolves, so anything else would have arrived by now.
 */
const barrier = async (chat: ChatterClient) => {
  await chat.rooms();
};

describe('edits, deletions, reactions and replies', () => {
  it('show live in every client, in their latest state, each reported once', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name);
    const bob = await enter('bob', name);

    const hello = await ada.room.send('hello');
    const reply = await bob.room.send('hi Ada', { replyTo: hello.id });
    expect(reply.replyTo).toEqual({
      id: hello.id,
      seq: hello.seq,
      author: hello.author,
      excerpt: 'hello',
    });

    const edited = await ada.room.edit(hello.id, 'hello, world');
    expect(edited).toMatchObject({ id: hello.id, seq: hello.seq, text: 'hello, world' });
    expect(edited.editedAt).toEqual(expect.any(String));
    await bob.room.react(hello.id, '👍');
    const both = await ada.room.react(hello.id, '👍');
    expect(both.reactions).toEqual([{ emoji: '👍', count: 2, users: ['bob', 'ada'] }]);
    await ada.room.unreact(hello.id, '👍');
    await untilInStep(name, ada.room, bob.room);
    // What a UI reads stays the same array until something changes.
    for (const read of [
      () => bob.room.messages,
      () => bob.room.pending,
      () => bob.room.typingUsers,
      () => bob.room.readPositions,
      () => bob.chat.pending,
      () => bob.chat.joinedRooms,
    ]) {
      expect(read()).toBe(read());
    }
    expect(bob.room.messages[0]?.reactions).toEqual([{ emoji: '👍', count: 1, users: ['bob'] }]);
    expect(bob.room.messages[1]?.replyTo?.excerpt).toBe('hello, world');

    const deleted = await ada.room.delete(hello.id);
    expect(deleted).toMatchObject({ id: hello.id, text: '' });
    expect(deleted.deletedAt).toEqual(expect.any(String));
    expect(deleted.reactions).toBeUndefined();
    const messages = await untilInStep(name, ada.room, bob.room);
    expect(bob.room.messages[1]?.replyTo).toEqual({ ...reply.replyTo, excerpt: '', deleted: true });
    expect(messages[1]?.replyTo).toEqual({ ...reply.replyTo, excerpt: '', deleted: true });

    await barrier(ada.chat);
    await barrier(bob.chat);
    const { lines } = await serverLog(name);
    expect(lines).toEqual([
      '1 message',
      '2 message',
      '3 edited',
      '4 reaction_added',
      '5 reaction_added',
      '6 reaction_removed',
      '7 deleted',
    ]);
    // Each client reports every entry once, its own changes included.
    expect(ada.log).toEqual(lines);
    expect(bob.log).toEqual(lines);
  });

  it('are refused for good with the server’s reason, and left failed in `pending`', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name);
    const bob = await enter('bob', name);
    const hello = await ada.room.send('hello');

    await expect(bob.room.edit(hello.id, 'not yours')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(bob.room.pending).toEqual([
      expect.objectContaining({ kind: 'edit', messageId: hello.id, state: 'failed' }),
    ]);
    const [failed] = bob.room.pending;
    expect(await bob.room.discard(failed?.clientId ?? '')).toBe(true);
    await expect(bob.room.delete(hello.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(ada.room.react('no-such-message', '👍')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // Checked before anything is queued: no entry at all.
    await expect(ada.room.react(hello.id, 'not an emoji')).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(ada.room.edit('not an id!', 'text')).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(ada.room.send('reply', { replyTo: '' })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    expect(ada.room.pending.map((entry) => entry.kind)).toEqual(['react']);
    expect(ada.room.messages).toEqual([hello]);
  });
});

describe('catching up on changes', () => {
  it('applies changes made while a client was offline once each, in order with messages', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name);
    const bob = await enter('bob', name, { viaProxy: true });
    const first = await ada.room.send('first');
    const second = await ada.room.send('second');
    await untilInStep(name, bob.room);

    proxy.refuse(true);
    await waitFor('Bob to notice', () => bob.chat.connectionStatus === 'connecting');
    await ada.room.edit(first.id, 'first, edited while Bob was away');
    await server.react(second.id, '🎉', user('carol'));
    await ada.room.send('third');
    await ada.room.delete(second.id);
    await server.react(first.id, '👀', user('carol'));
    const framesBefore = proxy.clientFrames.length;
    proxy.refuse(false);

    await untilInStep(name, bob.room);
    await barrier(bob.chat);
    // The join replayed every entry after what Bob held, changes too: no gap left to fetch.
    const historyRequests = proxy.clientFrames
      .slice(framesBefore)
      .filter((frame) => /^42\d*\["history"/.test(frame));
    expect(historyRequests).toEqual([]);
    const { lines } = await serverLog(name);
    expect(lines.slice(2)).toEqual([
      '3 edited',
      '4 reaction_added',
      '5 message',
      '6 deleted',
      '7 reaction_added',
    ]);
    expect(bob.log).toEqual(lines);
    expect(bob.room.messages.map((message) => message.text)).toEqual([
      'first, edited while Bob was away',
      '',
      'third',
    ]);
  });

  it('reports a change that arrives both live and in a catch-up page once', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name);
    const bob = await enter('bob', name, { viaProxy: true });
    const hello = await ada.room.send('hello');
    await untilInStep(name, bob.room);

    // The edit's broadcast is lost; the reaction after it shows the gap, and the page that
    // fills it holds the reaction again.
    proxy.loseMessageEvents = 1;
    await ada.room.edit(hello.id, 'edited');
    await waitFor('the broadcast to be lost', () => proxy.loseMessageEvents === 0);
    await ada.room.react(hello.id, '👍');
    await untilInStep(name, bob.room);
    // And the last two delivered again, as a relay that repeats itself would.
    proxy.redeliver(2);
    await barrier(bob.chat);

    expect(bob.log).toEqual(['1 message', '2 edited', '3 reaction_added']);
    expect(bob.room.messages).toEqual((await server.log(name)).messages);
  });
});

describe('changes in the outbox', () => {
  it('queued while disconnected, are shown as pending and applied once after reconnecting', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name, { viaProxy: true });
    const hello = await ada.room.send('hello');

    proxy.refuse(true);
    await waitFor('the drop to be noticed', () => ada.chat.connectionStatus === 'connecting');
    const edit = ada.room.edit(hello.id, 'edited offline');
    const reaction = ada.room.react(hello.id, '🎉');
    const reply = ada.room.send('and a reply', { replyTo: hello.id });
    await waitFor('the entries to be pending', () => ada.room.pending.length === 3);
    expect(ada.room.pending).toEqual([
      expect.objectContaining({ kind: 'edit', messageId: hello.id, text: 'edited offline' }),
      expect.objectContaining({ kind: 'react', messageId: hello.id, emoji: '🎉', text: '' }),
      expect.objectContaining({ kind: 'message', replyTo: hello.id, text: 'and a reply' }),
    ]);
    expect(ada.room.pending.every((entry) => entry.state === 'queued')).toBe(true);
    proxy.refuse(false);

    const [edited, reacted, replied] = await Promise.all([edit, reaction, reply]);
    expect(edited.text).toBe('edited offline');
    expect(reacted.reactions).toEqual([{ emoji: '🎉', count: 1, users: ['ada'] }]);
    expect(replied.replyTo).toMatchObject({ id: hello.id, excerpt: 'edited offline' });
    const { lines } = await serverLog(name);
    expect(lines).toEqual(['1 message', '2 edited', '3 reaction_added', '4 message']);
    await untilInStep(name, ada.room);
    expect(ada.room.pending).toEqual([]);
  });

  it('resends an edit whose answer was lost with its clientId, and it applies once', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name, { viaProxy: true });
    const hello = await ada.room.send('hello');

    proxy.loseReplies = true;
    const edit = ada.room.edit(hello.id, 'edited once');
    await waitFor(
      'the edit to be stored',
      async () => (await server.log(name)).changes.length === 1,
    );
    proxy.drop();
    proxy.loseReplies = false;
    // Then a second edit, which must come after the first (the outbox keeps the order).
    const later = ada.room.edit(hello.id, 'edited twice');
    expect((await edit).id).toBe(hello.id);
    expect((await later).text).toBe('edited twice');

    const { changes, lines } = await serverLog(name);
    expect(lines).toEqual(['1 message', '2 edited', '3 edited']);
    expect(changes[0]?.clientId).toEqual(expect.any(String));
    expect(changes[1]?.clientId).not.toBe(changes[0]?.clientId);
    await untilInStep(name, ada.room);
    expect(ada.room.messages[0]?.text).toBe('edited twice');
    await barrier(ada.chat);
    expect(ada.log).toEqual(lines);
  });

  it('survive a restart with a persistent outbox, next to entries an earlier version kept', async () => {
    const name = freshRoom();
    const outbox = createMemoryOutbox();
    const before = client('ada', { viaProxy: true, outbox });
    const room = await before.join(name);
    const hello = await room.send('hello');

    proxy.refuse(true);
    await waitFor('the drop to be noticed', () => before.connectionStatus === 'connecting');
    const waiting = [
      room.edit(hello.id, 'edited before the restart'),
      room.react(hello.id, '👍'),
      room.delete(hello.id),
    ].map((promise) => promise.catch((error: unknown) => error));
    await waitFor('three entries', () => room.pending.length === 3);
    before.close();
    for (const outcome of await Promise.all(waiting)) {
      expect(outcome).toMatchObject({ code: 'CLOSED' });
    }
    const kept = await outbox.load('ada');
    expect(kept.map(({ kind, messageId, emoji }) => ({ kind, messageId, emoji }))).toEqual([
      { kind: 'edit', messageId: hello.id, emoji: undefined },
      { kind: 'react', messageId: hello.id, emoji: '👍' },
      { kind: 'delete', messageId: hello.id, emoji: undefined },
    ]);
    // Kept by a version of the SDK from before edits: no `kind`, a message.
    outbox.put({
      clientId: `legacy-${name}`,
      userId: 'ada',
      room: name,
      text: 'from an older version',
      createdAt: new Date().toISOString(),
    });
    proxy.refuse(false);

    const after = await enter('ada', name, { outbox });
    await waitFor('the outbox to be sent', async () => (await outbox.load('ada')).length === 0);
    const { messages, lines } = await serverLog(name);
    expect(lines).toEqual(['1 message', '2 edited', '3 reaction_added', '4 deleted', '5 message']);
    expect(messages.map((message) => message.text)).toEqual(['', 'from an older version']);
    await untilInStep(name, after.room);
    expect(after.chat.pending).toEqual([]);
  });
});

describe('read state', () => {
  it('markRead moves the read position on every device of the user, forward only', async () => {
    const name = freshRoom();
    const laptop = await enter('ada', name);
    const phone = await enter('ada', name);
    const bob = await enter('bob', name);
    const reads: ReadState[] = [];
    phone.room.on('read', (state) => reads.push(state));
    for (const text of ['one', 'two', 'three']) await bob.room.send(text);
    await untilInStep(name, laptop.room, phone.room);
    expect(laptop.room.unreadCount).toBe(3);
    expect(phone.room.unreadCount).toBe(3);

    const state = await laptop.room.markRead();
    expect(state).toEqual({ room: name, seq: 3, unread: 0, head: 3 });
    expect(laptop.room.readSeq).toBe(3);
    expect(laptop.room.unreadCount).toBe(0);
    await waitFor('the phone to hear of it', () => phone.room.readSeq === 3);
    expect(phone.room.unreadCount).toBe(0);
    expect(reads).toEqual([expect.objectContaining({ room: name, seq: 3, unread: 0 })]);

    // Never backwards: resolves with where reading stands, and asks nothing.
    await expect(phone.room.markRead(1)).resolves.toMatchObject({ seq: 3, unread: 0 });
    expect((await server.rooms(user('ada'))).find((each) => each.room === name)).toMatchObject({
      readSeq: 3,
      unread: 0,
    });
  });

  it('markRead while disconnected is sent after the next join', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name, { viaProxy: true });
    await server.post(name, 'one');
    await server.post(name, 'two');
    await untilInStep(name, ada.room);
    proxy.refuse(true);
    await waitFor('the drop to be noticed', () => ada.chat.connectionStatus === 'connecting');
    const read = ada.room.markRead();
    proxy.refuse(false);
    await expect(read).resolves.toMatchObject({ seq: 2, unread: 0 });
    expect((await server.rooms(user('ada'))).find((each) => each.room === name)?.readSeq).toBe(2);
  });

  it('unreadCount follows messages by others and their deletion, as the server counts', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name);
    const bob = await enter('bob', name);
    const serverCount = async () =>
      (await server.rooms(user('ada'))).find((each) => each.room === name)?.unread;

    const sent: Message[] = [];
    for (const text of ['one', 'two', 'three']) sent.push(await bob.room.send(text));
    await ada.room.send('mine does not count');
    await untilInStep(name, ada.room);
    expect(ada.room.unreadCount).toBe(3);
    expect(await serverCount()).toBe(3);

    await bob.room.edit(sent[0]?.id ?? '', 'edits do not count');
    await bob.room.delete(sent[1]?.id ?? '');
    await untilInStep(name, ada.room);
    expect(ada.room.unreadCount).toBe(2);
    expect(await serverCount()).toBe(2);

    await ada.room.markRead(sent[0]?.seq);
    expect(ada.room.unreadCount).toBe(1);
    await bob.room.delete(sent[0]?.id ?? ''); // read already: no change
    await bob.room.send('four');
    await untilInStep(name, ada.room);
    expect(ada.room.unreadCount).toBe(2);
    expect(await serverCount()).toBe(2);

    // Another device starts from the server's count.
    const other = await enter('ada', name);
    expect(other.room.unreadCount).toBe(2);
    expect(other.room.readSeq).toBe(sent[0]?.seq);
  });

  it('readBy lists who else read a message, from receipts and from the join', async () => {
    const name = freshRoom();
    const ada = await enter('ada', name);
    const bob = await enter('bob', name);
    const carol = await enter('carol', name);
    const first = await ada.room.send('first');
    const second = await ada.room.send('second');
    const byBob = await bob.room.send('third, by Bob');
    await untilInStep(name, carol.room);
    expect(ada.room.readBy(first.id)).toEqual([]);

    expect(await bob.room.markRead()).toMatchObject({ seq: byBob.seq });
    expect(await carol.room.markRead(first.seq)).toMatchObject({ seq: first.seq });
    await waitFor('the receipts', () => ada.room.readBy(first.id).length === 2);
    expect(ada.room.readBy(first.id)).toEqual(['bob', 'carol']);
    expect(ada.room.readBy(second.id)).toEqual(['bob']);
    // The author is not listed as a reader of their own message.
    await waitFor('the third message', () => ada.room.messages.length === 3);
    expect(ada.room.readBy(byBob.id)).toEqual([]);
    expect(Object.fromEntries(ada.room.readPositions)).toEqual({
      bob: byBob.seq,
      carol: first.seq,
    });
    // The same array until a position moves.
    expect(ada.room.readBy(first.id)).toBe(ada.room.readBy(first.id));

    const later = await enter('ada', name);
    expect(later.room.readBy(first.id)).toEqual(['bob', 'carol']);
    expect(later.room.readBy('not-held')).toEqual([]);
  });

  it('chat.rooms() lists the rooms the server keeps for the user, over the socket or REST', async () => {
    const general = freshRoom();
    const random = freshRoom();
    const chat = client('dora', { viaProxy: true });
    await chat.join(general);
    await chat.join(random);
    await server.post(random, 'hello Dora');
    await waitFor('the message', () =>
      chat.joinedRooms.some((room) => room.name === random && room.messages.length === 1),
    );

    const listed = await chat.rooms();
    const summaries = listed.filter((each) => each.room === general || each.room === random);
    expect(summaries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ room: general, head: 0, readSeq: 0, unread: 0 }),
        expect.objectContaining({ room: random, head: 1, readSeq: 0, unread: 1 }),
      ]),
    );
    expect(summaries).toHaveLength(2);

    proxy.refuseUpgrades(true);
    await waitFor('the socket to drop', () => chat.connectionStatus === 'connecting');
    const requests = proxy.httpRequests.length;
    expect(await chat.rooms()).toEqual(listed);
    expect(proxy.httpRequests.slice(requests)).toContain('/api/rooms');
  });
});
