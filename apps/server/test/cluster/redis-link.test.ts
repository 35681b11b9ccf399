import { describe, expect, it, vi } from 'vitest';
import {
  type ClientSocket,
  connectAs,
  nextEvent,
  record,
  request,
  storedMessages,
} from '../helpers.js';
import {
  byId,
  freePort,
  join,
  onlineList,
  ROOM,
  runUntilExit,
  SHARED_REDIS_URL,
  send,
  startCluster,
  startRedis,
} from './cluster-helpers.js';

/** Joins and leaves rooms on `socket`, one after another, until the function it returns is called. */
const churnRooms = (socket: ClientSocket): (() => Promise<void>) => {
  let churning = true;
  const churned = (async () => {
    for (let round = 0; churning; round += 1) {
      const room = `churn-${round % 10}`;
      // Refused or unanswered while Redis is away: only the attempt matters.
      await socket
        .timeout(2000)
        .emitWithAck('join', { room })
        .catch(() => undefined);
      await socket
        .timeout(2000)
        .emitWithAck('leave', { room })
        .catch(() => undefined);
    }
  })();
  return () => {
    churning = false;
    return churned;
  };
};

// Every test starts server processes of its own, which takes seconds on a busy machine.
describe('a node and its Redis', { timeout: 60_000 }, () => {
  it('refuses to start in cluster mode without CHATTER_JWT_SECRET, or without a reachable Redis', async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const [noSecret, noRedis] = await Promise.all([
      runUntilExit({ REDIS_URL: SHARED_REDIS_URL, CHATTER_JWT_SECRET: '' }),
      runUntilExit({ REDIS_URL: nowhere }),
    ]);

    expect(noSecret.code).not.toBe(0);
    expect(noSecret.output.trim().split('\n')).toEqual([
      expect.stringMatching(/^chatter: REDIS_URL is set, so CHATTER_JWT_SECRET must be set too/),
    ]);
    expect(noRedis.code).not.toBe(0);
    expect(noRedis.output.trim().split('\n')).toEqual([
      expect.stringMatching(`^chatter: cannot reach Redis at ${nowhere} \\(REDIS_URL\\)`),
    ]);
  });

  it('keeps storing through a Redis outage, is not ready meanwhile, then tells every socket the head and writes presence back', async () => {
    const redis = await startRedis();
    const { nodes } = await startCluster(2, {
      REDIS_URL: redis.url,
      // The churning sockets below join and leave as fast as the server answers.
      CHATTER_EVENTS_PER_SECOND: '1000000',
      CHATTER_READ_BYTES_PER_SECOND: String(1024 ** 3),
    });
    const [one, two] = nodes;
    const ada = await connectAs(one.url, 'Ada');
    const bob = await connectAs(two.url, 'Bob');
    await join(ada.socket);
    const { epoch } = await join(bob.socket);
    // Each join or leave of a room new to a node (un)subscribes it in Redis: some are in flight
    // when Redis goes, and a node must survive their failure.
    const churners = await Promise.all(nodes.map((node) => connectAs(node.url, 'Churner')));
    const stopChurning = churners.map(({ socket }) => churnRooms(socket));

    await redis.stop();
    for (const node of nodes) {
      await vi.waitFor(
        async () => {
          // Otherwise the last word would be "fetch failed"; the node's log follows the failure.
          expect(node.child.exitCode, 'the node exited when Redis went away').toBeNull();
          expect(await request(node.url, '/readyz')).toMatchObject({
            status: 503,
            body: {
              error: {
                code: 'UNAVAILABLE',
                message: `Not ready: the Redis link to ${redis.url} is down`,
              },
            },
          });
        },
        { timeout: 5000, interval: 50 },
      );
    }
    await Promise.all(stopChurning.map((stop) => stop()));
    const sentMeanwhile = await send(ada.socket, 'while Redis is down');
    expect((await storedMessages(one.url, ada.token, ROOM)).at(-1)).toEqual(sentMeanwhile);

    const headSeen = nextEvent(
      bob.socket,
      'head',
      (event) => event.room === ROOM && event.head === sentMeanwhile.seq,
      15_000,
    );
    const restartedAt = Date.now();
    await redis.restart();
    for (const node of nodes) {
      await vi.waitFor(
        async () => expect(await request(node.url, '/readyz')).toMatchObject({ status: 200 }),
        { timeout: 10_000, interval: 50 },
      );
    }
    expect(await headSeen).toEqual({ room: ROOM, epoch, head: sentMeanwhile.seq });
    expect(Date.now() - restartedAt).toBeLessThan(10_000);

    // Redis came back empty: only the nodes' write-back can put Ada online again.
    await vi.waitFor(
      async () =>
        expect(await onlineList(two.url, bob.token)).toContainEqual({
          user: ada.user,
          status: 'online',
        }),
      { timeout: 10_000, interval: 100 },
    );
  });

  it('keeps clusters with different prefixes on one Redis apart', async () => {
    const [clusterA, clusterB] = await Promise.all([startCluster(2), startCluster(2)]);
    const [a1, a2, b1, b2] = await Promise.all([
      connectAs(clusterA.nodes[0].url, 'A1'),
      connectAs(clusterA.nodes[1].url, 'A2'),
      connectAs(clusterB.nodes[0].url, 'B1'),
      connectAs(clusterB.nodes[1].url, 'B2'),
    ]);
    for (const { socket } of [a1, a2, b1, b2]) await join(socket);
    const received = new Map(
      [a1, a2, b1, b2].map(({ socket }) => [socket, record(socket, 'message')]),
    );

    const fromA = await send(a1.socket, 'from cluster A');
    await vi.waitFor(() => expect(received.get(a2.socket)).toEqual([fromA]));
    // The barriers: round trips through Redis in each cluster after A's message went out.
    const fromB = await send(b1.socket, 'from cluster B');
    await vi.waitFor(() => expect(received.get(b2.socket)).toEqual([fromB]));
    const replyB = await send(b2.socket, 'reply in cluster B');
    await vi.waitFor(() => expect(received.get(b1.socket)).toEqual([replyB]));
    const replyA = await send(a2.socket, 'reply in cluster A');
    await vi.waitFor(() => expect(received.get(a1.socket)).toEqual([replyA]));
    expect(received.get(a2.socket)).toEqual([fromA]);
    expect(received.get(b2.socket)).toEqual([fromB]);

    const idsOn = async (url: string, token: string) =>
      (await onlineList(url, token)).map(({ user }) => user.id);
    const usersA = [a1.user.id, a2.user.id].sort(byId);
    const usersB = [b1.user.id, b2.user.id].sort(byId);
    for (const node of clusterA.nodes) expect(await idsOn(node.url, a1.token)).toEqual(usersA);
    for (const node of clusterB.nodes) expect(await idsOn(node.url, b1.token)).toEqual(usersB);
  });
});
