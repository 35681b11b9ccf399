import type { Message } from '@chatter/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatterClientOptions, createChatterClient } from '../src/index.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

const server = new ServerProcess();
beforeAll(() => server.start());
afterAll(() => server.dispose());

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const startProxy = async () => {
  const proxy = new FaultyProxy(() => server.port);
  cleanups.push(() => proxy.close());
  await proxy.listen();
  return proxy;
};

let counter = 0;
const client = (url: string, options: Partial<ChatterClientOptions> = {}) => {
  const id = `transport-${++counter}`;
  const chat = createChatterClient({
    url,
    getToken: () => server.token({ id, name: `User ${counter}` }),
    reconnectionDelayMs: 50,
    reconnectionDelayMaxMs: 250,
    ...options,
  } as ChatterClientOptions);
  cleanups.push(() => chat.close());
  return chat;
};

const socketIo = (urls: readonly string[], transport: 'polling' | 'websocket') =>
  urls.filter((url) => url.startsWith('/socket.io/') && url.includes(`transport=${transport}`));

/** Joins `room` through `url`, sends, and receives a message from someone else there. */
const chatsThrough = async (
  url: string,
  room: string,
  options: Partial<ChatterClientOptions> = {},
) => {
  const chat = client(url, options);
  // Without a fallback the client would retry WebSocket for ever: fail in time instead.
  chat.connect().catch(() => undefined);
  await waitFor('the connection', () => chat.connectionStatus === 'connected', 10_000);
  const joined = await chat.join(room);
  const other = await client(server.url, { transports: ['websocket'] }).join(room);
  const seen: Message[] = [];
  joined.on('message', (message) => seen.push(message));
  expect((await joined.send('sent')).text).toBe('sent');
  await other.send('received');
  await waitFor('the other message', () => seen.some((message) => message.text === 'received'));
};

describe('transports', () => {
  it('start with WebSocket by default, without a single long-polling request', async () => {
    const proxy = await startProxy();
    await chatsThrough(proxy.url, 'websocket-first');

    expect(socketIo(proxy.upgradeRequests, 'websocket')).toHaveLength(1);
    expect(socketIo(proxy.httpRequests, 'polling')).toEqual([]);
  });

  it('fall back to long-polling when the WebSocket upgrade is refused', async () => {
    const proxy = await startProxy();
    proxy.refuseUpgrades(true);
    await chatsThrough(proxy.url, 'polling-fallback');

    // WebSocket was tried first (and refused), then everything went over long-polling.
    expect(socketIo(proxy.upgradeRequests, 'websocket').length).toBeGreaterThanOrEqual(1);
    expect(socketIo(proxy.httpRequests, 'polling').length).toBeGreaterThan(2);
    expect(proxy.connections).toBe(0);
  });

  it('use only the transports an app names', async () => {
    const proxy = await startProxy();
    await chatsThrough(proxy.url, 'polling-only', { transports: ['polling'] });

    expect(socketIo(proxy.httpRequests, 'polling').length).toBeGreaterThan(2);
    expect(proxy.upgradeRequests).toEqual([]);
  });
});
