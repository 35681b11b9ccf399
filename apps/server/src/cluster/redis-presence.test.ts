import type { Presence, User } from '@chatter/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../utils/logger.js';
import { RedisLink } from './redis-link.js';
import { RedisPresenceTracker } from './redis-presence.js';

// The Redis every machine of ours runs (CI starts one when nothing answers there).
const REDIS_URL = process.env.CHATTER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ADA: User = { id: 'ada', name: 'Ada' };
const FAST = { heartbeatMs: 100, nodeTimeoutMs: 600, sweepMs: 50 };
const GRACE_MS = 150;

const logger = createLogger('silent');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let clusters = 0;
const newPrefix = () => `presence-test-${process.pid}-${Date.now()}-${clusters++}`;

interface Node {
  link: RedisLink;
  presence: RedisPresenceTracker;
  changes: Presence[];
  seen: Array<{ user: User; at: Date }>;
}

/** Everything under the prefix, as a Redis restart without persistence would leave it: gone. */
const forgetEverything = async (link: RedisLink) => {
  const keys = await link.commands.keys(`${link.prefix}*`);
  if (keys.length > 0) await link.commands.del(keys);
};

const startNode = async (prefix: string, awayIntervalMs = 0, lastRoomsKept = 2): Promise<Node> => {
  const link = new RedisLink(REDIS_URL, prefix, logger);
  await link.open();
  const changes: Presence[] = [];
  const seen: Node['seen'] = [];
  const presence = new RedisPresenceTracker({
    link,
    graceMs: GRACE_MS,
    awayIntervalMs,
    logger,
    timing: FAST,
    lastRoomsKept,
    listener: {
      onChange: (update) => changes.push(update),
      onSeen: (user, at) => seen.push({ user, at }),
    },
  });
  await presence.start();
  cleanups.push(async () => {
    await presence.close();
    // Other tests share this Redis; a node that a test cut off has nothing left to delete with.
    if (link.up) await forgetEverything(link);
    await link.close();
  });
  return { link, presence, changes, seen };
};

const statuses = (node: Node, userId = ADA.id) =>
  node.changes.filter((change) => change.user.id === userId).map((change) => change.status);

describe('RedisPresenceTracker', () => {
  it('announces each change once across nodes; the user stays online while any node holds a connection', async () => {
    const prefix = newPrefix();
    const [a, b] = [await startNode(prefix), await startNode(prefix)];
    a.presence.connect(ADA, 'tab-1');
    await expect.poll(() => statuses(b)).toEqual(['online']);
    b.presence.connect(ADA, 'tab-2');
    a.presence.disconnect(ADA.id, 'tab-1');
    // Barrier: a status read runs after both changes, on the same connection to Redis.
    const [view] = (await b.presence.listOnline()).map((each) => each.presence.status);
    expect(view).toBe('online');
    b.presence.disconnect(ADA.id, 'tab-2');
    await expect.poll(() => statuses(a)).toEqual(['online', 'offline']);
    await expect.poll(() => statuses(b)).toEqual(['online', 'offline']);
    // Written at each connect (one per node), and once for going offline, by the node that
    // decided it.
    expect([...a.seen, ...b.seen]).toHaveLength(3);
    expect(await a.presence.listOnline()).toEqual([]);
  });

  it('answers status questions the same on every node, with the rooms the user is in', async () => {
    const prefix = newPrefix();
    const [a, b] = [await startNode(prefix), await startNode(prefix)];
    a.presence.connect(ADA, 'tab-1');
    a.presence.enterRoom(ADA.id, 'tab-1', 'general');
    b.presence.connect(ADA, 'tab-2', true);
    b.presence.enterRoom(ADA.id, 'tab-2', 'design');
    // Each node's changes travel on its own connection to Redis: wait for both to be there.
    await expect
      .poll(async () => (await a.presence.lookUp([ADA.id])).get(ADA.id)?.rooms)
      .toEqual(['design', 'general']);
    const fromA = await a.presence.lookUp([ADA.id, 'nobody']);
    const fromB = await b.presence.lookUp([ADA.id, 'nobody']);
    expect(fromA.get(ADA.id)?.presence.status).toBe('online');
    expect(fromB.get(ADA.id)?.rooms).toEqual(fromA.get(ADA.id)?.rooms);
    expect(fromA.has('nobody')).toBe(false);
    // One room entered by two tabs is announced once; the room first entered gets the news.
    expect(a.changes.filter((change) => change.status === 'online')).toHaveLength(3);
  });

  it('is away only while every connection on every node is away, announcing toggles at most once per interval', async () => {
    const prefix = newPrefix();
    const [a, b] = [await startNode(prefix, 300), await startNode(prefix, 300)];
    a.presence.connect(ADA, 'tab-1');
    b.presence.connect(ADA, 'tab-2');
    await expect.poll(() => statuses(a)).toEqual(['online']);
    expect(await a.presence.setAway(ADA.id, 'tab-1', true)).toBe('online');
    expect(await b.presence.setAway(ADA.id, 'tab-2', true)).toBe('away');
    for (let toggle = 0; toggle < 10; toggle++) {
      await b.presence.setAway(ADA.id, 'tab-2', toggle % 2 === 0);
    }
    // Ends active (the last toggle set away: false); the interval's end announces what holds then.
    await expect.poll(() => statuses(a).at(-1)).toBe('online');
    expect(statuses(a).length).toBeLessThanOrEqual(3);
  });

  it('takes a node that stopped beating for dead: its users go offline on the others, once', async () => {
    const prefix = newPrefix();
    const [a, b] = [await startNode(prefix), await startNode(prefix)];
    a.presence.connect(ADA, 'tab-1');
    await expect.poll(() => statuses(b)).toEqual(['online']);
    // As in a crash: the link goes, and nothing of the node's state is removed.
    await a.link.close();
    const closedAt = Date.now();
    await expect.poll(() => statuses(b), { timeout: 5000 }).toEqual(['online', 'offline']);
    const elapsed = Date.now() - closedAt;
    expect(elapsed).toBeGreaterThanOrEqual(FAST.nodeTimeoutMs - FAST.heartbeatMs);
    expect(elapsed).toBeLessThan(FAST.nodeTimeoutMs + FAST.sweepMs + GRACE_MS + 1000);
    const offline = b.changes.find((change) => change.status === 'offline');
    // Last seen when the dead node last beat, not when it was found dead.
    expect(Date.parse(offline?.lastSeen ?? '')).toBeLessThanOrEqual(closedAt);
    expect(b.seen.map(({ user }) => user.id)).toEqual([ADA.id]);
    expect(await b.presence.listOnline()).toEqual([]);
  });

  it('writes its connections back when Redis lost them (a restart without persistence)', async () => {
    const prefix = newPrefix();
    const [a, b] = [await startNode(prefix), await startNode(prefix)];
    a.presence.connect(ADA, 'tab-1');
    a.presence.enterRoom(ADA.id, 'tab-1', 'general');
    await expect.poll(async () => (await b.presence.listOnline()).length).toBe(1);
    await forgetEverything(b.link);
    expect(await b.presence.listOnline()).toEqual([]);
    await expect
      .poll(async () => (await b.presence.lookUp([ADA.id])).get(ADA.id)?.rooms, { timeout: 3000 })
      .toEqual(['general']);
  });

  it('remembers on every node the rooms users were in when they went offline, the latest few', async () => {
    const prefix = newPrefix();
    const [a, b] = [await startNode(prefix), await startNode(prefix)];
    const people = ['ada', 'bob', 'cleo'].map((id) => ({ id, name: id }));
    for (const [index, person] of people.entries()) {
      a.presence.connect(person, `tab-${index}`);
      a.presence.enterRoom(person.id, `tab-${index}`, `room-${index}`);
      a.presence.disconnect(person.id, `tab-${index}`);
      // One at a time, so the order in which they went offline is known.
      await expect.poll(() => statuses(b, person.id).at(-1)).toBe('offline');
    }
    const last = await b.presence.lastRoomsOf(people.map((person) => person.id));
    // Two are kept in this test: the first to go offline is forgotten.
    expect(Object.fromEntries(last)).toEqual({ bob: ['room-1'], cleo: ['room-2'] });
    expect(await a.presence.lastRoomsOf(['cleo'])).toEqual(new Map([['cleo', ['room-2']]]));
  });

  it('leaves the cluster at close: its users go offline after the grace period', async () => {
    const prefix = newPrefix();
    const [a, b] = [await startNode(prefix), await startNode(prefix)];
    a.presence.connect(ADA, 'tab-1');
    await expect.poll(() => statuses(b)).toEqual(['online']);
    const closing = Date.now();
    await a.presence.close();
    await expect.poll(() => statuses(b)).toEqual(['online', 'offline']);
    // Well before a dead node would have been found.
    expect(Date.now() - closing).toBeLessThan(FAST.nodeTimeoutMs);
  });
});
