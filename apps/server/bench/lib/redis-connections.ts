/**
 * A node's Socket.IO adapter subscriber as Redis and the kernel see it: how many shard channels it
 * holds (CLIENT LIST's `ssub`) and how many bytes its TCP socket has received (`ss -ti`). The
 * connection is found by matching the node's local ports (`ss -p`) with CLIENT LIST's `addr`, so
 * the server needs no hook for the bench.
 */
import { execFileSync } from 'node:child_process';
import type { RedisClient } from './cluster-nodes.js';

const ADAPTER_SUBSCRIBER = 'chatter-adapter-subscriber';

export interface SubscriberConnection {
  /** `127.0.0.1:<port>` on the node's side. */
  addr: string;
  shardChannels: number;
  bytesReceived: number;
}

interface Socket {
  local: string;
  pid: number;
  bytesReceived: number;
}

/** Established TCP sockets to `redisPort`, with their owning pid; throws when `ss` is missing. */
const socketsTo = (redisPort: string): Socket[] => {
  const output = execFileSync('ss', ['-tnpiH', 'dport', '=', `:${redisPort}`], {
    encoding: 'utf8',
  });
  const sockets: Socket[] = [];
  // One line per socket (state, queues, local, peer, users) followed by an indented info line.
  for (const line of output.split('\n')) {
    if (/^\S/.test(line)) {
      const [, , , local = '', , users = ''] = line.trim().split(/\s+/);
      sockets.push({ local, pid: Number(/pid=(\d+)/.exec(users)?.[1]), bytesReceived: 0 });
    } else {
      const current = sockets.at(-1);
      // ss leaves the field out while it is 0.
      const received = /bytes_received:(\d+)/.exec(line)?.[1];
      if (current && received) current.bytesReceived = Number(received);
    }
  }
  return sockets;
};

/** Client name and `ssub` of every connection to Redis, by `addr`. */
const clientList = async (redis: RedisClient) => {
  const text = String(await redis.sendCommand(['CLIENT', 'LIST']));
  const clients = new Map<string, { name: string; ssub: number }>();
  for (const line of text.split('\n')) {
    const fields = new Map(
      line
        .trim()
        .split(' ')
        .map((pair) => pair.split('=', 2) as [string, string]),
    );
    const addr = fields.get('addr');
    if (addr)
      clients.set(addr, { name: fields.get('name') ?? '', ssub: Number(fields.get('ssub')) });
  }
  return clients;
};

/** The adapter subscriber of the node process `pid`. */
export const adapterSubscriberOf = async (
  redis: RedisClient,
  redisUrl: string,
  pid: number,
): Promise<SubscriberConnection> => {
  const clients = await clientList(redis);
  const port = new URL(redisUrl).port || '6379';
  for (const socket of socketsTo(port)) {
    const client = clients.get(socket.local);
    if (socket.pid !== pid || client?.name !== ADAPTER_SUBSCRIBER) continue;
    return { addr: socket.local, shardChannels: client.ssub, bytesReceived: socket.bytesReceived };
  }
  throw new Error(`no ${ADAPTER_SUBSCRIBER} connection of process ${pid} found`);
};
