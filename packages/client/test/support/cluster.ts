import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forgetPrefix } from './redis-process.js';
import { ServerProcess } from './server-process.js';

/** The Redis every test shares unless it brings its own; each cluster keeps to its own prefix. */
export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';

let clustersStarted = 0;

export interface ClusterOptions {
  nodes: number;
  redisUrl?: string;
  env?: Record<string, string>;
}

/**
 * Several Chatter server processes sharing one SQLite data directory, one Redis and one key
 * prefix: one cluster as operators run it, each node on its own port. The nodes log at `debug`,
 * whose "socket connected" lines tell which node a client's connection reached.
 */
export class Cluster {
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatter-client-cluster-'));
  readonly prefix = `sdk-test-${process.pid}-${++clustersStarted}`;
  readonly nodes: ServerProcess[];
  readonly #redisUrl: string;

  constructor(options: ClusterOptions) {
    this.#redisUrl = options.redisUrl ?? SHARED_REDIS_URL;
    const env = {
      REDIS_URL: this.#redisUrl,
      CHATTER_REDIS_PREFIX: this.prefix,
      LOG_LEVEL: 'debug',
      ...options.env,
    };
    this.nodes = Array.from(
      { length: options.nodes },
      () => new ServerProcess({ env, dataDir: this.dataDir }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.start()));
  }

  /** Stops the nodes, then deletes their keys (a Redis the test stopped has none to keep). */
  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.dispose()));
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    await forgetPrefix(this.#redisUrl, this.prefix).catch(() => {});
  }

  /**
   * The nodes on which `userId` has a connection open, by the nodes' own logs. A node killed
   * with SIGKILL never logs the disconnection, so pass only the nodes still running.
   */
  nodesOf(userId: string, among: readonly ServerProcess[] = this.nodes): ServerProcess[] {
    return among.filter((node) => openConnections(node.output, userId) > 0);
  }
}

/** Connections opened minus closed, by the `debug` lines of the node's log. */
const openConnections = (log: string, userId: string): number => {
  let open = 0;
  for (const line of log.split('\n')) {
    if (!line.includes(`"userId":"${userId}"`)) continue;
    if (line.includes('"msg":"socket connected"')) open += 1;
    if (line.includes('"msg":"socket disconnected"')) open -= 1;
  }
  return open;
};
