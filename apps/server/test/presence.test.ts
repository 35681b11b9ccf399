import type { Presence } from '@chatter/protocol';
import { describe, expect, it, vi } from 'vitest';
import {
  connect,
  connectAs,
  createSession,
  nextEvent,
  record,
  request,
  sleep,
  startTestServer,
  tempDataDir,
} from './helpers.js';

// The test server's grace period before "offline" is 300 ms.
const GRACE_MS = 300;

const presenceOf = (userId: string, status?: Presence['status']) => (p: Presence) =>
  p.user.id === userId && (status === undefined || p.status === status);

/** Ada and Bob share room `general`; Bob has it open in two tabs. */
const adaWatchesBobInTwoTabs = async () => {
  const { url } = await startTestServer();
  const ada = await connectAs(url, 'Ada');
  await ada.socket.emitWithAck('join', { room: 'general' });
  const bob = await createSession(url, 'Bob');
  const tab1 = await connect(url, bob.token);
  const tab2 = await connect(url, bob.token);
  await tab1.emitWithAck('join', { room: 'general' });
  await tab2.emitWithAck('join', { room: 'general' });
  return { url, ada, bob, tab1, tab2 };
};

describe('presence', () => {
  it('tells a room’s members when someone comes online', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await ada.socket.emitWithAck('join', { room: 'general' });

    const bob = await createSession(url, 'Bob');
    const seen = nextEvent(ada.socket, 'presence', presenceOf(bob.user.id));
    const socket = await connect(url, bob.token);
    await socket.emitWithAck('join', { room: 'general' });

    const presence = await seen;
    expect(presence).toMatchObject({ user: bob.user, status: 'online' });
    expect(Date.parse(presence.lastSeen ?? '')).toBeGreaterThan(Date.now() - 5000);
  });

  it('a tab that reconnects idle (away in its handshake) keeps its user away, never online', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await ada.socket.emitWithAck('join', { room: 'general' });
    const bob = await createSession(url, 'Bob');
    const first = await connect(url, bob.token);
    await first.emitWithAck('join', { room: 'general' });
    const away = nextEvent(ada.socket, 'presence', presenceOf(bob.user.id, 'away'));
    await first.emitWithAck('away', { away: true });
    await away;

    const adaSees = record(ada.socket, 'presence');
    first.disconnect();
    const again = await connect(url, bob.token, { auth: { away: true } });
    expect(await again.emitWithAck('join', { room: 'general' })).toMatchObject({ ok: true });
    const status = await request(url, `/api/status?users=${bob.user.id}`, { token: ada.token });
    expect(status.body.users[0]).toMatchObject({ status: 'away' });
    // The barrier: Bob comes back; everything about him before it was "away".
    const back = nextEvent(ada.socket, 'presence', presenceOf(bob.user.id, 'online'));
    await again.emitWithAck('away', { away: false });
    await back;
    const aboutBob = adaSees.filter((p) => p.user.id === bob.user.id).map((p) => p.status);
    expect(aboutBob.at(-1)).toBe('online');
    expect(aboutBob.slice(0, -1).every((each) => each === 'away')).toBe(true);
  });

  it('does not announce presence to people who share no room', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await ada.socket.emitWithAck('join', { room: 'general' });
    const adaSees = record(ada.socket, 'presence');
    const bob = await connectAs(url, 'Bob');
    await bob.socket.emitWithAck('join', { room: 'elsewhere' });
    bob.socket.disconnect();
    await sleep(GRACE_MS + 200);
    expect(adaSees.filter((p) => p.user.id === bob.user.id)).toEqual([]);
  });

  it('a quick reconnect (a page reload) causes no offline event', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await ada.socket.emitWithAck('join', { room: 'general' });
    const bob = await createSession(url, 'Bob');
    const first = await connect(url, bob.token);
    await first.emitWithAck('join', { room: 'general' });
    const adaSees = record(ada.socket, 'presence');

    first.disconnect();
    await sleep(GRACE_MS / 3);
    const second = await connect(url, bob.token);
    await second.emitWithAck('join', { room: 'general' });
    await sleep(GRACE_MS + 200);

    expect(adaSees.filter((p) => p.status === 'offline')).toEqual([]);
    const status = await request(url, `/api/status?users=${bob.user.id}`, { token: ada.token });
    expect(status.body.users).toEqual([
      expect.objectContaining({ user: { id: bob.user.id, name: 'Bob' }, status: 'online' }),
    ]);
  });

  it('goes offline with lastSeen once the grace period has passed', async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    await ada.socket.emitWithAck('join', { room: 'general' });
    const bob = await connectAs(url, 'Bob');
    await bob.socket.emitWithAck('join', { room: 'general' });

    const offline = nextEvent(ada.socket, 'presence', presenceOf(bob.user.id, 'offline'));
    const leftAt = Date.now();
    bob.socket.disconnect();
    const presence = await offline;
    const announcedAt = Date.now();

    expect(announcedAt - leftAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
    const lastSeen = Date.parse(presence.lastSeen ?? '');
    expect(lastSeen).toBeGreaterThanOrEqual(leftAt - 50);
    // The server waits out the grace period after it last saw Bob before announcing it.
    expect(lastSeen + GRACE_MS).toBeLessThanOrEqual(announcedAt + 5);

    const online = await request(url, '/api/status', { token: ada.token });
    expect(online.body.users.map((u: Presence) => u.user.id)).toEqual([ada.user.id]);
    const asked = await request(url, `/api/status?users=${bob.user.id},${ada.user.id}`, {
      token: ada.token,
    });
    expect(asked.body.users).toEqual([
      { user: { id: bob.user.id, name: 'Bob' }, status: 'offline', lastSeen: presence.lastSeen },
      expect.objectContaining({ user: { id: ada.user.id, name: 'Ada' }, status: 'online' }),
    ]);
  });

  it('stays online while any tab is open', async () => {
    const { ada, bob, tab1, tab2 } = await adaWatchesBobInTwoTabs();
    const adaSees = record(ada.socket, 'presence');

    tab1.disconnect();
    await sleep(GRACE_MS + 200);
    expect(adaSees.filter((p) => p.user.id === bob.user.id && p.status === 'offline')).toEqual([]);

    const offline = nextEvent(ada.socket, 'presence', presenceOf(bob.user.id, 'offline'));
    tab2.disconnect();
    await offline;
  });

  it('is away only when every connection of the user is away', async () => {
    const { url, ada, bob, tab1, tab2 } = await adaWatchesBobInTwoTabs();

    expect(await tab1.emitWithAck('away', { away: true })).toEqual({ ok: true, status: 'online' });
    const away = nextEvent(ada.socket, 'presence', presenceOf(bob.user.id, 'away'));
    expect(await tab2.emitWithAck('away', { away: true })).toEqual({ ok: true, status: 'away' });
    await away;

    const status = await request(url, `/api/status?users=${bob.user.id}`, { token: ada.token });
    expect(status.body.users[0].status).toBe('away');

    const back = nextEvent(ada.socket, 'presence', presenceOf(bob.user.id, 'online'));
    expect(await tab1.emitWithAck('away', { away: false })).toEqual({ ok: true, status: 'online' });
    await back;
  });

  it("GET /api/status lists online users in the caller's rooms and leaves out unknown ids", async () => {
    const { url } = await startTestServer();
    const ada = await connectAs(url, 'Ada');
    const bob = await connectAs(url, 'Bob');
    for (const { socket } of [ada, bob]) await socket.emitWithAck('join', { room: 'general' });
    // Online, but in no room: nobody shares one with Carol (access.test.ts covers the rest).
    await connectAs(url, 'Carol');
    const all = await request(url, '/api/status', { token: ada.token });
    expect(all.status).toBe(200);
    expect(all.body.users.map((u: Presence) => u.user.name).sort()).toEqual(['Ada', 'Bob']);
    for (const user of all.body.users) {
      expect(user.status).toBe('online');
      expect(Date.parse(user.lastSeen)).not.toBeNaN();
    }
    const unknown = await request(url, `/api/status?users=nobody,${bob.user.id}`, {
      token: ada.token,
    });
    expect(unknown.body.users.map((u: Presence) => u.user.id)).toEqual([bob.user.id]);
  });

  it('lastSeen is stored and survives a restart', async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    const bob = await connectAs(first.url, 'Bob');
    bob.socket.disconnect();
    await sleep(GRACE_MS + 200);
    const before = await request(first.url, `/api/status?users=${bob.user.id}`, {
      token: bob.token,
    });
    expect(before.body.users[0]).toMatchObject({ status: 'offline' });
    await first.close();

    const second = await startTestServer({ dataDir });
    const after = await request(second.url, `/api/status?users=${bob.user.id}`, {
      token: bob.token,
    });
    expect(after.body.users).toEqual([
      {
        user: { id: bob.user.id, name: 'Bob' },
        status: 'offline',
        lastSeen: before.body.users[0].lastSeen,
      },
    ]);
  });

  it('a shutdown records lastSeen for everyone still connected', async () => {
    const dataDir = tempDataDir();
    const first = await startTestServer({ dataDir });
    const bob = await connectAs(first.url, 'Bob');
    await sleep(50);
    const beforeShutdown = Date.now();
    await first.close();

    const second = await startTestServer({ dataDir });
    const after = await request(second.url, `/api/status?users=${bob.user.id}`, {
      token: bob.token,
    });
    expect(after.body.users[0]).toMatchObject({ user: { id: bob.user.id }, status: 'offline' });
    expect(Date.parse(after.body.users[0].lastSeen)).toBeGreaterThanOrEqual(beforeShutdown);
  });
});

describe('presence fan-out', () => {
  /** Every presence update a socket receives, whichever frame (`presence` or `presences`) it came in. */
  const recordPresence = (socket: Awaited<ReturnType<typeof connect>>) => {
    const seen = { frames: 0, updates: [] as Presence[] };
    socket.on('presence', (update) => {
      seen.frames += 1;
      seen.updates.push(update);
    });
    socket.on('presences', (updates) => {
      seen.frames += 1;
      seen.updates.push(...updates);
    });
    return seen;
  };

  it('seating N people in a room sends O(N) frames, and everyone still learns of everyone', async () => {
    const { url } = await startTestServer();
    const N = 80;
    const sessions = await Promise.all(
      Array.from({ length: N }, (_, i) => createSession(url, `User ${i}`)),
    );
    const sockets = await Promise.all(sessions.map((session) => connect(url, session.token)));
    const seen = sockets.map(recordPresence);
    await Promise.all(sockets.map((socket) => socket.emitWithAck('join', { room: 'big' })));

    // Each person hears of everyone who came in after them (the earlier ones they would read
    // from GET /api/status): the last one in hears of nobody, the first of everyone else.
    await vi.waitFor(
      () => {
        const heardOf = seen.map(({ updates }) => new Set(updates.map((u) => u.user.id)).size);
        expect(Math.max(...heardOf)).toBe(N - 1);
      },
      { timeout: 5000 },
    );
    const frames = seen.reduce((sum, { frames }) => sum + frames, 0);
    // One broadcast per arrival would be N(N-1)/2 = 3160 frames.
    expect(frames).toBeLessThanOrEqual(6 * N);
    for (const [i, { updates }] of seen.entries()) {
      expect(updates.filter((u) => u.user.id === sessions[i]?.user.id)).toEqual([]);
    }
  });

  it('many tabs of one user are one arrival: the room hears of the user once', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MAX_CONNECTIONS_PER_USER: '50' } });
    const ada = await connectAs(url, 'Ada');
    await ada.socket.emitWithAck('join', { room: 'general' });
    const adaSees = recordPresence(ada.socket);

    const bob = await createSession(url, 'Bob');
    const tabs = await Promise.all(Array.from({ length: 30 }, () => connect(url, bob.token)));
    const bobSees = tabs.map(recordPresence);
    for (const tab of tabs) await tab.emitWithAck('join', { room: 'general' });
    // Carol arrives after every tab of Bob's: once Ada hears of her, she has heard all of Bob.
    const carol = await connectAs(url, 'Carol');
    await carol.socket.emitWithAck('join', { room: 'general' });
    await vi.waitFor(() => expect(adaSees.updates.map((u) => u.user.id)).toContain(carol.user.id));

    expect(adaSees.updates.filter((u) => u.user.id === bob.user.id)).toHaveLength(1);
    // Bob's tabs never hear about Bob.
    for (const tab of bobSees)
      expect(tab.updates.filter((u) => u.user.id === bob.user.id)).toEqual([]);
  });
});
