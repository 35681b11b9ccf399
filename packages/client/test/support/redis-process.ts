import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import { freePort } from './server-process.js';

// Deletes every key of a prefix in one script, so a test's keys go with it.
const FORGET_PREFIX = "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end";

/** One command in Redis's wire format. */
const resp = (args: string[]): string =>
  `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;

/**
 * Deletes what a cluster left under `prefix` in the Redis at `url`, which later tests share. A
 * raw connection rather than a Redis client: the SDK's tests need no client library for one
 * command.
 */
export const forgetPrefix = async (url: string, prefix: string): Promise<void> => {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ host: hostname, port: Number(port || 6379) });
  try {
    await once(socket, 'connect');
    socket.write(resp(['EVAL', FORGET_PREFIX, '0', `${prefix}:*`]));
    const [reply] = await once(socket, 'data');
    if (String(reply).startsWith('-')) throw new Error(`Redis refused: ${String(reply).trim()}`);
  } finally {
    socket.destroy();
  }
};

const REDIS_SERVER = '/usr/bin/redis-server';

/**
 * A Redis of the test's own in a child process, so the test can take it away from a cluster and
 * bring it back on the same port without disturbing the Redis other tests share. It keeps
 * nothing on disk: a restarted Redis is empty, as one that lost its memory would be.
 */
export class RedisProcess {
  port = 0;
  #child: ChildProcess | undefined;
  #output = '';

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get output(): string {
    return this.#output;
  }

  async start(): Promise<void> {
    if (!fs.existsSync(REDIS_SERVER)) {
      throw new Error(`${REDIS_SERVER} is missing: apt-get install -y redis-server`);
    }
    if (this.port === 0) this.port = await freePort();
    this.#output = '';
    const child = spawn(
      REDIS_SERVER,
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1'],
        ...['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    const collect = (chunk: Buffer) => {
      this.#output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const deadline = Date.now() + 10_000;
    while (!this.#output.includes('Ready to accept connections')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`redis-server did not start on port ${this.port}:\n${this.#output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** SIGKILL: Redis vanishes as in a crash or a network cut, with no goodbye to its clients. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
  }
}
