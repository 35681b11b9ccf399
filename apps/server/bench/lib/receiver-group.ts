/** Spreads client sockets over child processes (receivers.ts) and talks to them. */
import { type ChildProcess, fork } from 'node:child_process';
import type { ReceiverConfig } from './receivers.js';
import { BENCH_DIR } from './spawn.js';

export interface ReceiverGroup {
  /** Slowest process's connect+join time, ms. */
  connectMs: number;
  counts(): Promise<{ messages: number; others: number }>;
  /** Send→delivery latencies (ms) recorded since the last call, from every process. */
  latencies(): Promise<number[]>;
  /** Called with a message index once every socket of every process has it (with `notify`). */
  onDelivered(listener: (index: number) => void): void;
  stop(): Promise<void>;
}

interface Reply {
  type: string;
  connectMs?: number;
  messages?: number;
  others?: number;
  latencies?: number[];
  index?: number;
}

const ask = <T extends Reply>(child: ChildProcess, cmd: string, type: string) =>
  new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => {
      child.off('message', listener);
      reject(new Error(`receiver process exited with ${code} before answering "${cmd}"`));
    };
    const listener = (reply: Reply) => {
      if (reply.type !== type) return;
      child.off('message', listener);
      child.off('exit', onExit);
      resolve(reply as T);
    };
    child.on('message', listener);
    child.once('exit', onExit);
    child.send({ cmd });
  });

/** `total` sockets over `processes` children; resolves when every socket has joined its room. */
export const startReceivers = async (
  total: number,
  processes: number,
  base: Omit<ReceiverConfig, 'from' | 'count'>,
): Promise<ReceiverGroup> => {
  const per = Math.ceil(total / processes);
  const children: ChildProcess[] = [];
  const ready: Array<Promise<number>> = [];
  for (let p = 0; p < processes; p++) {
    const from = p * per;
    const count = Math.min(per, total - from);
    if (count <= 0) break;
    const child = fork(`${BENCH_DIR}lib/receivers.ts`, [JSON.stringify({ ...base, from, count })], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        child.on('message', (reply: Reply) => {
          if (reply.type === 'ready') resolve(reply.connectMs ?? Number.NaN);
        });
        child.once('exit', (code) => reject(new Error(`receiver process exited with ${code}`)));
      }),
    );
  }
  const connectMs = Math.max(...(await Promise.all(ready)));
  const deliveredBy = new Map<number, number>();
  const listeners: Array<(index: number) => void> = [];
  for (const child of children) {
    child.on('message', (reply: Reply) => {
      if (reply.type !== 'delivered' || reply.index === undefined) return;
      const done = (deliveredBy.get(reply.index) ?? 0) + 1;
      deliveredBy.set(reply.index, done);
      if (done < children.length) return;
      deliveredBy.delete(reply.index);
      for (const listener of listeners) listener(reply.index);
    });
  }
  return {
    connectMs,
    counts: async () => {
      const all = await Promise.all(children.map((c) => ask<Reply>(c, 'counts', 'counts')));
      return {
        messages: all.reduce((sum, r) => sum + (r.messages ?? 0), 0),
        others: all.reduce((sum, r) => sum + (r.others ?? 0), 0),
      };
    },
    latencies: async () => {
      const all = await Promise.all(children.map((c) => ask<Reply>(c, 'latencies', 'latencies')));
      return all.flatMap((r) => r.latencies ?? []);
    },
    onDelivered: (listener) => {
      listeners.push(listener);
    },
    stop: async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              child.removeAllListeners('exit');
              child.once('exit', () => resolve());
              child.send({ cmd: 'stop' });
            }),
        ),
      );
    },
  };
};

/** Polls until the counts stop changing for `quietMs` (bounded by `maxMs`); returns the last. */
export const waitForQuiet = async (group: ReceiverGroup, quietMs = 500, maxMs = 60_000) => {
  const deadline = performance.now() + maxMs;
  let last = await group.counts();
  let stableSince = performance.now();
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const current = await group.counts();
    if (current.messages !== last.messages || current.others !== last.others) {
      last = current;
      stableSince = performance.now();
    } else if (performance.now() - stableSince >= quietMs) {
      return current;
    }
  }
  return last;
};
