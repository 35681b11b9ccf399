/**
 * Chatter processes for the cluster part: one node on its own (no Redis), or nodes that share a
 * data directory and a Redis under a key prefix of their own, so parallel runs and test suites on
 * the same Redis never see each other's rooms, presence or rate limits.
 */
import { createClient } from '@redis/client';
import { chatterEnv } from './clients.js';
import { removeDir, tempDir } from './options.js';
import { type ServerProcess, startServerProcess } from './spawn.js';

export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Nodes {
  /** One entry per process; the cluster's are in start order (node A, node B, ...). */
  nodes: ServerProcess[];
  /** The cluster's CHATTER_REDIS_PREFIX; undefined for a single node. */
  prefix: string | undefined;
  /** Stops every process, removes the data directory and the prefix's keys. */
  stop(): Promise<void>;
}

let clusters = 0;

export const connectRedis = async () => {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {
    // Reported by the command that fails; a dropped bench connection needs no second message.
  });
  await client.connect();
  return client;
};

const deleteKeys = async (prefix: string) => {
  const redis = await connectRedis();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await redis.del(keys);
    }
  } finally {
    await redis.close();
  }
};

/** `count` === 1: a node without Redis (the baseline); more form a cluster over REDIS_URL. */
export const startNodes = async (count: number): Promise<Nodes> => {
  const dir = tempDir('cluster');
  const prefix = count > 1 ? `bench-${process.pid}-${Date.now()}-${++clusters}` : undefined;
  const env = {
    ...chatterEnv(dir),
    // A REDIS_URL in the bench's own environment must not turn the baseline into a cluster.
    REDIS_URL: prefix === undefined ? undefined : REDIS_URL,
    CHATTER_REDIS_PREFIX: prefix,
    // Trials reuse the nodes: a trial's sockets go offline as they leave, not during the next
    // trial's measurement.
    CHATTER_PRESENCE_GRACE_MS: '0',
  };
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => startServerProcess('chatter-node.ts', env)),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.allSettled(nodes.map((node) => node.stop()));
    removeDir(dir);
    if (prefix !== undefined) await deleteKeys(prefix);
  };
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  return { nodes, prefix, stop };
};

export type RedisClient = Awaited<ReturnType<typeof connectRedis>>;

/** Redis's own CPU (user + system, all its threads) in µs, from INFO. */
export const redisCpuUs = async (redis: RedisClient): Promise<number> => {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1e6;
};

export interface Contenders {
  single: Nodes;
  cluster: Nodes;
  stop(): Promise<void>;
}

/** A single node and a 2-node cluster, started side by side, for a part's interleaved trials. */
export const startSingleAndCluster = async (): Promise<Contenders> => {
  const [single, cluster] = await Promise.allSettled([startNodes(1), startNodes(2)]);
  const stop = async () => {
    await Promise.all(
      [single, cluster].map((result) => result.status === 'fulfilled' && result.value.stop()),
    );
  };
  if (single.status === 'fulfilled' && cluster.status === 'fulfilled') {
    return { single: single.value, cluster: cluster.value, stop };
  }
  await stop();
  throw [single, cluster].flatMap((result) =>
    result.status === 'rejected' ? [result.reason] : [],
  )[0];
};
