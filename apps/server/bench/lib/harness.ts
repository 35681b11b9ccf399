/**
 * The inside of every server process the bench spawns (Chatter and the baselines alike), so all
 * contenders are measured the same way. The parent talks to it over IPC:
 *
 * - on start the child sends `{ type: 'listening', url }`;
 * - `{ id, cmd: 'reset' }` restarts the event-loop delay histogram and the CPU counter;
 * - `{ id, cmd: 'report' }` answers with event-loop delay p50/p99/max (ms), CPU µs since the
 *   last reset, the heap, external memory and RSS after a full GC (when run with --expose-gc),
 *   and the server's own counters (e.g. open connections) when it offers any;
 * - `{ id, cmd: 'counters' }` answers with the server's counters alone, without a GC;
 * - `{ id, cmd: 'stop' }` closes the server and exits.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface HarnessReport {
  /** Event-loop delay beyond the 10 ms sampling interval, in ms. */
  loopP50: number;
  loopP99: number;
  loopMax: number;
  /** User + system CPU since the last reset, µs. */
  cpuUs: number;
  /** heapUsed after a forced GC, bytes. */
  heapUsed: number;
  /** Memory outside the JS heap (Buffers and the like) after the same GC, bytes. */
  external: number;
  /** Resident set size after the same GC, bytes. */
  rss: number;
  /** What the server counts of itself, e.g. `{ connections: 3 }`. */
  counters: Record<string, number>;
}

export interface HarnessRequest {
  id: number;
  cmd: 'reset' | 'report' | 'counters' | 'stop';
}

export interface StartedServer {
  url: string;
  close(): Promise<void>;
  counters?(): Record<string, number>;
}

const RESOLUTION_MS = 10;

/** monitorEventLoopDelay records whole intervals (ns); the delay is what exceeds the interval. */
const delayMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

const fullGc = () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  // Twice: the first pass can leave objects whose finalizers free more on the second.
  gc();
  gc();
};

const send = (message: unknown) =>
  new Promise<void>((resolve) => {
    if (!process.send) throw new Error('run this harness with an IPC channel (child_process.fork)');
    process.send(message, () => resolve());
  });

/** Starts the server, reports its URL to the parent and serves measurement requests. */
export const runHarness = async (start: () => Promise<StartedServer>): Promise<void> => {
  const loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  loop.enable();
  let cpuAtReset = process.cpuUsage();
  const server = await start();

  process.on('message', async (raw: HarnessRequest) => {
    const { id, cmd } = raw;
    if (cmd === 'reset') {
      loop.reset();
      cpuAtReset = process.cpuUsage();
      await send({ id, ok: true });
    } else if (cmd === 'report') {
      const cpu = process.cpuUsage(cpuAtReset);
      const loopFigures = {
        loopP50: delayMs(loop.percentile(50)),
        loopP99: delayMs(loop.percentile(99)),
        loopMax: delayMs(loop.max),
      };
      fullGc();
      const memory = process.memoryUsage();
      const report: HarnessReport = {
        ...loopFigures,
        cpuUs: cpu.user + cpu.system,
        heapUsed: memory.heapUsed,
        external: memory.external,
        rss: memory.rss,
        counters: server.counters?.() ?? {},
      };
      await send({ id, ok: true, report });
    } else if (cmd === 'counters') {
      await send({ id, ok: true, counters: server.counters?.() ?? {} });
    } else if (cmd === 'stop') {
      await server.close();
      await send({ id, ok: true });
      process.exit(0);
    }
  });
  // The parent going away must not leave a server behind.
  process.on('disconnect', () => process.exit(0));
  await send({ type: 'listening', url: server.url });
};
