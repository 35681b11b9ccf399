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
 *             to holding them all, vs a bare connect + `join { since }` + `history` paging
 *             with the largest forward pages the protocol allows, as the SDK pages.
 *
 * Run: pnpm bench   (MESSAGES=2000 CATCH_UP=20000 ROUNDS=5 to change the load)
 */
import { performance } from 'node:perf_hooks';
import { type ClientToServerEvents, LIMITS, type ServerToClientEvents } from '@chatter/protocol';
import { io, type Socket } from 'socket.io-client';
import { createChatterClient, type Room } from '../src/index.js';
import { ServerProcess } from '../test/support/server-process.js';
import { FaultyProxy } from '../test/support/ws-proxy.js';

const MESSAGES = Number(process.env.MESSAGES ?? 1000);
const CATCH_UP = Number(process.env.CATCH_UP ?? 10_000);
/**
 * Measured catch-up rounds, after one that warms up; the median is reported. Even, so the SDK
 * and the baseline each go first equally often.
 */
const ROUNDS = Number(process.env.ROUNDS ?? 4);
/** A pause after posting the missed messages, before either reader is timed. */
const SETTLE_MS = 500;
/**
 * A room of its own for catch-up: `chat`, which sits in `bench-sdk`, would otherwise take every
 * message posted for the readers live, and the garbage of that would land in the measurements.
 */
const CATCH_UP_ROOM = 'bench-catch-up';

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

    // Catch-up, ROUNDS times: a reader drops off, CATCH_UP messages are posted, and it comes
    // back. A bare client then reads the same range by hand: connect, join with `since`, page
    // with `after`, in pages as large as a forward page may be (as the SDK pages). Each goes
    // through a proxy of its own, so either can go first; the order alternates, and a first,
    // unmeasured round warms up both sides, so neither always meets a colder server or JIT.
    const readerToken = await server.token({ id: 'reader', name: 'Reader' });
    const bareProxy = new FaultyProxy(() => server.port);
    await bareProxy.listen();

    const sdkCatchUp = async (readerRoom: Room, target: number) => {
      const caughtUp = new Promise<void>((resolve) => {
        const stop = readerRoom.on('change', () => {
          if (readerRoom.messages.at(-1)?.seq !== target) return;
          stop();
          resolve();
        });
      });
      const started = performance.now();
      proxy.refuse(false);
      await caughtUp;
      return performance.now() - started;
    };
    const bareCatchUp = async (since: number, target: number) => {
      const started = performance.now();
      const returning: Socket<ServerToClientEvents, ClientToServerEvents> = io(bareProxy.url, {
        auth: { token },
        transports: ['websocket'],
        forceNew: true,
      });
      await new Promise((resolve) => returning.once('connect', () => resolve(undefined)));
      const joined = await returning.emitWithAck('join', { room: CATCH_UP_ROOM, since });
      if (!joined.ok) throw new Error('join failed');
      // One page asked for ahead, as the SDK does.
      const size = LIMITS.catchUpPageMaxSize;
      const request = (after: number) => ({
        after,
        answer: returning.emitWithAck('history', { room: CATCH_UP_ROOM, after, limit: size }),
      });
      let next: ReturnType<typeof request> | undefined;
      for (let after = joined.messages.at(-1)?.seq ?? since; after < target; ) {
        const current = next?.after === after ? next : request(after);
        next = after + size < target ? request(after + size) : undefined;
        const page = await current.answer;
        if (!page.ok || page.messages.length === 0) throw new Error('history paging failed');
        after = page.messages.at(-1)?.seq ?? target;
      }
      const ms = performance.now() - started;
      returning.disconnect();
      return ms;
    };

    const sdkRounds: number[] = [];
    const bareRounds: number[] = [];
    let held = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      // A new reader each round, so each holds as much as the first (its newest page, then
      // what it missed).
      const reader = createChatterClient({
        url: proxy.url,
        token: readerToken,
        transports: ['websocket'],
        // Retries every millisecond while refused, so it is back about as soon as the network
        // is: the bare client below connects at once, and a reconnection timer is no SDK cost.
        reconnectionDelayMs: 1,
        reconnectionDelayMaxMs: 1,
      });
      const readerRoom = await reader.join(CATCH_UP_ROOM);
      const since = readerRoom.messages.at(-1)?.seq ?? 0;
      proxy.refuse(true);
      // Posted in parallel batches: only what comes after is measured.
      for (let i = 0; i < CATCH_UP; i += 200) {
        const batch = Array.from({ length: Math.min(200, CATCH_UP - i) }, (_, k) => i + k);
        for (const ack of await Promise.all(batch.map(bareSend(CATCH_UP_ROOM)))) {
          if (!ack.ok) throw new Error(`a catch-up message was refused: ${ack.error.message}`);
        }
      }
      // The server flushes and collects after that many writes; whoever read first paid for it.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      const target = since + CATCH_UP;
      const sdkFirst = round % 2 === 0;
      const first = sdkFirst
        ? await sdkCatchUp(readerRoom, target)
        : await bareCatchUp(since, target);
      const second = sdkFirst
        ? await bareCatchUp(since, target)
        : await sdkCatchUp(readerRoom, target);
      held = readerRoom.messages.length;
      reader.close();
      if (round === 0) continue;
      sdkRounds.push(sdkFirst ? first : second);
      bareRounds.push(sdkFirst ? second : first);
    }
    await bareProxy.close();
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const middle = sorted.length / 2;
      return Number.isInteger(middle)
        ? ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2
        : (sorted[Math.floor(middle)] ?? Number.NaN);
    };
    const each = sdkRounds.map((sdk, i) => `${sdk.toFixed(0)}/${bareRounds[i]?.toFixed(0)}`);
    console.log(`catch-up rounds (sdk/baseline ms): ${each.join(', ')}`);
    row(`catch-up ${CATCH_UP} (ms)`, median(sdkRounds), median(bareRounds), 'ms', false);

    const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
    console.log(
      `heap after holding ${held + room.messages.length} messages: ${heapMiB.toFixed(1)} MiB`,
    );
    chat.close();
    bare.disconnect();
  } finally {
    await proxy.close();
    await server.dispose();
  }
};

await main();
