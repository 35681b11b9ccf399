/**
 * SDK benchmark against a real server process. Each figure comes with a baseline measured in the
 * same run on the same server, and the ratio between them, so a regression shows however busy
 * the machine is.
 *
 * - send:     `room.send` awaited one by one vs a bare typed socket.io-client `emitWithAck`
 *             (the SDK's outbox sends one message at a time, in order, so one in flight is the
 *             fair baseline).
 * - burst:    MESSAGES `room.send` calls at once (queued by the outbox) vs the same bare loop.
 * - catch-up: a client coming back after CATCH_UP missed messages, from the network returning
 *             to holding them all, vs a bare connect + `join { since }` + `history` paging.
 *
 * Run: pnpm bench   (MESSAGES=2000 CATCH_UP=5000 to change the load)
 */
import { performance } from 'node:perf_hooks';
import { type ClientToServerEvents, LIMITS, type ServerToClientEvents } from '@chatter/protocol';
import { io, type Socket } from 'socket.io-client';
import { createChatterClient } from '../src/index.js';
import { ServerProcess } from '../test/support/server-process.js';
import { FaultyProxy } from '../test/support/ws-proxy.js';

const MESSAGES = Number(process.env.MESSAGES ?? 1000);
const CATCH_UP = Number(process.env.CATCH_UP ?? 3000);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const timeEach = async (count: number, task: (i: number) => Promise<unknown>) => {
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await task(i);
    latencies.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: count / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
};

const row = (name: string, sdk: number, baseline: number, unit: string, higherIsBetter: boolean) =>
  console.log(
    `${name.padEnd(22)} sdk ${sdk.toFixed(1).padStart(9)} ${unit.padEnd(6)} baseline ${baseline
      .toFixed(1)
      .padStart(
        9,
      )} ${unit.padEnd(6)} ratio ${(higherIsBetter ? sdk / baseline : baseline / sdk).toFixed(2)}`,
  );

const main = async () => {
  const server = new ServerProcess();
  await server.start();
  const proxy = new FaultyProxy(() => server.port);
  await proxy.listen();
  try {
    const token = await server.token({ id: 'bench', name: 'Bench' });
    const bare: Socket<ServerToClientEvents, ClientToServerEvents> = io(server.url, {
      auth: { token },
      transports: ['websocket'],
    });
    await new Promise((resolve) => bare.once('connect', () => resolve(undefined)));
    const chat = createChatterClient({ url: server.url, token, transports: ['websocket'] });
    const room = await chat.join('bench-sdk');
    await bare.emitWithAck('join', { room: 'bench-bare' });

    const bareSend = (room: string) => (i: number) =>
      bare.emitWithAck('message', { room, text: `message ${i}`, clientId: crypto.randomUUID() });
    const baseline = await timeEach(MESSAGES, bareSend('bench-bare'));
    const sdk = await timeEach(MESSAGES, (i) => room.send(`message ${i}`));
    row('send (msg/s)', sdk.perSecond, baseline.perSecond, 'msg/s', true);
    row('send p50 (ms)', sdk.p50, baseline.p50, 'ms', false);
    row('send p99 (ms)', sdk.p99, baseline.p99, 'ms', false);

    const burstStarted = performance.now();
    await Promise.all(Array.from({ length: MESSAGES }, (_, i) => room.send(`burst ${i}`)));
    const burst = MESSAGES / ((performance.now() - burstStarted) / 1000);
    const bareBurst = await timeEach(MESSAGES, bareSend('bench-bare'));
    row('burst (msg/s)', burst, bareBurst.perSecond, 'msg/s', true);

    // Catch-up: a reader drops off, CATCH_UP messages are posted, and it comes back.
    const reader = createChatterClient({
      url: proxy.url,
      token: await server.token({ id: 'reader', name: 'Reader' }),
      transports: ['websocket'],
      reconnectionDelayMs: 10,
      reconnectionDelayMaxMs: 10,
    });
    const readerRoom = await reader.join('bench-sdk');
    const since = readerRoom.messages.at(-1)?.seq ?? 0;
    proxy.refuse(true);
    for (let i = 0; i < CATCH_UP; i++) await bareSend('bench-sdk')(i);
    const target = since + CATCH_UP;
    const caughtUp = new Promise<void>((resolve) =>
      readerRoom.on('change', () => {
        if (readerRoom.messages.at(-1)?.seq === target) resolve();
      }),
    );
    const catchUpStarted = performance.now();
    proxy.refuse(false);
    await caughtUp;
    const catchUpMs = performance.now() - catchUpStarted;

    // The baseline does the same by hand, through the same proxy: connect, join with `since`,
    // then page with `after`.
    const bareStarted = performance.now();
    const returning: Socket<ServerToClientEvents, ClientToServerEvents> = io(proxy.url, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
    });
    await new Promise((resolve) => returning.once('connect', () => resolve(undefined)));
    const joined = await returning.emitWithAck('join', { room: 'bench-sdk', since });
    if (!joined.ok) throw new Error('join failed');
    for (let after = joined.messages.at(-1)?.seq ?? since; after < target; ) {
      const page = await returning.emitWithAck('history', {
        room: 'bench-sdk',
        after,
        limit: LIMITS.historyPageMaxSize,
      });
      if (!page.ok || page.messages.length === 0) throw new Error('history paging failed');
      after = page.messages.at(-1)?.seq ?? target;
    }
    const bareCatchUpMs = performance.now() - bareStarted;
    returning.disconnect();
    row(`catch-up ${CATCH_UP} (ms)`, catchUpMs, bareCatchUpMs, 'ms', false);

    const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(
      `heap after holding ${readerRoom.messages.length + room.messages.length} messages: ${heapMiB.toFixed(1)} MiB`,
    );
    reader.close();
    chat.close();
    bare.disconnect();
  } finally {
    await proxy.close();
    await server.dispose();
  }
};

await main();
