/**
 * Cluster fan-out CPU: R receivers in one room (half on node A, half on node B of a 2-node
 * cluster; all of them on the single node of the baseline) and a sender on node A sending a burst
 * of N messages, at most CLUSTER_WINDOW of them not yet delivered everywhere. Reports each node's
 * CPU (the process's user + system time, all threads, as the bench harness measures it) per
 * delivery it made, both nodes' CPU per delivery, and Redis's CPU per delivery (the whole Redis
 * server: anything else using it at the time counts too). The nodes stay up for the whole part;
 * each trial has a room and users of its own.
 *
 * Tune: CLUSTER_BURST_RECEIVERS=200 CLUSTER_BURST_DELIVERIES=60000 (per trial; N = deliveries / R)
 *       CLUSTER_WINDOW=4 BENCH_TRIALS=3 BENCH_QUICK=1
 */
import { call, connectSocket, signToken } from './lib/clients.js';
import {
  connectRedis,
  type Nodes,
  redisCpuUs,
  startSingleAndCluster,
} from './lib/cluster-nodes.js';
import { envNumber, interleaved, TRIALS } from './lib/options.js';
import { waitForIdle } from './lib/process-cpu.js';
import { type ReceiverGroup, startReceivers, waitForQuiet } from './lib/receiver-group.js';
import { Trials } from './lib/stats.js';
import type { PartResult } from './lib/table.js';

const RECEIVERS = envNumber('CLUSTER_BURST_RECEIVERS', 200);
const DELIVERIES = envNumber('CLUSTER_BURST_DELIVERIES', 60_000, 20_000);
const WINDOW = envNumber('CLUSTER_WINDOW', 4);
const COUNT = Math.ceil(DELIVERIES / RECEIVERS);
const WARM_UP = 20;

type Layout = 'single' | 'cluster';

/** Resolves each wait once every group has `target` messages, or fails after 30 s without one. */
const deliveryTracker = (groups: ReceiverGroup[], label: string) => {
  const groupsHaving = new Map<number, number>();
  let delivered = 0;
  let wake: (() => void) | undefined;
  for (const group of groups) {
    group.onDelivered((index) => {
      const having = (groupsHaving.get(index) ?? 0) + 1;
      if (having < groups.length) {
        groupsHaving.set(index, having);
        return;
      }
      groupsHaving.delete(index);
      delivered += 1;
      wake?.();
    });
  }
  return async (target: number) => {
    while (delivered < target) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${label}: fan-out stalled at ${delivered}/${target} messages`)),
          30_000,
        );
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
};

/** `quietPids`: every node of the part, the other contender's too, idle before measuring. */
const trial = async (layout: Layout, contender: Nodes, t: number, quietPids: number[]) => {
  const room = `burst-${t}-${layout}`;
  const groups: ReceiverGroup[] = [];
  const redis = layout === 'cluster' ? await connectRedis() : undefined;
  try {
    const share = Math.ceil(RECEIVERS / contender.nodes.length);
    const sizes = contender.nodes.map((_, n) => Math.min(share, RECEIVERS - n * share));
    groups.push(
      ...(await Promise.all(
        contender.nodes.map((node, n) =>
          startReceivers(sizes[n] ?? 0, 1, {
            url: node.url,
            roomSize: RECEIVERS,
            // Receiver i joins room `<roomPrefix><floor(i / roomSize)>`: `<room>-0` for all.
            roomPrefix: `${room}-`,
            userPrefix: `${room}-node-${n}-receiver-`,
            concurrency: 50,
            notify: true,
          }),
        ),
      )),
    );
    const [nodeA] = contender.nodes;
    if (!nodeA) throw new Error('no node started');
    const sender = await connectSocket(nodeA.url, await signToken(`${room}-sender`));
    try {
      await Promise.all(groups.map((group) => waitForQuiet(group)));
      const deliveredAtLeast = deliveryTracker(groups, layout);
      // Messages [from, to), at most WINDOW of them not yet delivered everywhere.
      const burst = async (from: number, to: number) => {
        for (let i = from; i < to; i++) {
          await deliveredAtLeast(i - WINDOW + 1);
          const text = `t=${performance.timeOrigin + performance.now()} i=${i} burst message`;
          await call(sender, 'message', { room: `${room}-0`, text, clientId: `${room}-${i}` });
        }
        await deliveredAtLeast(to);
      };
      // Unmeasured: the first messages through a fresh node pay for compiling its send path.
      await burst(0, WARM_UP);
      await waitForIdle(quietPids);
      const before = await Promise.all(groups.map((group) => group.counts()));
      await Promise.all(contender.nodes.map((node) => node.reset()));
      const redisBefore = redis && (await redisCpuUs(redis));
      const started = performance.now();
      await burst(WARM_UP, WARM_UP + COUNT);
      const seconds = (performance.now() - started) / 1000;
      const redisCpu =
        redis && redisBefore !== undefined ? (await redisCpuUs(redis)) - redisBefore : 0;
      const reports = await Promise.all(contender.nodes.map((node) => node.report()));
      const after = await Promise.all(groups.map((group) => group.counts()));
      const made = after.map((counts, n) => counts.messages - (before[n]?.messages ?? 0));
      made.forEach((deliveries, n) => {
        const expected = COUNT * (sizes[n] ?? 0);
        if (deliveries !== expected) {
          throw new Error(`${layout} node ${n}: ${deliveries} deliveries, expected ${expected}`);
        }
      });
      const perDelivery = (n: number) => (reports[n]?.cpuUs ?? Number.NaN) / (made[n] ?? 0);
      const total = made.reduce((sum, deliveries) => sum + deliveries, 0);
      const cpu = reports.reduce((sum, report) => sum + report.cpuUs, 0);
      return {
        nodeA: perDelivery(0),
        nodeB: perDelivery(contender.nodes.length - 1),
        nodes: cpu / total,
        redis: redisCpu / total,
        deliveriesPerSecond: total / seconds,
      };
    } finally {
      sender.disconnect();
    }
  } finally {
    await Promise.allSettled(groups.map((group) => group.stop()));
    await redis?.close();
  }
};

export const runClusterCpu = async (): Promise<PartResult> => {
  const figures = { single: new Trials(), cluster: new Trials() };
  const contenders = await startSingleAndCluster();
  const everyPid = [...contenders.single.nodes, ...contenders.cluster.nodes].map(
    (node) => node.pid,
  );
  try {
    for (let t = 0; t < TRIALS; t++) {
      for (const layout of interleaved<Layout>(t, 'single', 'cluster')) {
        figures[layout].add(await trial(layout, contenders[layout], t, everyPid));
      }
    }
  } finally {
    await contenders.stop();
  }
  // The single node's CPU per delivery is the baseline of each node's and of both nodes' figure.
  const versusSingle = (figure: string, key: string, singleKey = 'nodes') => ({
    figure,
    chatter: figures.cluster.get(key),
    baselineName: 'single node',
    baseline: figures.single.get(singleKey),
  });
  return {
    part: 'cluster fan-out CPU',
    note: `chatter = 2 nodes over Redis, ${RECEIVERS / 2} receivers on each, sender on A; single node: all ${RECEIVERS}; ${COUNT} messages, window ${WINDOW}, ${TRIALS} trials`,
    rows: [
      versusSingle('node A (sender) CPU µs/delivery', 'nodeA'),
      versusSingle('node B CPU µs/delivery', 'nodeB'),
      versusSingle('both nodes CPU µs/delivery', 'nodes'),
      { figure: 'Redis CPU µs/delivery', chatter: figures.cluster.get('redis') },
      versusSingle('deliveries/s', 'deliveriesPerSecond', 'deliveriesPerSecond'),
    ],
  };
};
