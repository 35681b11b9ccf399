import type { Presence } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  type ClientSocket,
  connect,
  createSession,
  rawEmitWithAck,
  request,
  signToken,
  startTestServer,
} from './helpers.js';

const joined = async (socket: ClientSocket, room: string) => {
  const ack = await socket.emitWithAck('join', { room });
  expect(ack).toMatchObject({ ok: true });
};

const forbidden = { ok: false, error: { code: 'FORBIDDEN' } };

describe('guests', () => {
  it('are off once the operator sets CHATTER_JWT_SECRET, unless CHATTER_GUESTS turns them on', async () => {
    // The test servers set a secret; an empty CHATTER_GUESTS means "not set".
    const { url } = await startTestServer({ env: { CHATTER_GUESTS: '' } });
    const refused = await request(url, '/api/session', { body: { name: 'Mallory' } });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });

    const app = await signToken({ sub: 'app-user', name: 'Grace' });
    expect((await request(url, '/api/messages?room=general', { token: app })).status).toBe(200);
  });

  it('are confined to CHATTER_GUEST_ROOMS on every route and event; app users are not', async () => {
    const { url } = await startTestServer({ env: { CHATTER_GUEST_ROOMS: 'lobby, demo-*' } });
    const app = await signToken({ sub: 'app-user', name: 'Grace' });
    const appSocket = await connect(url, app);
    await joined(appSocket, 'secret');
    await appSocket.emitWithAck('message', { room: 'secret', text: 'for app users only' });

    const guest = await createSession(url, 'Mallory');
    const read = await request(url, '/api/messages?room=secret', { token: guest.token });
    expect(read).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(JSON.stringify(read.body)).not.toContain('for app users only');
    const post = await request(url, '/api/messages', {
      token: guest.token,
      body: { room: 'secret', text: 'let me in' },
    });
    expect(post).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });

    const socket = await connect(url, guest.token);
    expect(await socket.emitWithAck('join', { room: 'secret' })).toMatchObject(forbidden);
    expect(
      await socket.emitWithAck('message', { room: 'secret', text: 'let me in' }),
    ).toMatchObject(forbidden);
    expect(await socket.emitWithAck('history', { room: 'secret', limit: 10 })).toMatchObject(
      forbidden,
    );
    expect(await rawEmitWithAck(socket, 'typing', { room: 'secret', typing: true })).toMatchObject(
      forbidden,
    );

    for (const room of ['lobby', 'demo-1']) {
      await joined(socket, room);
      const sent = await socket.emitWithAck('message', { room, text: 'hello' });
      expect(sent).toMatchObject({ ok: true });
    }
    expect(
      await socket.emitWithAck('join', { room: 'lobby2' }),
      'an exact name is not a prefix',
    ).toMatchObject(forbidden);
    const history = await request(url, '/api/messages?room=secret', { token: app });
    expect(history.body.messages.map((m: { text: string }) => m.text)).toEqual([
      'for app users only',
    ]);
  });

  it('need their connection in the room before typing there', async () => {
    const { url } = await startTestServer();
    const guest = await createSession(url, 'Ada');
    const socket = await connect(url, guest.token);
    expect(await rawEmitWithAck(socket, 'typing', { room: 'general', typing: true })).toMatchObject(
      forbidden,
    );
    await joined(socket, 'general');
    expect(await rawEmitWithAck(socket, 'typing', { room: 'general', typing: true })).toEqual({
      ok: true,
    });
  });
});

describe('GET /api/status', () => {
  it('answers only about users who share a room the caller may use', async () => {
    const { url } = await startTestServer();
    const inA = await createSession(url, 'Ada');
    const inB = await createSession(url, 'Bob');
    const adaSocket = await connect(url, inA.token);
    await joined(adaSocket, 'a');
    const bobSocket = await connect(url, inB.token);
    await joined(bobSocket, 'b');

    const limitedToA = await signToken({ sub: 'auditor', name: 'Auditor', rooms: ['a'] });
    const everyone = await request(url, '/api/status', { token: limitedToA });
    expect(everyone.status).toBe(200);
    expect(everyone.body.users.map((u: Presence) => u.user.id)).toEqual([inA.user.id]);
    const asked = await request(url, `/api/status?users=${inA.user.id},${inB.user.id}`, {
      token: limitedToA,
    });
    expect(asked.body.users.map((u: Presence) => u.user.id)).toEqual([inA.user.id]);

    const limitedToB = await signToken({ sub: 'other', name: 'Other', rooms: ['b'] });
    const inRoomB = await request(url, '/api/status', { token: limitedToB });
    expect(inRoomB.body.users.map((u: Presence) => u.user.id)).toEqual([inB.user.id]);

    // A caller who may use every room sees anyone in a room, but not a user in none.
    const roomless = await createSession(url, 'Roomless');
    await connect(url, roomless.token);
    const anyRoom = await signToken({ sub: 'admin', name: 'Admin' });
    const all = await request(url, '/api/status', { token: anyRoom });
    expect(all.body.users.map((u: Presence) => u.user.id).sort()).toEqual(
      [inA.user.id, inB.user.id].sort(),
    );
  });

  it('keeps an offline user visible only to callers who share the room they were last in', async () => {
    const { url } = await startTestServer();
    const bob = await createSession(url, 'Bob');
    const bobSocket = await connect(url, bob.token);
    await joined(bobSocket, 'b');
    const watcher = await connect(url, await signToken({ sub: 'w', name: 'W', rooms: ['b'] }));
    await joined(watcher, 'b');
    const offline = new Promise<void>((resolve) => {
      const isBobOffline = (p: Presence) => p.user.id === bob.user.id && p.status === 'offline';
      watcher.on('presence', (update) => isBobOffline(update) && resolve());
      watcher.on('presences', (updates) => updates.some(isBobOffline) && resolve());
    });
    bobSocket.disconnect();
    await offline;

    const inB = await signToken({ sub: 'in-b', name: 'In B', rooms: ['b'] });
    const inA = await signToken({ sub: 'in-a', name: 'In A', rooms: ['a'] });
    const seen = await request(url, `/api/status?users=${bob.user.id}`, { token: inB });
    expect(seen.body.users).toEqual([
      { user: { id: bob.user.id, name: 'Bob' }, status: 'offline', lastSeen: expect.any(String) },
    ]);
    const hidden = await request(url, `/api/status?users=${bob.user.id}`, { token: inA });
    expect(hidden).toMatchObject({ status: 200, body: { users: [] } });
  });
});
