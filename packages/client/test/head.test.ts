import type { Message } from '@chatter/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatterClient, createChatterClient, type RoomReset } from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

/**
 * A server of a cluster announces a room's head (`head`) because broadcasts relayed between
 * servers can be lost. One real server loses none, so the proxy loses them on their way to the
 * client and then sends the `head` that server would send; everything else is the real server's.
 */
const server = new ServerProcess();
let proxy: FaultyProxy;
const clients: ChatterClient[] = [];

beforeAll(async () => {
  await server.start();
  proxy = new FaultyProxy(() => server.port);
  await proxy.listen();
});
afterEach(() => {
  for (const chat of clients.splice(0)) chat.close();
  proxy.loseMessageEvents = 0;
  proxy.holdServerFrames = undefined;
  proxy.releaseHeld();
});
afterAll(async () => {
  await proxy.close();
  await server.dispose();
});

let roomCounter = 0;
const freshRoom = () => `head-${++roomCounter}`;

/** A client through the proxy, in `name`, recording the messages it is given from then on. */
const reader = async (name: string) => {
  const chat = createChatterClient({
    url: proxy.url,
    getToken: () => server.token({ id: 'reader', name: 'Reader' }),
    ...FAST_RECONNECTION,
  });
  clients.push(chat);
  const room = await chat.join(name);
  const seen: Message[] = [];
  room.on('message', (message) => seen.push(message));
  return { chat, room, seen };
};

const sendHead = (room: string, epoch: string | null, head: number) => {
  proxy.inject(`42${JSON.stringify(['head', { room, epoch, head }])}`);
};

/** Posts `count` messages whose broadcasts never reach the client. */
const postLost = async (room: string, count: number) => {
  proxy.loseMessageEvents = count;
  for (let i = 1; i <= count; i++) await server.post(room, `lost ${i}`);
  await waitFor('the broadcasts to be lost', () => proxy.loseMessageEvents === 0);
};

/** The payloads of the `event` requests the client sent since `from` (in `proxy.clientFrames`). */
const requestsSince = (from: number, event: 'history' | 'join'): unknown[] =>
  proxy.clientFrames.slice(from).flatMap((frame) => {
    const request = /^42\d*(\[.*)$/s.exec(frame)?.[1];
    const [name, payload] = request ? (JSON.parse(request) as [unknown, unknown]) : [];
    return name === event ? [payload] : [];
  });

/**
 * Resolves once the proxy has every request the client sent in answer to the frames sent to it
 * so far. The first join's answer comes behind those frames, so the client has handled them when
 * it resolves; the second join leaves after anything that sent, on the same connection.
 */
const roundTrips = async (chat: ChatterClient) => {
  await chat.join(freshRoom());
  await chat.join(freshRoom());
};

describe('a room head announced by the server', () => {
  it('fetches the broadcasts lost before it, once each and in order', async () => {
    const name = freshRoom();
    await server.post(name, 'before');
    const { room, seen } = await reader(name);
    await postLost(name, 3);
    expect(room.messages).toHaveLength(1);
    const framesBefore = proxy.clientFrames.length;

    sendHead(name, room.epoch, 4);

    await waitFor('the lost messages', () => room.messages.length === 4);
    const history = await server.history(name);
    expect(room.messages).toEqual(history);
    expect(seen).toEqual(history.slice(1));
    expect(requestsSince(framesBefore, 'history')).toHaveLength(1);
  });

  it('asks for nothing when the room already holds that head, or more', async () => {
    const name = freshRoom();
    for (let i = 1; i <= 3; i++) await server.post(name, `message ${i}`);
    const { chat, room, seen } = await reader(name);
    const framesBefore = proxy.clientFrames.length;

    sendHead(name, room.epoch, 3);
    // Sent before the newest messages were, say.
    sendHead(name, room.epoch, 1);
    await roundTrips(chat);

    expect(requestsSince(framesBefore, 'history')).toEqual([]);
    // The two joins of the round trips, and no other.
    expect(requestsSince(framesBefore, 'join')).toHaveLength(2);
    expect(room.messages).toEqual(await server.history(name));
    expect(seen).toEqual([]);
  });

  it('in another epoch, rejoins the room and keeps it unless the server confirms the change', async () => {
    const name = freshRoom();
    await server.post(name, 'before');
    const { room, seen } = await reader(name);
    const resets: RoomReset[] = [];
    room.on('reset', (reset) => resets.push(reset));
    const epoch = room.epoch;
    await postLost(name, 2);
    const framesBefore = proxy.clientFrames.length;

    // The head is no further than the room holds: only the epoch says something changed.
    sendHead(name, 'another-epoch', 1);

    await waitFor('the lost messages', () => room.messages.length === 3);
    expect(requestsSince(framesBefore, 'join')).toEqual([{ room: name, since: 1, epoch }]);
    // This server's epoch did not change, so its answer resumes the room instead of resetting it.
    expect(resets).toEqual([]);
    expect(room.epoch).toBe(epoch);
    const history = await server.history(name);
    expect(room.messages).toEqual(history);
    expect(seen).toEqual(history.slice(1));
  });

  it('heard while the room is joining, fetches what lies beyond the join', async () => {
    const name = freshRoom();
    for (let i = 1; i <= 3; i++) await server.post(name, `message ${i}`);
    const { chat, room, seen } = await reader(name);

    // The answer to the join after the reconnection waits, as from a slow server.
    proxy.holdServerFrames = (frame) => frame.startsWith('43');
    proxy.drop();
    await waitFor('the join answered', () => proxy.heldFrames === 1);
    // Stored after the join read the room, and broadcast to the joining client: lost.
    await postLost(name, 2);
    sendHead(name, room.epoch, 5);
    proxy.holdServerFrames = undefined;
    proxy.releaseHeld();

    await waitFor('the lost messages', () => room.messages.length === 5);
    expect(chat.connectionStatus).toBe('connected');
    const history = await server.history(name);
    expect(room.messages).toEqual(history);
    expect(seen).toEqual(history.slice(3));
  });
});
