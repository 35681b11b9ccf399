/**
 * Cluster subscriptions: what the sharded adapter with dynamic subscriptions saves. Two nodes; a
 * room on node A only, a room on both, a room on node B only. Prints each room's subscribers in
 * Redis (PUBSUB SHARDNUMSUB), the shard channels each node's adapter subscriber holds, and what
 * node B's subscriber receives (bytes on its TCP socket, `ss -ti`) while M messages go to the room
 * it has no sockets in, against M messages to the room it shares. With the classic adapter every
 * node would receive every message.
 *
 * Tune: CLUSTER_SUBSCRIPTION_MESSAGES=200
 */
import type { Socket } from 'socket.io-client';
import { call, connectSocket, signToken } from './lib/clients.js';
import { connectRedis, REDIS_URL, startNodes } from './lib/cluster-nodes.js';
import { envNumber } from './lib/options.js';
import { adapterSubscriberOf } from './lib/redis-connections.js';
import type { PartResult } from './lib/table.js';

const MESSAGES = envNumber('CLUSTER_SUBSCRIPTION_MESSAGES', 200);
const ONLY_ON_A = 'only-on-a';
const BOTH = 'both';
const ONLY_ON_B = 'only-on-b';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A socket of user `name` on `url` in `room`, counting the messages it gets. */
const member = async (url: string, name: string, room: string, sockets: Socket[]) => {
  const socket = await connectSocket(url, await signToken(name));
  sockets.push(socket);
  let received = 0;
  socket.on('message', () => {
    received += 1;
  });
  await call(socket, 'join', { room });
  return {
    /** Resolves once `count` messages arrived in all; fails after 30 s. */
    received: async (count: number) => {
      const deadline = performance.now() + 30_000;
      while (received < count) {
        if (performance.now() > deadline) throw new Error(`${name}: ${received}/${count} messages`);
        await sleep(10);
      }
    },
  };
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export const runClusterSubscriptions = async (): Promise<PartResult> => {
  const cluster = await startNodes(2);
  const redis = await connectRedis();
  const sockets: Socket[] = [];
  try {
    const [nodeA, nodeB] = cluster.nodes;
    if (!nodeA || !nodeB || cluster.prefix === undefined) throw new Error('no cluster started');
    const onA = await member(nodeA.url, 'ada', ONLY_ON_A, sockets);
    const sharedOnA = await member(nodeA.url, 'amir', BOTH, sockets);
    const sharedOnB = await member(nodeB.url, 'bea', BOTH, sockets);
    await member(nodeB.url, 'bo', ONLY_ON_B, sockets);
    const sender = await connectSocket(nodeA.url, await signToken('sender'));
    sockets.push(sender);
    const send = async (room: string, count: number, label: string) => {
      for (let i = 0; i < count; i++) {
        const text = `${label} ${i}: a message of about the length people type`;
        await call(sender, 'message', { room, text, clientId: `${label}-${i}` });
      }
    };

    const before = await adapterSubscriberOf(redis, REDIS_URL, nodeB.pid);
    await send(ONLY_ON_A, MESSAGES, 'a');
    await onA.received(MESSAGES);
    // A barrier: Redis delivers one publisher's messages in order, so once node B has this one it
    // would have had any of the messages to the room on A.
    await send(BOTH, 1, 'barrier');
    await sharedOnB.received(1);
    const afterOnlyOnA = await adapterSubscriberOf(redis, REDIS_URL, nodeB.pid);
    await send(BOTH, MESSAGES, 'both');
    await sharedOnB.received(MESSAGES + 1);
    await sharedOnA.received(MESSAGES + 1);
    const afterBoth = await adapterSubscriberOf(redis, REDIS_URL, nodeB.pid);
    // Read last: by now every socket's subscriptions (made as it connected and joined) are in.
    const subscriberA = await adapterSubscriberOf(redis, REDIS_URL, nodeA.pid);
    const namespaceChannel = `${cluster.prefix}:socket.io#/#`;
    const channels = (await redis.sendCommand([
      'PUBSUB',
      'SHARDCHANNELS',
      `${namespaceChannel}*`,
    ])) as string[];
    const numsub = (await redis.sendCommand(['PUBSUB', 'SHARDNUMSUB', ...channels])) as Array<
      string | number
    >;
    const described = channels
      .map((channel, i) => ({
        room: channel.slice(namespaceChannel.length).replace(/#$/, ''),
        nodes: Number(numsub[2 * i + 1]),
      }))
      .map(({ room, nodes }) => {
        if (room === '') return { order: 2, text: `the namespace's ×${nodes}` };
        // Where a node hears answers to its own requests: the adapter's uid, 16 hex digits.
        if (/^[0-9a-f]{16}$/.test(room)) return { order: 3, text: `a node's responses ×${nodes}` };
        return { order: room.startsWith('user:') ? 1 : 0, text: `${room} ×${nodes}` };
      })
      .sort((a, b) => a.order - b.order || a.text.localeCompare(b.text))
      .map(({ text }) => text);

    const bytesOnlyOnA = afterOnlyOnA.bytesReceived - before.bytesReceived;
    const bytesBoth = afterBoth.bytesReceived - afterOnlyOnA.bytesReceived;
    return {
      part: 'cluster subscriptions',
      note: `2 nodes; rooms ${ONLY_ON_A}, ${BOTH}, ${ONLY_ON_B}; ${MESSAGES} messages to a room`,
      rows: [],
      facts: [
        `node A's adapter subscriber holds ${subscriberA.shardChannels} shard channels, node B's ${afterBoth.shardChannels} (CLIENT LIST ssub)`,
        `shard channels of the cluster × nodes subscribed (PUBSUB SHARDNUMSUB): ${described.join(', ')}`,
        `${MESSAGES} messages to ${ONLY_ON_A} (then 1 to ${BOTH} as a barrier): node B's adapter subscriber received ${bytesOnlyOnA} bytes`,
        `${MESSAGES} messages to ${BOTH}: node B's adapter subscriber received ${kb(bytesBoth)}, ${Math.round(bytesBoth / MESSAGES)} bytes a message`,
      ],
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await redis.close();
    await cluster.stop();
  }
};
