import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  type ChatterClient,
  type ChatterLogger,
  createChatterClient,
  isChatterError,
  type PendingMessage,
} from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

// A small message budget, as a production server may set: 20 a minute per user.
const BUDGET = 20;
const server = new ServerProcess({ env: { CHATTER_MESSAGES_PER_MINUTE: String(BUDGET) } });
const started = server.start();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  vi.unstubAllGlobals();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server.dispose());

const track = (chat: ChatterClient) => {
  cleanups.push(() => chat.close());
  const pendingEvents: Array<readonly PendingMessage[]> = [];
  chat.on('pending', (pending) => pendingEvents.push(pending));
  return { chat, pendingEvents };
};

describe('pending messages say why they wait', () => {
  it('a burst past the message budget waits visibly for the rate limit, and every message goes out once', async () => {
    await started;
    const user = { id: 'burst', name: 'Burst' };
    const warnings: string[] = [];
    const logger: ChatterLogger = {
      debug: () => {},
      info: () => {},
      warn: (message) => warnings.push(message),
      error: () => {},
    };
    const { chat, pendingEvents } = track(
      createChatterClient({
        url: server.url,
        token: await server.token(user),
        ...FAST_RECONNECTION,
        logger,
      }),
    );
    const room = await chat.join('burst');
    const count = BUDGET + 5;
    const sends = Array.from({ length: count }, (_, i) => room.send(`burst ${i}`));

    await waitFor('the rate-limited wait to show', () =>
      pendingEvents.some((pending) => pending.some((entry) => entry.waitingFor === 'rate_limit')),
    );
    const waiting = chat.pending;
    expect(waiting).toHaveLength(5);
    for (const entry of waiting) {
      expect(entry).toMatchObject({ state: 'queued', waitingFor: 'rate_limit' });
      expect(entry.retryAt).toBeGreaterThan(Date.now());
    }
    expect(room.pending).toBe(room.pending);
    expect(waiting.map((entry) => entry.text)).toEqual(
      Array.from({ length: 5 }, (_, i) => `burst ${BUDGET + i}`),
    );
    expect(warnings.some((line) => line.includes('RATE_LIMITED'))).toBe(true);

    // The server's window is a minute: the rest go out when it opens, in order, once each.
    const messages = await Promise.all(sends);
    expect(messages.map((message) => message.text)).toEqual(
      Array.from({ length: count }, (_, i) => `burst ${i}`),
    );
    const stored = await server.history('burst');
    expect(stored.map((message) => message.text)).toEqual(messages.map((m) => m.text));
    expect(chat.pending).toEqual([]);
  }, 90_000);

  it('queued while disconnected says so, and the wait clears on connect', async () => {
    await started;
    const { chat, pendingEvents } = track(
      createChatterClient({
        url: server.url,
        token: await server.token({ id: 'offline', name: 'Offline' }),
        ...FAST_RECONNECTION,
      }),
    );
    const room = await chat.join('offline-wait');
    await server.stop();
    await waitFor('the drop', () => chat.connectionStatus === 'connecting');
    const sent = room.send('while the server is down');
    await waitFor('the pending entry', () => chat.pending.length === 1);
    expect(chat.pending[0]).toMatchObject({ state: 'queued', waitingFor: 'connection' });
    expect(pendingEvents.at(-1)?.[0]?.waitingFor).toBe('connection');
    await server.start();
    await expect(sent).resolves.toMatchObject({ text: 'while the server is down' });
    const states = pendingEvents.flatMap((pending) =>
      pending.map((entry) => `${entry.state}${entry.waitingFor ? `:${entry.waitingFor}` : ''}`),
    );
    expect(states).toContain('queued:connection');
    expect(states).toContain('sending');
  });
});

describe('without Web Crypto', () => {
  it('send rejects with a ChatterError UNSUPPORTED and queues nothing', async () => {
    await started;
    const { chat } = track(
      createChatterClient({
        url: server.url,
        token: await server.token({ id: 'no-crypto', name: 'NoCrypto' }),
      }),
    );
    const room = await chat.join('no-crypto');
    vi.stubGlobal('crypto', undefined);
    let thrown: unknown;
    await room.send('needs an id').catch((error: unknown) => {
      thrown = error;
    });
    expect(isChatterError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'UNSUPPORTED' });
    await room.react('missing', '👍').catch((error: unknown) => {
      thrown = error;
    });
    expect(thrown).toMatchObject({ code: 'UNSUPPORTED' });
    expect(chat.pending).toEqual([]);
  });

  it('an insecure origin (getRandomValues, no randomUUID) sends with a UUID of its own', async () => {
    await started;
    const { chat } = track(
      createChatterClient({
        url: server.url,
        token: await server.token({ id: 'insecure', name: 'Insecure' }),
      }),
    );
    const room = await chat.join('insecure');
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: real.getRandomValues.bind(real) });
    const message = await room.send('from http://192.168.1.10');
    expect(message.clientId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
