import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CommitObserver } from '../store/chat-store.js';

/** This node's Prometheus metrics, served at `GET /metrics`. */
export interface Metrics {
  /** A committed batch of the store's group commit; pass it as the store's `onCommit`. */
  readonly observeCommit: CommitObserver;
  /** A message was stored for the first time (not a retry answered with its original). */
  messageStored(): void;
  /** A message went out live to `recipients` sockets on this node. */
  delivered(recipients: number): void;
  /** From receiving a send to acknowledging it. */
  ackLatency(seconds: number): void;
  /** Whether this node's link to Redis is up; the gauge is absent until this is first called. */
  setRedisLinkUp(up: boolean): void;
  /** Read at each scrape: the sockets connected to this node. */
  watchConnections(count: () => number): void;
  /** Read at each scrape: the rooms on this node with at least one socket. */
  watchRooms(count: () => number): void;
  render(): Promise<{ contentType: string; body: string }>;
  /**
   * Lets go of the watched functions (and what they hold, such as the Socket.IO server); the
   * gauges keep their last values. Nothing else needs stopping: see `sharedProcessMetrics`.
   */
  close(): void;
}

// 0.5 ms to 5 s. Commits and acknowledgements share them so the two read side by side.
const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

// Up to the SQLite writer thread's largest batch, 1000 writes.
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000];

let processMetrics: Registry | undefined;

/**
 * prom-client's default metrics, made once per process and shared by every registry. Each call
 * of `collectDefaultMetrics` enables a `monitorEventLoopDelay` histogram (a native timer firing
 * every 10 ms) and adds a `gc` PerformanceObserver, and prom-client keeps no handle to stop
 * either (lib/metrics/eventLoopLag.js, gc.js in 15.1.3): one call per server would leave both
 * behind at every close. They describe the process anyway, not a node; the registry that renders
 * them adds its own `node` label. The event-loop gauges reset their window at each collection,
 * so with several nodes in one process (tests) each scrape sees the delay since any node's last.
 */
const sharedProcessMetrics = (): Registry => {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
};

export const createMetrics = ({ nodeId }: { nodeId: string }): Metrics => {
  // Not prom-client's global registry: several servers run in one test process. A merge makes a
  // new registry holding the same default-metric objects, to which this node's are added.
  const register = Registry.merge([sharedProcessMetrics()]);
  register.setDefaultLabels({ node: nodeId });
  const registers = [register];

  let countConnections: (() => number) | undefined;
  let countRooms: (() => number) | undefined;

  new Gauge({
    name: 'chatter_connections',
    help: 'Sockets connected to this node.',
    registers,
    collect() {
      if (countConnections) this.set(countConnections());
    },
  });
  new Gauge({
    name: 'chatter_rooms',
    help: 'Rooms on this node with at least one socket in them.',
    registers,
    collect() {
      if (countRooms) this.set(countRooms());
    },
  });
  const messagesStored = new Counter({
    name: 'chatter_messages_stored_total',
    help: 'Messages stored for the first time by this node (retries not counted).',
    registers,
  });
  const messagesDelivered = new Counter({
    name: 'chatter_messages_delivered_total',
    help: 'Messages delivered live to sockets on this node, one per recipient socket.',
    registers,
  });
  const ackLatency = new Histogram({
    name: 'chatter_ack_latency_seconds',
    help: 'Time from receiving a send to acknowledging it.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const commitSeconds = new Histogram({
    name: 'chatter_store_commit_seconds',
    help: 'Time one batch of message appends took to commit in the store.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const batchSize = new Histogram({
    name: 'chatter_store_batch_size',
    help: 'Message appends per committed batch of the store.',
    buckets: BATCH_SIZE_BUCKETS,
    registers,
  });
  // Registered at its first value: a node without Redis reports no link rather than one down.
  const redisLinkUp = new Gauge({
    name: 'chatter_redis_link_up',
    help: "1 while this node's link to Redis is up, 0 while it is down.",
    registers: [],
  });

  return {
    observeCommit: (seconds, size) => {
      commitSeconds.observe(seconds);
      batchSize.observe(size);
    },
    messageStored: () => messagesStored.inc(),
    delivered: (recipients) => {
      if (recipients > 0) messagesDelivered.inc(recipients);
    },
    ackLatency: (seconds) => ackLatency.observe(seconds),
    setRedisLinkUp: (up) => {
      register.registerMetric(redisLinkUp);
      redisLinkUp.set(up ? 1 : 0);
    },
    watchConnections: (count) => {
      countConnections = count;
    },
    watchRooms: (count) => {
      countRooms = count;
    },
    render: async () => ({ contentType: register.contentType, body: await register.metrics() }),
    close: () => {
      countConnections = undefined;
      countRooms = undefined;
    },
  };
};
