import type { Message } from '@chatter/protocol';
import { describe, expect, it, vi } from 'vitest';
import { PRESENCE_TIMING } from '../../src/cluster/redis-presence.js';
import {
  type ClientSocket,
  connect,
  connectAs,
  createSession,
  nextEvent,
  record,
  request,
  storedMessages,
} from '../helpers.js';
import {
  byId,
  connectOnceAdmitted,
  GRACE_MS,
  join,
  onlineList,
  presenceAbout,
  ROOM,
  recordPresence,
  send,
  startCluster,
  statusesOf,
} from './cluster-helpers.js';

// The bound for a killed node's users to go offline elsewhere.
const DEAD_NODE_BOUND_MS = 20_000;

const bySeq = (messages: Message[]) => [...messages].sort((a, b) => a.seq - b.seq);

const statusOf = async (url: string, token: string, userId: string) =>
  (await request(url, `/api/status?users=${userId}`, { token })).body?.users;

// Every test starts server processes of its own, which takes seconds on a busy machine.
describe('a cluster of three nodes', { timeout: 60_000 }, () => {
  it('delivers each message to the sockets on the other nodes once, under the seq it was stored with', async () => {
    const { nodes } = await startCluster(3);
    const [one, two, three] = nodes;
    const members = await Promise.all([
      connectAs(one.url, 'Ada'),
      connectAs(two.url, 'Bob'),
      connectAs(three.url, 'Cleo'),
    ]);
    const [first, second, third] = members;
    for (const { socket } of members) await join(socket);
    const received = members.map(({ socket }) => record(socket, 'message'));

    const sent: Array<{ message: Message; over?: ClientSocket }> = [];
    for (const round of [1, 2]) {
      for (const { socket } of members) {
        sent.push({ message: await send(socket, `round ${round}`), over: socket });
      }
    }
    const posted = await request(one.url, '/api/messages', {
      token: first.token,
      body: { room: ROOM, text: 'over REST on node 1' },
    });
    expect(posted.status).toBe(201);
    sent.push({ message: posted.body.message });

    // The barrier: later sends from two nodes; a duplicate or a stray would have come before.
    const fromOne = await send(first.socket, 'last from node 1');
    const fromTwo = await send(second.socket, 'last from node 2');
    await vi.waitFor(() => {
      expect(received[0]).toContainEqual(fromTwo);
      expect(received[1]).toContainEqual(fromOne);
      expect(received[2]).toEqual(expect.arrayContaining([fromOne, fromTwo]));
    });
    sent.push({ message: fromOne, over: first.socket }, { message: fromTwo, over: second.socket });

    members.forEach(({ socket }, index) => {
      const expected = sent.filter(({ over }) => over !== socket).map(({ message }) => message);
      expect(bySeq(received[index] ?? [])).toEqual(bySeq(expected));
    });
    const stored = await storedMessages(three.url, third.token, ROOM);
    expect(stored).toEqual(bySeq(sent.map(({ message }) => message)));
  });

  it('announces presence, away and typing across nodes, and every node answers the same status', async () => {
    const { nodes } = await startCluster(3);
    const [one, two, three] = nodes;
    const ada = await connectAs(one.url, 'Ada');
    const bob = await connectAs(two.url, 'Bob');
    await join(ada.socket);
    await join(bob.socket);
    const adaSees = recordPresence(ada.socket);
    const bobSees = recordPresence(bob.socket);

    const cleo = await connectAs(three.url, 'Cleo');
    const cleoSees = recordPresence(cleo.socket);
    await join(cleo.socket);
    await presenceAbout(adaSees, cleo.user.id, 'online');
    await presenceAbout(bobSees, cleo.user.id, 'online');

    expect(await bob.socket.emitWithAck('away', { away: true })).toEqual({
      ok: true,
      status: 'away',
    });
    await presenceAbout(adaSees, bob.user.id, 'away');
    await presenceAbout(cleoSees, bob.user.id, 'away');

    const typingOf = (socket: ClientSocket, typing: boolean) =>
      nextEvent(
        socket,
        'typing',
        (event) => event.user.id === ada.user.id && event.typing === typing,
      );
    const started = [typingOf(bob.socket, true), typingOf(cleo.socket, true)];
    ada.socket.emit('typing', { room: ROOM, typing: true });
    for (const event of await Promise.all(started)) {
      expect(event).toEqual({ room: ROOM, user: ada.user, typing: true });
    }
    const stopped = [typingOf(bob.socket, false), typingOf(cleo.socket, false)];
    ada.socket.emit('typing', { room: ROOM, typing: false });
    await Promise.all(stopped);

    const expected = [
      { user: ada.user, status: 'online' },
      { user: bob.user, status: 'away' },
      { user: cleo.user, status: 'online' },
    ].sort((a, b) => byId(a.user.id, b.user.id));
    for (const node of nodes) expect(await onlineList(node.url, ada.token)).toEqual(expected);
  });

  it('keeps a user with tabs on two nodes online until the last tab closes, then announces offline once', async () => {
    const { nodes } = await startCluster(3);
    const [one, two, three] = nodes;
    const ada = await connectAs(one.url, 'Ada');
    const cleo = await connectAs(three.url, 'Cleo');
    await join(ada.socket);
    await join(cleo.socket);
    const observers = [recordPresence(ada.socket), recordPresence(cleo.socket)];

    const bob = await createSession(one.url, 'Bob');
    const firstTab = await connect(one.url, bob.token);
    await join(firstTab);
    const secondTab = await connect(two.url, bob.token);
    await join(secondTab);
    const dan = await connectAs(three.url, 'Dan');
    await join(dan.socket);
    for (const seen of observers) await presenceAbout(seen, dan.user.id, 'online');

    firstTab.disconnect();
    // The barrier: Dan leaves after Bob's first tab closed, so had that tab's close started Bob's
    // grace period, Bob's offline would be due first and announced no later than Dan's.
    dan.socket.disconnect();
    for (const seen of observers) {
      await presenceAbout(seen, dan.user.id, 'offline', GRACE_MS + 3000);
      // The room hears of Bob once, not of each tab.
      expect(statusesOf(seen, bob.user.id)).toEqual(['online']);
    }
    for (const node of nodes) {
      expect(await statusOf(node.url, ada.token, bob.user.id)).toEqual([
        expect.objectContaining({ user: { id: bob.user.id, name: 'Bob' }, status: 'online' }),
      ]);
    }

    const leftAt = Date.now();
    secondTab.disconnect();
    const offline = await Promise.all(
      observers.map((seen) => presenceAbout(seen, bob.user.id, 'offline', GRACE_MS + 3000)),
    );
    for (const { at } of offline) expect(at - leftAt).toBeGreaterThanOrEqual(GRACE_MS - 20);
    const lastSeen = offline[0]?.value.lastSeen;
    expect(offline.map(({ value }) => value.lastSeen)).toEqual([lastSeen, lastSeen]);
    expect(Date.parse(lastSeen ?? '')).toBeGreaterThanOrEqual(leftAt - 50);
    for (const node of nodes) {
      // Written by whichever node announced it, within a second.
      await expect
        .poll(() => statusOf(node.url, ada.token, bob.user.id))
        .toEqual([{ user: { id: bob.user.id, name: 'Bob' }, status: 'offline', lastSeen }]);
    }

    // The barrier for "once": Bob comes back; a second offline would have been announced before.
    await join(await connect(three.url, bob.token));
    for (const seen of observers) {
      await vi.waitFor(() =>
        expect(statusesOf(seen, bob.user.id)).toEqual(['online', 'offline', 'online']),
      );
    }
  });

  it('counts one user’s messages across nodes against CHATTER_MESSAGES_PER_MINUTE', async () => {
    const { nodes } = await startCluster(3, { CHATTER_MESSAGES_PER_MINUTE: '5' });
    const [one, two, three] = nodes;
    const ada = await createSession(one.url, 'Ada');
    const onNode = await Promise.all([
      connect(one.url, ada.token),
      connect(two.url, ada.token),
      connect(three.url, ada.token),
    ]);
    const [first, second, third] = onNode;
    const allowed = [first, second, third, first, second].entries();
    for (const [index, socket] of allowed) await send(socket, `message ${index + 1}`);

    const refused = await third.emitWithAck('message', { room: ROOM, text: 'message 6' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } },
    });
    const { retryAfterMs } = (refused as { error: { details: { retryAfterMs: number } } }).error
      .details;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    const stored = await storedMessages(two.url, ada.token, ROOM);
    expect(stored.map(({ text }) => text)).toEqual([1, 2, 3, 4, 5].map((n) => `message ${n}`));
  });

  it('counts one user’s connections across nodes against CHATTER_MAX_CONNECTIONS_PER_USER', async () => {
    const { nodes } = await startCluster(3, { CHATTER_MAX_CONNECTIONS_PER_USER: '2' });
    const [one, two, three] = nodes;
    const ada = await createSession(one.url, 'Ada');
    const first = await connect(one.url, ada.token);
    await connect(two.url, ada.token);

    const refused = await connect(three.url, ada.token).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as { data: unknown }).data).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('at most 2'),
      details: { limit: 2 },
    });

    first.disconnect();
    const admitted = await connectOnceAdmitted(three.url, ada.token);
    expect(admitted.connected).toBe(true);
  });

  it('takes a killed node’s users offline on the other nodes within 20 s and the grace period, once', async () => {
    const cluster = await startCluster(3);
    const [one, two, doomed] = cluster.nodes;
    const ada = await connectAs(one.url, 'Ada');
    const bob = await connectAs(two.url, 'Bob');
    await join(ada.socket);
    await join(bob.socket);
    const observers = [recordPresence(ada.socket), recordPresence(bob.socket)];
    const zed = await createSession(doomed.url, 'Zed');
    await join(await connect(doomed.url, zed.token));
    for (const seen of observers) await presenceAbout(seen, zed.user.id, 'online');

    const killedAt = Date.now();
    doomed.child.kill('SIGKILL');
    const offline = await Promise.all(
      observers.map((seen) =>
        presenceAbout(seen, zed.user.id, 'offline', DEAD_NODE_BOUND_MS + GRACE_MS + 5000),
      ),
    );
    for (const { at } of offline) {
      expect(at - killedAt).toBeLessThanOrEqual(DEAD_NODE_BOUND_MS + GRACE_MS);
    }
    const lastSeen = offline[0]?.value.lastSeen ?? '';
    expect(offline.map(({ value }) => value.lastSeen)).toEqual([lastSeen, lastSeen]);
    // The dead node's last heartbeat: the last moment anyone knew Zed connected.
    expect(Date.parse(lastSeen)).toBeLessThanOrEqual(killedAt);
    expect(Date.parse(lastSeen)).toBeGreaterThan(killedAt - PRESENCE_TIMING.heartbeatMs - 1000);

    const wanted = [{ user: { id: zed.user.id, name: 'Zed' }, status: 'offline', lastSeen }];
    for (const node of [one, two]) {
      await expect.poll(() => statusOf(node.url, ada.token, zed.user.id)).toEqual(wanted);
    }
    const newcomer = await cluster.addNode();
    expect(await statusOf(newcomer.url, ada.token, zed.user.id)).toEqual(wanted);

    // The barrier for "once": Zed comes back; a second offline would have been announced before.
    await join(await connect(newcomer.url, zed.token));
    for (const seen of observers) {
      await vi.waitFor(() =>
        expect(statusesOf(seen, zed.user.id)).toEqual(['online', 'offline', 'online']),
      );
    }
  }, 90_000);
});
