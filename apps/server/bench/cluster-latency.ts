/**
 * Cluster latency: one sender and R receivers in one room, M messages paced one every INTERVAL ms
 * (a steady conversation, not a flood), after a few unmeasured warm-up messages. Layouts: a single
 * node without Redis (the baseline), a 2-node cluster with the sender on node A and every receiver
 * on node B (every delivery crosses Redis), and the same cluster with the receivers split over A
 * and B. The nodes stay up for the whole part; each trial has a room and users of its own. Sender
 * and receivers live in this process, so emit and delivery are read off one clock.
 * Reports send→delivery and send→ack p50/p99 (the ack waits for the store and, in a cluster, for
 * the rate limit's Redis round trip).
 *
 * Tune: CLUSTER_RECEIVERS=50 CLUSTER_MESSAGES=200 CLUSTER_INTERVAL_MS=20 BENCH_TRIALS=3
 */
import type { Socket } from 'socket.io-client';
import { call, connectSocket, pool, signToken } from './lib/clients.js';
import { type Nodes, startSingleAndCluster } from './lib/cluster-nodes.js';
import { envNumber, interleaved, TRIALS } from './lib/options.js';
import { waitForIdle } from './lib/process-cpu.js';
import { latencyPercentiles, Trials } from './lib/stats.js';
import { type PartResult, ratioAtMost } from './lib/table.js';

const RECEIVERS = envNumber('CLUSTER_RECEIVERS', 50);
const MESSAGES = envNumber('CLUSTER_MESSAGES', 200);
const INTERVAL_MS = envNumber('CLUSTER_INTERVAL_MS', 20);
const WARM_UP = 20;

type Layout = 'single' | 'cross' | 'split';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 10 ms; fails with `what` after `timeoutMs`. */
const waitUntil = async (condition: () => boolean, what: () => string, timeoutMs = 30_000) => {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(what());
    await sleep(10);
  }
};

/** Resolves once `count()` has not changed for `quietMs`: the joins' presence traffic is over. */
const waitForQuiet = async (count: () => number, quietMs = 500, maxMs = 30_000) => {
  const deadline = performance.now() + maxMs;
  let last = count();
  let stableSince = performance.now();
  while (performance.now() < deadline && performance.now() - stableSince < quietMs) {
    await sleep(50);
    if (count() !== last) {
      last = count();
      stableSince = performance.now();
    }
  }
};

/** `quietPids`: every node of the part, the other contender's too, idle before measuring. */
const trial = async (layout: Layout, contender: Nodes, t: number, quietPids: number[]) => {
  const sockets: Socket[] = [];
  const room = `latency-${t}-${layout}`;
  try {
    const [nodeA, nodeB = nodeA] = contender.nodes.map((node) => node.url);
    if (nodeA === undefined || nodeB === undefined) throw new Error('no node started');
    const receiverUrl = (i: number) => (layout === 'split' && i % 2 === 0 ? nodeA : nodeB);
    const total = WARM_UP + MESSAGES;
    const sentAt: number[] = [];
    const deliveries: number[] = [];
    const acks: number[] = [];
    let events = 0;
    let delivered = 0;
    let unexpected: string | undefined;
    await pool(RECEIVERS, 25, async (i) => {
      const socket = await connectSocket(receiverUrl(i), await signToken(`${room}-receiver-${i}`));
      sockets.push(socket);
      socket.onAny((event: string, payload: { text?: string }) => {
        events += 1;
        if (event !== 'message') return;
        const index = Number(/^i=(\d+) /.exec(payload.text ?? '')?.[1]);
        const sent = sentAt[index];
        if (sent === undefined) {
          unexpected ??= payload.text;
          return;
        }
        delivered += 1;
        if (index >= WARM_UP) deliveries.push(performance.now() - sent);
      });
      await call(socket, 'join', { room });
    });
    const sender = await connectSocket(nodeA, await signToken(`${room}-sender`));
    sockets.push(sender);
    await waitForQuiet(() => events);

    // Messages [from, to), one every INTERVAL_MS; resolves once all are acknowledged and delivered.
    const sendPaced = async (from: number, to: number) => {
      const started = performance.now();
      const acknowledged: Array<Promise<void>> = [];
      for (let i = from; i < to; i++) {
        const wait = started + (i - from) * INTERVAL_MS - performance.now();
        if (wait > 0) await sleep(wait);
        const sent = performance.now();
        sentAt[i] = sent;
        const text = `i=${i} a message of about the length people type`;
        acknowledged.push(
          call(sender, 'message', { room, text, clientId: `${room}-${i}` }).then(() => {
            if (i >= WARM_UP) acks.push(performance.now() - sent);
          }),
        );
      }
      await Promise.all(acknowledged);
      await waitUntil(
        () => delivered >= to * RECEIVERS || unexpected !== undefined,
        () => `${layout}: ${delivered} of ${to * RECEIVERS} deliveries arrived`,
      );
      if (unexpected !== undefined)
        throw new Error(`${layout}: unexpected message "${unexpected}"`);
    };
    // The first messages through a fresh node pay for compiling its send path.
    await sendPaced(0, WARM_UP);
    await waitForIdle(quietPids);
    await sendPaced(WARM_UP, total);
    if (delivered !== total * RECEIVERS) {
      throw new Error(`${layout}: ${delivered} deliveries, expected ${total * RECEIVERS}`);
    }
    const delivery = latencyPercentiles(deliveries);
    const ack = latencyPercentiles(acks);
    return { p50: delivery.p50, p99: delivery.p99, ackP50: ack.p50, ackP99: ack.p99 };
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
};

export const runClusterLatency = async (): Promise<PartResult> => {
  const figures = { single: new Trials(), cross: new Trials(), split: new Trials() };
  const contenders = await startSingleAndCluster();
  const everyPid = [...contenders.single.nodes, ...contenders.cluster.nodes].map(
    (node) => node.pid,
  );
  try {
    for (let t = 0; t < TRIALS; t++) {
      for (const layout of interleaved<Layout>(t, 'single', 'cross', 'split')) {
        const nodes = layout === 'single' ? contenders.single : contenders.cluster;
        figures[layout].add(await trial(layout, nodes, t, everyPid));
      }
    }
  } finally {
    await contenders.stop();
  }
  const versusSingle = (figure: string, layout: Layout, key: string) => ({
    figure,
    chatter: figures[layout].get(key),
    baselineName: 'single node',
    baseline: figures.single.get(key),
  });
  return {
    part: 'cluster latency',
    note: `chatter = 2 nodes over Redis; 1 sender on node A, ${RECEIVERS} receivers in one room, ${MESSAGES} messages one every ${INTERVAL_MS} ms, ${TRIALS} trials`,
    rows: [
      versusSingle('receivers on B: send→delivery p50 ms', 'cross', 'p50'),
      {
        ...versusSingle('receivers on B: send→delivery p99 ms', 'cross', 'p99'),
        target: ratioAtMost(1.3, 'single node'),
      },
      versusSingle('receivers on A+B: send→delivery p50 ms', 'split', 'p50'),
      versusSingle('receivers on A+B: send→delivery p99 ms', 'split', 'p99'),
      versusSingle('send→ack p50 ms', 'cross', 'ackP50'),
      versusSingle('send→ack p99 ms', 'cross', 'ackP99'),
    ],
  };
};
