/**
 * Cluster: Chatter nodes sharing one Redis (REDIS_URL) against a single node without it, for the
 * cost of cluster mode: cross-node latency (cluster-latency.ts), fan-out CPU per delivery on each
 * node (cluster-cpu.ts), and which room channels a node subscribes to (cluster-subscriptions.ts).
 * Needs a Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379); every cluster gets a key
 * prefix of its own, removed afterwards. Without a reachable Redis the part is skipped.
 *
 * Run alone: pnpm --filter @chatter/server bench cluster   (or BENCH=cluster pnpm bench)
 */
import { createClient } from '@redis/client';
import { runClusterCpu } from './cluster-cpu.js';
import { runClusterLatency } from './cluster-latency.js';
import { runClusterSubscriptions } from './cluster-subscriptions.js';
import { REDIS_URL } from './lib/cluster-nodes.js';
import type { PartResult } from './lib/table.js';

const redisAnswers = async (): Promise<boolean> => {
  // One attempt: a node started without Redis would wait 10 s before giving up, for each trial.
  const client = createClient({ url: REDIS_URL, socket: { reconnectStrategy: false } });
  client.on('error', () => {
    // The failed connect() below is the answer.
  });
  try {
    await client.connect();
    await client.ping();
    await client.close();
    return true;
  } catch {
    return false;
  }
};

export const runCluster = async (): Promise<PartResult[]> => {
  if (!(await redisAnswers())) {
    console.log(`\n== cluster: skipped, no Redis answers at ${REDIS_URL} (set BENCH_REDIS_URL)`);
    return [];
  }
  return [await runClusterLatency(), await runClusterCpu(), await runClusterSubscriptions()];
};
