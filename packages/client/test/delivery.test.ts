import fs from 'node:fs';
import path from 'node:path';
import {
  type ClientToServerEvents,
  LIMITS,
  type Message,
  type ServerToClientEvents,
} from '@chatter/protocol';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChatterClient, createChatterClient, type RoomReset } from '../src/index.js';
import { FAST_RECONNECTION, FAST_TIMEOUTS } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startServer = async () => {
  const server = new ServerProcess();
  cleanups.push(() => server.dispose());
  await server.start();
  return server;
};

const startProxy = async (server: ServerProcess) => {
  const proxy = new FaultyProxy(() => server.port);
  cleanups.push(() => proxy.close());
  await proxy.listen();
  return proxy;
};

let userCounter = 0;
const client = async (server: ServerProcess, url = server.url): Promise<ChatterClient> => {
  const id = `user-${++userCounter}`;
  const chat = createChatterClient({
    url,
    getToken: () => server.token({ id, name: `User ${userCounter}` }),
    ...FAST_RECONNECTION,
    ...FAST_TIMEOUTS,
  });
  cleanups.push(() => chat.close());
  return chat;
};

const texts = (messages: readonly Message[]) => messages.map((message) => message.text);

/** Two and a half catch-up pages. */
const MISSED = LIMITS.catchUpPageMaxSize * 2.5;

/** Posts `count` messages from another user's socket, in parallel batches, so it takes a moment. */
const postMany = async (server: ServerProcess, room: string, count: number) => {
  const poster: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
    auth: { token: await server.token({ id: 'poster', name: 'Poster' }) },
    transports: ['websocket'],
  });
  cleanups.push(() => poster.disconnect());
  await poster.emitWithAck('join', { room });
  for (let sent = 0; sent < count; sent += 250) {
    const batch = Array.from({ length: Math.min(250, count - sent) }, (_, i) =>
      poster.emitWithAck('message', { room, text: `missed ${sent + i + 1}` }),
    );
    for (const ack of await Promise.all(batch)) if (!ack.ok) throw new Error(ack.error.message);
  }
};

describe('delivery across outages', () => {
  it('a send while the server is down resolves after it restarts, stored exactly once', async () => {
    const server = await startServer();
    const chat = await client(server);
    const room = await chat.join('general');

    await server.stop();
    await waitFor('the client to notice', () => chat.connectionStatus === 'connecting');
    const sent = room.send('written while the server was down');
    await waitFor('the message to be pending', () => room.pending.length === 1);
    expect(room.pending[0]).toMatchObject({
      state: 'queued',
      text: 'written while the server was down',
    });

    await server.start();
    const message = await sent;
    expect(message).toMatchObject({ seq: 1, text: 'written while the server was down' });
    expect(await server.history('general')).toEqual([message]);
    expect(room.messages).toEqual([message]);
    expect(room.pending).toEqual([]);
  });

  it('an acknowledgement lost with the connection is resent and stored once', async () => {
    const server = await startServer();
    const proxy = await startProxy(server);
    const chat = await client(server, proxy.url);
    const room = await chat.join('general');

    // The server stores the message but its acknowledgement is lost with the connection.
    proxy.loseReplies = true;
    const sent = room.send('exactly once');
    await waitFor('the message stored', async () => (await server.history('general')).length === 1);
    proxy.drop();
    proxy.loseReplies = false;
    const message = await sent;

    expect(await server.history('general')).toEqual([message]);
    await waitFor('the room caught up', () => room.messages.length === 1);
    expect(room.messages).toEqual([message]);
  });

  it('messages sent while a client was away arrive in order, once each, when it returns', async () => {
    const server = await startServer();
    const proxy = await startProxy(server);
    const away = await client(server, proxy.url);
    const awayRoom = await away.join('general');
    const seen: Message[] = [];
    awayRoom.on('message', (message) => seen.push(message));
    const sender = await client(server);
    const senderRoom = await sender.join('general');

    await senderRoom.send('before');
    await waitFor('the first message', () => seen.length === 1);
    proxy.refuse(true);
    await waitFor('the drop to be noticed', () => away.connectionStatus === 'connecting');
    for (let i = 1; i <= 150; i++) await senderRoom.send(`while away ${i}`);
    proxy.refuse(false);

    await waitFor('the catch-up', () => awayRoom.messages.length === 151);
    const stored = await server.history('general');
    expect(awayRoom.messages).toEqual(stored);
    expect(seen).toEqual(stored);
    expect(texts(seen).slice(0, 3)).toEqual(['before', 'while away 1', 'while away 2']);
  });

  it(`catches up on ${MISSED} missed messages in pages of ${LIMITS.catchUpPageMaxSize}, gap-free, in at most two history requests`, async () => {
    const server = await startServer();
    const proxy = await startProxy(server);
    const away = await client(server, proxy.url);
    const awayRoom = await away.join('general');
    await server.post('general', 'before');
    await waitFor('the first message', () => awayRoom.messages.length === 1);
    const seen: Message[] = [];
    awayRoom.on('message', (message) => seen.push(message));

    proxy.refuse(true);
    await waitFor('the drop to be noticed', () => away.connectionStatus === 'connecting');
    await postMany(server, 'general', MISSED);
    const framesBefore = proxy.clientFrames.length;
    proxy.refuse(false);

    await waitFor('the catch-up', () => awayRoom.messages.at(-1)?.seq === MISSED + 1);
    const seqs = awayRoom.messages.map((message) => message.seq);
    expect(seqs).toEqual(Array.from({ length: MISSED + 1 }, (_, index) => index + 1));
    expect(seen.map((message) => message.seq)).toEqual(seqs.slice(1));
    // The join replays the first 1000; two forward pages of 1000 and 500 bring the rest.
    // With pages of 100 (join or history) this would be 14 or more.
    const historyRequests = proxy.clientFrames
      .slice(framesBefore)
      .filter((frame) => /^42\d*\["history"/.test(frame));
    expect(historyRequests.length).toBeLessThanOrEqual(2);
  });

  it('a server crash mid-stream loses nothing that was acknowledged, and stores nothing twice', async () => {
    const server = await startServer();
    const chat = await client(server);
    const room = await chat.join('general');
    const acknowledged: Message[] = [];

    const sends = Array.from({ length: 60 }, (_, index) =>
      room.send(`burst ${index + 1}`).then((message) => {
        acknowledged.push(message);
        return message;
      }),
    );
    await waitFor('some acknowledgements', () => acknowledged.length >= 10);
    await server.restart('SIGKILL');
    const messages = await Promise.all(sends);

    const stored = await server.history('general');
    expect(texts(stored)).toEqual(Array.from({ length: 60 }, (_, index) => `burst ${index + 1}`));
    expect(stored.map((message) => message.seq)).toEqual(stored.map((_, index) => index + 1));
    expect(messages).toEqual(stored);
    await waitFor('the room to hold every message', () => room.messages.length === 60);
    expect(room.messages).toEqual(stored);
  });

  it('drops messages delivered twice', async () => {
    const server = await startServer();
    const proxy = await startProxy(server);
    const reader = await client(server, proxy.url);
    const room = await reader.join('general');
    const seen: Message[] = [];
    room.on('message', (message) => seen.push(message));
    proxy.duplicateEverything = true;

    for (let i = 1; i <= 5; i++) await server.post('general', `twice ${i}`);
    await waitFor('five messages', () => seen.length === 5);
    proxy.redeliver(5);
    await server.post('general', 'last');
    await waitFor('the last message', () => seen.length === 6);

    const stored = await server.history('general');
    expect(seen).toEqual(stored);
    expect(room.messages).toEqual(stored);
  });

  it('resets a room whose history was replaced, and says so', async () => {
    const server = await startServer();
    const chat = await client(server);
    const room = await chat.join('general');
    await room.send('old history');
    const firstEpoch = room.epoch;
    const resets: RoomReset[] = [];
    room.on('reset', (reset) => resets.push(reset));

    // Restoring an empty database gives the room a new epoch.
    await server.stop();
    for (const file of fs.readdirSync(server.dataDir)) {
      if (file.startsWith('chatter.db')) fs.rmSync(path.join(server.dataDir, file));
    }
    await server.start();
    await server.post('general', 'new history');

    await waitFor('the reset', () => resets.length === 1);
    expect(resets[0]).toEqual({ room: 'general', epoch: room.epoch, previousEpoch: firstEpoch });
    expect(room.epoch).not.toBe(firstEpoch);
    await waitFor('the new history', () => room.messages.length === 1);
    expect(room.messages).toEqual(await server.history('general'));
  });

  it('reads history over REST while the socket cannot connect', async () => {
    const server = await startServer();
    const proxy = await startProxy(server);
    const chat = await client(server, proxy.url);
    for (let i = 1; i <= 60; i++) await server.post('general', `old ${i}`);
    const room = await chat.join('general');
    expect(room.messages[0]?.seq).toBe(1);

    proxy.refuseUpgrades(true);
    await waitFor('the socket to drop', () => chat.connectionStatus === 'connecting');
    const page = await room.history({ after: 10, limit: 5 });
    expect(page.messages.map((message) => message.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(page.hasMore).toBe(true);
    // REST pages hold at most 100, so a catch-up-sized page is asked for in that size.
    const large = await room.history({ after: 0, limit: LIMITS.catchUpPageMaxSize });
    expect(large.messages).toHaveLength(60);
  });

  it('keeps this connection away across a reconnection', async () => {
    const server = await startServer();
    const proxy = await startProxy(server);
    const idle = await client(server, proxy.url);
    await idle.join('general');
    const watcher = await client(server);
    const idleUser = idle.user;
    if (!idleUser) throw new Error('the token names no user');

    idle.setAway(true);
    await waitFor('away', async () => (await watcher.status([idleUser.id]))[0]?.status === 'away');
    proxy.drop();
    await waitFor('the reconnection', () => idle.connectionStatus === 'connected');
    // Back online after the grace period would mean the away flag was lost with the connection.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await watcher.status([idleUser.id]))[0]?.status).toBe('away');

    idle.setAway(false);
    await waitFor(
      'online',
      async () => (await watcher.status([idleUser.id]))[0]?.status === 'online',
    );
  });
});
