import type { Message, Presence, TypingEvent } from '@chatter/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChatterClient,
  ChatterError,
  createChatterClient,
  createGuestSession,
  createMemoryOutbox,
  isChatterError,
  type OutboxStorage,
} from '../src/index.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

const server = new ServerProcess();
const clients: ChatterClient[] = [];

beforeAll(() => server.start());
afterAll(() => server.dispose());
const cleanups: Array<() => unknown> = [];
const onCleanup = (cleanup: () => unknown) => cleanups.push(cleanup);
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let roomCounter = 0;
const freshRoom = () => `chat-${process.pid}-${++roomCounter}`;

const guest = async (name: string) => {
  const session = await createGuestSession(server.url, name);
  const chat = createChatterClient({ url: server.url, token: session.token });
  clients.push(chat);
  return { chat, user: session.user };
};

describe('two people chatting', () => {
  it('delivers each message to both, once, with the stored id and seq', async () => {
    const name = freshRoom();
    const ada = await guest('Ada');
    const bob = await guest('Bob');
    const adaRoom = await ada.chat.join(name);
    const bobRoom = await bob.chat.join(name);
    const seenByBob: Message[] = [];
    bobRoom.on('message', (message) => seenByBob.push(message));

    const hello = await adaRoom.send('hello Bob');
    const reply = await bobRoom.send('hi Ada');

    expect(hello).toMatchObject({ room: name, seq: 1, text: 'hello Bob', author: ada.user });
    expect(reply).toMatchObject({ seq: 2, author: bob.user });
    await waitFor('both messages at Ada', () => adaRoom.messages.length === 2);
    expect(adaRoom.messages).toEqual([hello, reply]);
    expect(bobRoom.messages).toEqual([hello, reply]);
    expect(seenByBob).toEqual([hello, reply]);
    expect(await server.history(name)).toEqual([hello, reply]);
  });

  it('starts a room with its newest page and reads older pages on request', async () => {
    const name = freshRoom();
    for (let i = 1; i <= 130; i++) await server.post(name, `message ${i}`);
    const { chat } = await guest('Reader');
    const room = await chat.join(name);

    expect(room.messages.map((m) => m.seq)).toEqual(range(31, 130));
    expect(room.hasMoreHistory).toBe(true);

    const page = await room.history({ before: room.messages[0]?.seq, limit: 20 });
    expect(page.messages.map((m) => m.seq)).toEqual(range(11, 30));
    expect(page.hasMore).toBe(true);
    expect(room.messages.map((m) => m.seq)).toEqual(range(11, 130));

    const rest = await room.history({ before: 11, limit: 50 });
    expect(rest.messages.map((m) => m.seq)).toEqual(range(1, 10));
    expect(rest.hasMore).toBe(false);
    expect(room.hasMoreHistory).toBe(false);
    expect(room.messages).toEqual(await server.history(name));

    // A page that does not touch what the room holds is returned, not merged with a hole.
    const forward = await room.history({ after: 100, limit: 5 });
    expect(forward.messages.map((m) => m.seq)).toEqual(range(101, 105));
    expect(room.messages).toHaveLength(130);
  });

  it('shows who is typing, and when they stop', async () => {
    const name = freshRoom();
    const ada = await guest('Ada');
    const bob = await guest('Bob');
    const adaRoom = await ada.chat.join(name);
    const bobRoom = await bob.chat.join(name);
    const events: TypingEvent[] = [];
    bobRoom.on('typing', (event) => events.push(event));

    adaRoom.typing(true);
    await waitFor('typing started', () => bobRoom.typingUsers.length === 1);
    expect(bobRoom.typingUsers).toEqual([ada.user]);
    adaRoom.typing(false);
    await waitFor('typing stopped', () => bobRoom.typingUsers.length === 0);
    expect(events).toEqual([
      { room: name, user: ada.user, typing: true },
      { room: name, user: ada.user, typing: false },
    ]);
    expect(adaRoom.typingUsers).toEqual([]);
  });

  it('reports presence and answers status queries', async () => {
    const name = freshRoom();
    const ada = await guest('Ada');
    const bob = await guest('Bob');
    await ada.chat.join(name);
    const seen: Presence[] = [];
    ada.chat.on('presence', (presence) => seen.push(presence));
    await bob.chat.join(name);

    bob.chat.setAway(true);
    await waitFor('Bob away', () =>
      seen.some((p) => p.user.id === bob.user.id && p.status === 'away'),
    );
    expect(await ada.chat.status([bob.user.id])).toEqual([
      expect.objectContaining({ user: { id: bob.user.id, name: 'Bob' }, status: 'away' }),
    ]);

    bob.chat.close();
    await waitFor('Bob offline', () =>
      seen.some((p) => p.user.id === bob.user.id && p.status === 'offline'),
    );
    const [status] = await ada.chat.status([bob.user.id]);
    expect(status?.status).toBe('offline');
    expect(status?.lastSeen).toEqual(expect.any(String));
    expect((await ada.chat.status()).map(({ user }) => user.id)).toContain(ada.user.id);
  });

  it('asks for the status of more users than one request may name, in batches', async () => {
    const ada = await guest('Ada');
    const bob = await guest('Bob');
    await ada.chat.connect();
    await bob.chat.connect();
    const strangers = Array.from({ length: 148 }, (_, index) => `stranger-${index}`);
    const statuses = await ada.chat.status([ada.user.id, ...strangers, bob.user.id]);
    expect(statuses.map(({ user }) => user.id).sort()).toEqual([ada.user.id, bob.user.id].sort());
    expect(await ada.chat.status([])).toEqual([]);
    await expect(ada.chat.status(['a,b'])).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('sends typing once per burst of keystrokes, and a stop only after a start', async () => {
    const name = freshRoom();
    const proxy = new FaultyProxy(() => server.port);
    await proxy.listen();
    onCleanup(() => proxy.close());
    const adaSession = await createGuestSession(server.url, 'Ada');
    const ada = {
      chat: createChatterClient({
        url: proxy.url,
        token: adaSession.token,
        transports: ['websocket'],
      }),
      user: adaSession.user,
    };
    clients.push(ada.chat);
    const bob = await guest('Bob');
    const adaRoom = await ada.chat.join(name);
    const bobRoom = await bob.chat.join(name);
    const events: TypingEvent[] = [];
    bobRoom.on('typing', (event) => events.push(event));

    adaRoom.typing(false);
    for (let keystroke = 0; keystroke < 20; keystroke++) adaRoom.typing(true);
    adaRoom.typing(false);
    adaRoom.typing(false);
    // Sent after the typing events on the same connection, so it reaches Bob after them.
    await adaRoom.send('done typing');
    await waitFor('the message', () => bobRoom.messages.some((m) => m.text === 'done typing'));
    expect(events.map((event) => event.typing)).toEqual([true, false]);
    const typingFrames = proxy.clientFrames.filter((frame) => frame.startsWith('42["typing"'));
    expect(typingFrames.map((frame) => JSON.parse(frame.slice(2))[1].typing)).toEqual([
      true,
      false,
    ]);
  });

  it('reports connection status changes', async () => {
    const { chat } = await guest('Watcher');
    const statuses: string[] = [];
    chat.on('status', (status) => statuses.push(status));
    expect(chat.connectionStatus).toBe('disconnected');
    await chat.connect();
    expect(chat.connectionStatus).toBe('connected');
    chat.close();
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected']);
    await expect(chat.connect()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('returns the same room when joined twice', async () => {
    const { chat } = await guest('Twice');
    const name = freshRoom();
    const [first, second] = await Promise.all([chat.join(name), chat.join(name)]);
    expect(second).toBe(first);
    expect(await chat.join(name)).toBe(first);
    expect(chat.joinedRooms).toEqual([first]);
  });

  it('knows its user from the token', async () => {
    const { chat, user } = await guest('Self');
    expect(chat.user).toEqual(user);
  });
});

describe('errors', () => {
  it('rejects invalid text before sending, in the shared error shape', async () => {
    const { chat } = await guest('Ada');
    const room = await chat.join(freshRoom());
    const error = await room.send('   ').catch((thrown: unknown) => thrown);
    expect(isChatterError(error)).toBe(true);
    expect(error).toBeInstanceOf(ChatterError);
    expect(error).toMatchObject({ code: 'VALIDATION', status: 400 });
    expect(room.pending).toEqual([]);
    await expect(chat.join('Not A Room')).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('drops a queued message the server refuses for good, and reports why', async () => {
    const user = { id: `limited-${process.pid}`, name: 'Limited' };
    const outbox = createMemoryOutbox();
    const secret = freshRoom();
    // Left over from an earlier session whose token could post to `secret`.
    outbox.put({
      clientId: 'left-over-1',
      userId: user.id,
      room: secret,
      text: 'from before',
      createdAt: new Date().toISOString(),
    });
    const token = await server.token(user, '1h', { rooms: ['open'] });
    const chat = createChatterClient({ url: server.url, token, outbox });
    clients.push(chat);
    const errors: ChatterError[] = [];
    chat.on('error', (error) => errors.push(error));

    await chat.join('open');
    await waitFor('the refusal', () => errors.length > 0);
    expect(errors[0]).toMatchObject({ code: 'FORBIDDEN', status: 403 });
    expect(await outbox.load(user.id)).toEqual([]);
    expect(await server.history(secret)).toEqual([]);
    await expect(chat.join(secret)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(chat.joinedRooms.map((room) => room.name)).toEqual(['open']);
  });

  it('still sends when the outbox storage fails, and reports the storage problem', async () => {
    const session = await createGuestSession(server.url, 'Full');
    const full: OutboxStorage = {
      load: () => [],
      put: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      remove: () => {},
    };
    const chat = createChatterClient({ url: server.url, token: session.token, outbox: full });
    clients.push(chat);
    const errors: ChatterError[] = [];
    chat.on('error', (error) => errors.push(error));
    const room = await chat.join(freshRoom());

    const sent = await room.send('sent anyway');
    expect(await server.history(room.name)).toEqual([sent]);
    expect(errors).toEqual([expect.objectContaining({ code: 'STORAGE' })]);
    expect(errors[0]?.cause).toMatchObject({ name: 'QuotaExceededError' });
  });

  it('rejects pending sends with CLOSED when the client is closed', async () => {
    const { chat } = await guest('Closer');
    const room = await chat.join(freshRoom());
    const sent = room.send('never mind');
    chat.close();
    await expect(sent).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(room.leave()).resolves.toBeUndefined();
  });

  it('stops a left room and lets the server know', async () => {
    const name = freshRoom();
    const ada = await guest('Ada');
    const bob = await guest('Bob');
    const adaRoom = await ada.chat.join(name);
    const bobRoom = await bob.chat.join(name);
    await adaRoom.leave();
    expect(ada.chat.joinedRooms).toEqual([]);
    await expect(adaRoom.send('hello?')).rejects.toMatchObject({ code: 'CLOSED' });
    await bobRoom.send('anyone?');
    expect(adaRoom.messages).toEqual([]);
  });
});

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
