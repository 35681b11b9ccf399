/** Starts a harness script (see harness.ts) in its own process and talks to it over IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { HarnessReport } from './harness.js';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  pid: number;
  /** Restarts the event-loop histogram and the CPU counter inside the server. */
  reset(): Promise<void>;
  /** Figures since the last reset, and the heap after a GC. */
  report(): Promise<HarnessReport>;
  /** The server's counters (e.g. open connections), without a GC. */
  counters(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  type?: string;
  url?: string;
  ok?: boolean;
  report?: HarnessReport;
  counters?: Record<string, number>;
}

/**
 * Forks `node --import tsx --expose-gc [...nodeArgs] bench/<script>` with `env` over the bench's
 * own environment (`undefined` removes a variable, e.g. a REDIS_URL the bench was started with);
 * resolves once it listens.
 */
export const startServerProcess = (
  script: string,
  env: Record<string, string | undefined> = {},
  startTimeoutMs = 60_000,
  nodeArgs: readonly string[] = [],
): Promise<ServerProcess> => {
  const child: ChildProcess = fork(`${BENCH_DIR}${script}`, [], {
    cwd: SERVER_DIR,
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the servers.
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...nodeArgs,
      ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ],
    env: Object.fromEntries(
      Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined),
    ),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  let exited = false;

  const request = (cmd: 'reset' | 'report' | 'counters' | 'stop') =>
    new Promise<Reply>((resolve, reject) => {
      if (exited) {
        reject(new Error(`${script} has exited`));
        return;
      }
      const id = nextId++;
      pending.set(id, (reply) =>
        reply.ok ? resolve(reply) : reject(new Error(`${script} failed to answer "${cmd}"`)),
      );
      child.send({ id, cmd });
    });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${script} did not start within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    child.on('exit', (code) => {
      exited = true;
      clearTimeout(timer);
      if (pending.size > 0 || code !== 0) {
        const error = new Error(`${script} exited with code ${code}`);
        for (const settle of pending.values()) settle({ ok: false });
        pending.clear();
        reject(error);
      }
    });
    child.on('message', (reply: Reply) => {
      if (reply.type === 'listening' && reply.url) {
        clearTimeout(timer);
        resolve({
          url: reply.url,
          pid: child.pid ?? -1,
          reset: async () => {
            await request('reset');
          },
          report: async () => {
            const answer = await request('report');
            if (!answer.report) throw new Error(`${script} gave no report`);
            return answer.report;
          },
          counters: async () => (await request('counters')).counters ?? {},
          stop: async () => {
            const exit = new Promise<void>((done) => child.once('exit', () => done()));
            await request('stop');
            await exit;
          },
        });
        return;
      }
      if (reply.id !== undefined) {
        const settle = pending.get(reply.id);
        pending.delete(reply.id);
        settle?.(reply);
      }
    });
  });
};
