/**
 * CHATTER_MAX_BUFFERED_BYTES (issue 11, item 8): clients that stop reading while their room is
 * flooded are closed once a connection holds more than the limit, so the server's memory is
 * bounded by the limit rather than by how long the heartbeat takes to notice. Measured inside a
 * spawned server while the flood runs: what it holds after a forced GC (heap and Buffers, over
 * the bench harness's IPC). Not RSS: it grows by ~40 MB in this flood with or without the bound
 * (freed garbage the allocator keeps), so it could not tell 1 MB held from 45 MB;
 * `pnpm test:abuse` reports RSS at the scale.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { call, chatterEnv, connectSocket, signToken } from '../bench/lib/clients.js';
import type { HarnessReport } from '../bench/lib/harness.js';
import { type ServerProcess, startServerProcess } from '../bench/lib/spawn.js';
import { StalledClient, stalledPollingClient } from './support/stalled-client.js';

const MiB = 1024 * 1024;
const LIMIT = 1 * MiB;
const STALLED = 3;
// 4,000 three-byte characters: a 12 KB message, about 24 KB held per recipient in the server
// (the frame plus the packet string). 2,500 of them are ~30 MB per stalled client, well past what
// the kernel's socket buffers absorb on loopback (a few MB each).
const TEXT = '€'.repeat(4000);
const MESSAGES = 2500;
const IN_FLIGHT = 16;
const SAMPLE_EVERY = 250;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const waitFor = async (condition: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const held = (report: HarnessReport) => report.heapUsed + report.external;

const startServer = async (env: Record<string, string>): Promise<ServerProcess> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'chatter-slow-consumer-'));
  const server = await startServerProcess('chatter-node.ts', { ...chatterEnv(dir), ...env });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => server.stop());
  return server;
};

const connectReader = async (url: string, id: string, room: string) => {
  const socket = await connectSocket(url, await signToken(id));
  cleanups.push(() => socket.close());
  await call(socket, 'join', { room });
  return socket;
};

const connectStalled = async (url: string, id: string, room: string) => {
  const client = await StalledClient.connect(url, await signToken(id));
  cleanups.push(() => client.destroy());
  const ack = await client.call('join', { room });
  expect(ack).toMatchObject({ ok: true });
  client.stopReading();
  return client;
};

/** Sends `count` messages with `IN_FLIGHT` awaiting their acks; samples the server as it goes. */
const flood = async (
  flooder: Socket,
  room: string,
  count: number,
  sample: (sent: number) => Promise<void>,
) => {
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      await call(flooder, 'message', { room, text: TEXT });
      if (sent % SAMPLE_EVERY === 0) await sample(sent);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
};

describe('clients that stop reading (CHATTER_MAX_BUFFERED_BYTES)', () => {
  it('are closed past the limit, keep the server within it and leave reading clients whole', async () => {
    const server = await startServer({ CHATTER_MAX_BUFFERED_BYTES: String(LIMIT) });
    const room = 'flooded';
    const stalled = await Promise.all(
      Array.from({ length: STALLED }, (_, i) => connectStalled(server.url, `stalled-${i}`, room)),
    );
    const reader = await connectReader(server.url, 'reader', room);
    const received: number[] = [];
    reader.on('message', (message: { seq: number }) => received.push(message.seq));
    const flooder = await connectReader(server.url, 'flooder', 'flooded');

    const baseline = await server.report();
    expect(baseline.counters.connections).toBe(STALLED + 2);
    let peak = 0;
    await flood(flooder, room, MESSAGES, async () => {
      peak = Math.max(peak, held(await server.report()) - held(baseline));
    });

    // The reading client got every message, in order, and is still connected.
    await waitFor(() => received.length === MESSAGES, 'the reader to receive every message');
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(new Set(received).size).toBe(MESSAGES);
    expect(reader.connected).toBe(true);
    // What the server held while the flood ran: at most the limit per stalled client, plus the
    // messages in flight. Without the bound this is every message since the kernel buffers
    // filled (tens of MB).
    expect(peak).toBeLessThan(STALLED * LIMIT + 8 * MiB);
    // Every stalled client was let go by the server, long before any heartbeat timeout (45 s).
    await waitFor(
      async () => (await server.report()).counters.connections === 2,
      'the stalled connections to close',
    );
    // Read again, the stalled clients find their connection ended.
    for (const client of stalled) {
      client.resumeReading();
      await client.closed;
    }
  }, 120_000);

  it('close a long-polling client that stops polling, its queue counted the same way', async () => {
    const server = await startServer({ CHATTER_MAX_BUFFERED_BYTES: String(LIMIT) });
    const room = 'polled';
    await stalledPollingClient(server.url, await signToken('sleeper'), room);
    const flooder = await connectReader(server.url, 'flooder', room);
    expect((await server.report()).counters.connections).toBe(2);
    let peak = 0;
    const baseline = await server.report();
    // 500 messages are 6 MB, six times the limit: nothing stands between the queue and the
    // limit here (no kernel buffer), so the connection must be gone long before the last one.
    await flood(flooder, room, 500, async () => {
      peak = Math.max(peak, held(await server.report()) - held(baseline));
    });
    await waitFor(
      async () => (await server.report()).counters.connections === 1,
      'the stalled polling connection to close',
    );
    expect(peak).toBeLessThan(LIMIT + 8 * MiB);
  }, 60_000);
});
