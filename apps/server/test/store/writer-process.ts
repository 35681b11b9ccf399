import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Message } from '@chatter/protocol';
import { expect } from 'vitest';
import type { ChatStore } from '../../src/store/chat-store.js';

// For the tests in which several processes write to one store.

const SERVER_DIR = fileURLToPath(new URL('../../', import.meta.url));
const WRITER = fileURLToPath(new URL('./store-writer.ts', import.meta.url));

/** Collects a child's output; `ready` once it printed "ready", `done` when it exits with 0. */
function watch(child: ChildProcessWithoutNullStreams) {
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`writer exited with ${code ?? signal}:\n${stderr}`));
    });
  });
  // A writer that dies before it is ready must fail the test, not leave it waiting.
  return { ready: Promise.race([ready, done.then(() => {})]), done };
}

export interface ConcurrentWriters {
  backend: 'sqlite' | 'mongodb';
  /** The SQLite file or the MongoDB URI every writer opens. */
  target: string;
  room: string;
  writers: string[];
  perWriter: number;
  /** Registers clean-up with the test file, so a failed test kills its writers. */
  onCleanup(cleanup: () => Promise<void>): void;
}

/**
 * Starts one process per writer, lets them all open the store, then releases them at once.
 * Resolves with the seqs each writer was told, in writer order.
 */
export const runConcurrentWriters = async (options: ConcurrentWriters): Promise<number[][]> => {
  const { backend, target, room, writers, perWriter } = options;
  const children = writers.map((writer) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', WRITER, backend, target, room, writer, `${perWriter}`],
      { cwd: SERVER_DIR },
    ),
  );
  options.onCleanup(async () => {
    for (const child of children) if (child.exitCode === null) child.kill();
  });
  const runs = children.map(watch);
  // Every writer has the store open before any starts appending, so they contend.
  await Promise.all(runs.map((run) => run.ready));
  for (const child of children) child.stdin.end();
  const outputs = await Promise.all(runs.map((run) => run.done));
  return outputs.map((output) => JSON.parse(output.trim().split('\n').at(-1) ?? ''));
};

/**
 * What several writers must leave behind: seqs 1..total with no gap or duplicate, the room's head
 * at total, each writer's messages in its own order under the seqs it was told, and real
 * interleaving (had the writers run one after another, the test would say nothing).
 */
export const expectConcurrentAppendsStored = async (
  store: ChatStore,
  options: Pick<ConcurrentWriters, 'room' | 'writers' | 'perWriter'>,
  reported: number[][],
): Promise<void> => {
  const { room, writers, perWriter } = options;
  const total = writers.length * perWriter;
  const messages: Message[] = [];
  for (let after = 0; after < total; after += 100) {
    messages.push(...(await store.listMessages({ room, limit: 100, after })).messages);
  }
  expect(messages.map((message) => message.seq)).toEqual(
    Array.from({ length: total }, (_, index) => index + 1),
  );
  expect(new Set(messages.map((message) => message.id)).size).toBe(total);
  expect((await store.getRoom(room))?.head).toBe(total);
  const switches = messages.filter((message, index) => {
    const previous = messages[index - 1];
    return previous !== undefined && previous.author.id !== message.author.id;
  }).length;
  expect(switches).toBeGreaterThan(writers.length - 1);
  writers.forEach((writer, index) => {
    const own = messages.filter((message) => message.author.id === `user-${writer}`);
    expect(own.map((message) => message.text)).toEqual(
      Array.from({ length: perWriter }, (_, n) => `${writer} ${n + 1}`),
    );
    expect(own.map((message) => message.seq)).toEqual(reported[index]);
  });
};
