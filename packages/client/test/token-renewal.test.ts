import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type ChatterClient,
  type ChatterError,
  type ChatterLogger,
  createChatterClient,
  type PendingMessage,
} from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

const server = new ServerProcess();
const started = server.start();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server.dispose());

/** A logger that keeps every line, to check what the SDK says. */
const recordingLogger = () => {
  const lines: Array<{ level: keyof ChatterLogger; message: string; details?: object }> = [];
  const at = (level: keyof ChatterLogger) => (message: string, details?: object) =>
    lines.push({ level, message, ...(details ? { details } : {}) });
  const logger: ChatterLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines };
};

const track = (chat: ChatterClient) => {
  cleanups.push(() => chat.close());
  const errors: ChatterError[] = [];
  const statuses: string[] = [];
  const pendingEvents: Array<readonly PendingMessage[]> = [];
  chat.on('error', (error) => errors.push(error));
  chat.on('status', (status) => statuses.push(status));
  chat.on('pending', (pending) => pendingEvents.push(pending));
  return { chat, errors, statuses, pendingEvents };
};

describe('token refresh with getToken', () => {
  it('asks getToken before each token expires and hands it to the connection: the session never drops', async () => {
    await started;
    const user = { id: 'refreshed', name: 'Refreshed' };
    const { logger, lines } = recordingLogger();
    let calls = 0;
    const { chat, statuses, errors } = track(
      createChatterClient({
        url: server.url,
        ...FAST_RECONNECTION,
        logger,
        getToken: () => {
          calls += 1;
          return server.token(user, '3s');
        },
      }),
    );
    const room = await chat.join('refresh');
    statuses.length = 0;
    // Four tokens of three seconds: well past the first two expiries.
    await waitFor('four tokens', () => calls >= 4, 15_000);
    expect(statuses).toEqual([]);
    expect(chat.connectionStatus).toBe('connected');
    expect(errors).toEqual([]);
    await expect(room.send('still the same session')).resolves.toMatchObject({
      text: 'still the same session',
    });
    expect(lines.filter((line) => line.message.includes('session renewed')).length).toBeGreaterThan(
      1,
    );
  });
});

describe('a fixed token', () => {
  it('says it is expiring; setToken then keeps the session going', async () => {
    await started;
    const user = { id: 'fixed-renewed', name: 'Fixed' };
    const shortLived = await server.token(user, '3s');
    const { chat, statuses } = track(
      createChatterClient({ url: server.url, token: shortLived, ...FAST_RECONNECTION }),
    );
    // The same token left alone, to see when it has expired.
    const control = track(
      createChatterClient({ url: server.url, token: shortLived, ...FAST_RECONNECTION }),
    );
    const expiring: number[] = [];
    chat.on('tokenExpiring', async ({ expiresAt }) => {
      expiring.push(expiresAt);
      chat.setToken(await server.token(user, '1h'));
    });
    const room = await chat.join('fixed-renewed');
    await control.chat.connect();
    statuses.length = 0;

    await waitFor('the control to lose its session', () =>
      control.errors.some((error) => error.code === 'UNAUTHORIZED'),
    );
    expect(expiring).toHaveLength(1);
    expect(statuses).toEqual([]);
    await expect(room.send('renewed in place')).resolves.toMatchObject({
      text: 'renewed in place',
    });
  });

  it('once expired, queues sends waiting for a token, and sends them after setToken', async () => {
    await started;
    const user = { id: 'fixed-expired', name: 'Expired' };
    const { logger, lines } = recordingLogger();
    const { chat, errors, statuses, pendingEvents } = track(
      createChatterClient({
        url: server.url,
        token: await server.token(user, '2s'),
        ...FAST_RECONNECTION,
        logger,
      }),
    );
    const room = await chat.join('fixed-expired');
    await waitFor(
      'the refusal of the expired token',
      () => chat.connectionStatus === 'disconnected',
    );
    expect(errors.map((error) => [error.code, error.message])).toContainEqual([
      'UNAUTHORIZED',
      'Token has expired',
    ]);
    expect(statuses.at(-1)).toBe('disconnected');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'chatter: the server refused the token' }),
    );

    let settled = false;
    const sent = room.send('written after expiry').finally(() => {
      settled = true;
    });
    await waitFor('the pending event', () =>
      pendingEvents.some((pending) => pending[0]?.waitingFor === 'token'),
    );
    expect(chat.pending).toMatchObject([
      { text: 'written after expiry', state: 'queued', waitingFor: 'token' },
    ]);
    expect(settled).toBe(false);

    chat.setToken(await server.token(user, '1h'));
    await expect(sent).resolves.toMatchObject({ text: 'written after expiry' });
    expect(chat.connectionStatus).toBe('connected');
    expect(chat.pending).toEqual([]);
    const stored = (await server.history('fixed-expired')).filter(
      (message) => message.text === 'written after expiry',
    );
    expect(stored).toHaveLength(1);
  });

  it('setToken refuses a token of another user and one no server accepts', async () => {
    await started;
    const { chat } = track(
      createChatterClient({ url: server.url, token: await server.token({ id: 'a', name: 'A' }) }),
    );
    expect(() => chat.setToken('')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    const other = await server.token({ id: 'b', name: 'B' });
    expect(() => chat.setToken(other)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => chat.setToken('x'.repeat(20_000))).toThrow(
      expect.objectContaining({ code: 'UNAUTHORIZED' }),
    );
  });

  it('setToken works on a getToken client too: REST calls use the new token', async () => {
    await started;
    const user = { id: 'mixed', name: 'Mixed' };
    const used: string[] = [];
    const { chat } = track(
      createChatterClient({
        url: server.url,
        getToken: () => server.token(user),
        fetch: (input, init) => {
          used.push(init?.headers.authorization ?? '');
          return fetch(input, init);
        },
      }),
    );
    await chat.status(['x']);
    const replacement = await server.token(user, '2h');
    chat.setToken(replacement);
    await chat.status(['x']);
    expect(used.at(-1)).toBe(`Bearer ${replacement}`);
    expect(used[0]).not.toBe(used.at(-1));
  });
});
