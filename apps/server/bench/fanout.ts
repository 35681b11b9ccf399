/**
 * Fan-out: one room of R receivers (100 and 500) and one sender (not in the room) sending N
 * messages, at most FANOUT_WINDOW of them not yet delivered everywhere. Chatter vs a bare
 * Socket.IO relay (bare-relay.ts). Reports server CPU µs per delivery (the server process's CPU
 * delta, writer threads included, / deliveries) and send→delivery p50/p99 (the send time rides
 * in the text as "t=<epoch ms>"). Deliveries are counted at the receivers only, so the figure
 * does not depend on whether the sender gets its own broadcast.
 *
 * The receivers run in child processes (lib/receivers.ts): 1 for rooms up to 100 and 2 above
 * (FANOUT_CLIENT_PROCS), so a client side parsing 50k+ frames/s does not hold up the sender.
 *
 * Run alone: pnpm --filter @chatter/server bench fanout   (or BENCH=fanout pnpm bench)
 * Tune: FANOUT_ROOMS=100,500 FANOUT_DELIVERIES=100000 (per trial; N = deliveries / R)
 *       FANOUT_WINDOW=4 FANOUT_CLIENT_PROCS=<n> BENCH_TRIALS=3 BENCH_QUICK=1
 */
import { call, connectSocket, signToken } from './lib/clients.js';
import { type Contender as Server, startContender } from './lib/contenders.js';
import { envNumber, interleaved, removeDir, TRIALS, tempDir } from './lib/options.js';
import { startReceivers, waitForQuiet } from './lib/receiver-group.js';
import { latencyPercentiles, Trials } from './lib/stats.js';
import { type PartResult, ratioAtMost } from './lib/table.js';

const ROOM_SIZES = (process.env.FANOUT_ROOMS ?? '100,500').split(',').map(Number);
const DELIVERIES = envNumber('FANOUT_DELIVERIES', 100_000, 20_000);
const WINDOW = envNumber('FANOUT_WINDOW', 4);

type Contender = Extract<Server, 'chatter' | 'relay'>;

const trial = async (contender: Contender, receivers: number) => {
  const dir = tempDir('fanout');
  const server = await startContender(contender, dir);
  const processes = envNumber('FANOUT_CLIENT_PROCS', receivers > 100 ? 2 : 1);
  const group = await startReceivers(receivers, processes, {
    url: server.url,
    roomSize: receivers,
    roomPrefix: 'fanout-',
    userPrefix: 'receiver-',
    concurrency: 50,
    notify: true,
  });
  const sender = await connectSocket(server.url, await signToken('sender'));
  try {
    // Let the presence traffic of the joins die down before measuring.
    await waitForQuiet(group);
    const before = await group.counts();
    await group.latencies();
    const count = Math.ceil(DELIVERIES / receivers);
    let delivered = 0;
    let wake: (() => void) | undefined;
    group.onDelivered(() => {
      delivered += 1;
      wake?.();
    });
    // Bounded: each wait ends at the next completed delivery, or fails after 30 s without one.
    const deliveredAtLeast = async (target: number) => {
      while (delivered < target) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${contender}: fan-out stalled at ${delivered}/${count}`)),
            30_000,
          );
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    await server.reset();
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      await deliveredAtLeast(i - WINDOW + 1);
      const text = `t=${performance.timeOrigin + performance.now()} i=${i} fan-out message`;
      await call(sender, 'message', { room: 'fanout-0', text, clientId: `f-${i}` });
    }
    await deliveredAtLeast(count);
    const seconds = (performance.now() - started) / 1000;
    const report = await server.report();
    const after = await group.counts();
    const deliveries = after.messages - before.messages;
    if (deliveries !== count * receivers) {
      throw new Error(`${contender}: ${deliveries} deliveries, expected ${count * receivers}`);
    }
    const { p50, p99 } = latencyPercentiles(await group.latencies());
    return {
      cpuPerDelivery: report.cpuUs / deliveries,
      deliveriesPerSecond: deliveries / seconds,
      p50,
      p99,
    };
  } finally {
    sender.disconnect();
    await group.stop();
    await server.stop();
    removeDir(dir);
  }
};

export const runFanout = async (): Promise<PartResult[]> => {
  const results: PartResult[] = [];
  for (const receivers of ROOM_SIZES) {
    const figures = { chatter: new Trials(), relay: new Trials() };
    for (let t = 0; t < TRIALS; t++) {
      for (const contender of interleaved<Contender>(t, 'chatter', 'relay')) {
        figures[contender].add(await trial(contender, receivers));
      }
    }
    const pair = (figure: string, key: string) => ({
      figure,
      chatter: figures.chatter.get(key),
      baselineName: 'bare relay',
      baseline: figures.relay.get(key),
    });
    results.push({
      part: `fan-out ${receivers}`,
      note: `${Math.ceil(DELIVERIES / receivers)} messages to ${receivers} receivers per trial, window ${WINDOW}, ${TRIALS} trials`,
      rows: [
        {
          ...pair('server CPU µs/delivery', 'cpuPerDelivery'),
          target: ratioAtMost(1.1, 'relay'),
        },
        pair('deliveries/s', 'deliveriesPerSecond'),
        pair('send→delivery p50 ms', 'p50'),
        pair('send→delivery p99 ms', 'p99'),
      ],
    });
  }
  return results;
};
