import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  type ClientSocket,
  connect,
  connectAs,
  createSession,
  rawEmitWithAck,
  request,
  startTestServer,
} from './helpers.js';

const join = (socket: ClientSocket, room: string, extra: Record<string, unknown> = {}) =>
  socket.emitWithAck('join', { room, ...extra });

const joinOk = async (socket: ClientSocket, room: string, extra: Record<string, unknown> = {}) => {
  const ack = await join(socket, room, extra);
  if (!ack.ok) throw new Error(`join ${room}: ${ack.error.code} ${ack.error.message}`);
  return ack;
};

const send = async (socket: ClientSocket, room: string, text: string) => {
  const ack = await socket.emitWithAck('message', { room, text });
  if (!ack.ok) throw new Error(`send ${room}: ${ack.error.message}`);
  return ack.message;
};

const storedRoomNames = (dataDir: string): string[] => {
  const db = new Database(path.join(dataDir, 'chatter.db'), { readonly: true });
  try {
    return db.prepare('SELECT name FROM rooms ORDER BY name').pluck().all() as string[];
  } finally {
    db.close();
  }
};

const rooms = (count: number, prefix = 'room') =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('CHATTER_MAX_ROOMS_PER_CONNECTION', () => {
  it('refuses a join past the limit with FORBIDDEN; rejoining and leaving free a slot', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MAX_ROOMS_PER_CONNECTION: '3' } });
    const { socket, token } = await connectAs(url);
    for (const room of ['a', 'b', 'c']) await joinOk(socket, room);

    const refused = await join(socket, 'd');
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'FORBIDDEN',
        message: 'A connection may be in at most 3 rooms; leave one first',
        details: { maxRoomsPerConnection: 3 },
      },
    });
    // A room it is in already takes no new slot.
    await joinOk(socket, 'a');
    // Refused joins left the socket out of the room: a message there does not reach it.
    const other = await connectAs(url, 'Bob');
    await send(other.socket, 'd', 'not for Ada');

    expect(await socket.emitWithAck('leave', { room: 'b' })).toEqual({ ok: true, room: 'b' });
    const joined = await joinOk(socket, 'd');
    expect(joined.messages.map((m) => m.text)).toEqual(['not for Ada']);

    // The limit is per connection: the same user's second socket has slots of its own.
    const second = await connect(url, token);
    for (const room of ['e', 'f', 'g']) await joinOk(second, room);
  });

  it('counts joins that are in flight at once: exactly the limit get in', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MAX_ROOMS_PER_CONNECTION: '5' } });
    const { socket } = await connectAs(url);
    const acks = await Promise.all(rooms(40).map((room) => join(socket, room)));
    expect(acks.filter((ack) => ack.ok)).toHaveLength(5);
    for (const ack of acks.filter((each) => !each.ok)) {
      expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('answers bad joins in the shared error shape, never counting them', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MAX_ROOMS_PER_CONNECTION: '1' } });
    const { socket } = await connectAs(url);
    for (const payload of [
      { room: 42 },
      { room: 'x'.repeat(10_000) },
      { room: 'ok', since: 'soon' },
      { room: 'ok', since: 1e300 },
      { room: 'ok', unknown: true },
      'not an object',
    ]) {
      const ack = await rawEmitWithAck(socket, 'join', payload);
      expect(ack, JSON.stringify(payload).slice(0, 60)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    }
    await joinOk(socket, 'ok');
  });
});

describe('CHATTER_ROOMS_PER_MINUTE', () => {
  it('limits the new rooms one user brings in, not joins of rooms with a history', async () => {
    const { url } = await startTestServer({
      env: { CHATTER_ROOMS_PER_MINUTE: '3', CHATTER_MAX_ROOMS_PER_CONNECTION: '1000' },
    });
    const bob = await connectAs(url, 'Bob');
    for (const room of rooms(3, 'old')) await send(bob.socket, room, 'history');

    const ada = await connectAs(url, 'Ada');
    for (const room of rooms(3, 'new')) await joinOk(ada.socket, room);
    const refused = await join(ada.socket, 'new-3');
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } },
    });
    if (refused.ok) throw new Error('unreachable');
    const { retryAfterMs } = refused.error.details as { retryAfterMs: number };
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);

    // Rooms with a history are joined freely…
    for (const room of rooms(3, 'old')) await joinOk(ada.socket, room);
    // …and so are the new rooms already counted: a reconnect joins them again for nothing.
    const again = await connectAs(url, 'Ada');
    for (const room of rooms(3, 'new')) await joinOk(again.socket, room);
    // The first message in a room Ada brought in is not counted a second time.
    await send(ada.socket, 'new-0', 'first');
    // Other users have their own allowance (Bob spent his on the rooms with a history).
    expect(await join(bob.socket, 'new-3')).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    const cy = await connectAs(url, 'Cy');
    await joinOk(cy.socket, 'new-3');
  });

  it('counts a message that brings a room into existence, over REST as over sockets', async () => {
    const { url } = await startTestServer({ env: { CHATTER_ROOMS_PER_MINUTE: '2' } });
    const { token } = await createSession(url);
    const post = (room: string) =>
      request(url, '/api/messages', { token, body: { room, text: `hello ${room}` } });
    expect((await post('one')).status).toBe(201);
    expect((await post('two')).status).toBe(201);
    const refused = await post('three');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } },
    });
    // Rooms that exist are written to freely.
    for (let i = 0; i < 5; i++) expect((await post('one')).status).toBe(201);
  });
});

describe('rooms nobody wrote in', () => {
  it('leave no row behind however many are joined; the first message stores one', async () => {
    const { url, dataDir } = await startTestServer({
      env: { CHATTER_MAX_ROOMS_PER_CONNECTION: '1000' },
    });
    const { socket } = await connectAs(url);
    const joined = await Promise.all(rooms(300).map((room) => joinOk(socket, room)));
    expect(joined.every((ack) => ack.head === 0 && ack.messages.length === 0)).toBe(true);
    expect(storedRoomNames(dataDir)).toEqual([]);

    await send(socket, 'room-7', 'first');
    expect(storedRoomNames(dataDir)).toEqual(['room-7']);
  });

  it('keep their epoch through the first message and a restart: no spurious reset', async () => {
    const first = await startTestServer();
    const ada = await connectAs(first.url, 'Ada');
    const empty = await joinOk(ada.socket, 'fresh');
    expect(empty).toMatchObject({ head: 0, messages: [] });

    const bob = await connectAs(first.url, 'Bob');
    await send(bob.socket, 'fresh', 'the first message');
    const resumed = await joinOk(ada.socket, 'fresh', { since: 0, epoch: empty.epoch });
    expect(resumed).toMatchObject({ epoch: empty.epoch, head: 1 });
    expect(resumed.messages.map((m) => m.text)).toEqual(['the first message']);

    const other = await joinOk(ada.socket, 'still-empty');
    await first.close();
    const second = await startTestServer({ dataDir: first.dataDir });
    const back = await connectAs(second.url, 'Ada');
    expect((await joinOk(back.socket, 'fresh')).epoch).toBe(empty.epoch);
    expect((await joinOk(back.socket, 'still-empty')).epoch).toBe(other.epoch);
  });

  it('a join whose since lies beyond the head gets the newest page to reset to', async () => {
    const { url } = await startTestServer();
    const { socket } = await connectAs(url);
    for (const text of ['one', 'two']) await send(socket, 'general', text);
    const { epoch } = await joinOk(socket, 'general');
    // As a client holding seq 5 of this epoch would ask, after a restore that kept the epoch.
    const ack = await joinOk(socket, 'general', { since: 5, epoch });
    expect(ack).toMatchObject({ epoch, head: 2, hasMore: false });
    expect(ack.messages.map((m) => m.text)).toEqual(['one', 'two']);
  });
});
