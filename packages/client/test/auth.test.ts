import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ChatterClient, type ChatterError, createChatterClient } from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

const server = new ServerProcess();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server.dispose());

const started = server.start();
const ready = async () => {
  await started;
  return server;
};

const track = (chat: ChatterClient) => {
  cleanups.push(() => chat.close());
  const errors: ChatterError[] = [];
  chat.on('error', (error) => errors.push(error));
  return { chat, errors };
};

const ada = { id: 'ada', name: 'Ada' };

describe('tokens', () => {
  it('asks getToken again when the server refuses the token', async () => {
    await ready();
    const issued: string[] = [];
    const { chat, errors } = track(
      createChatterClient({
        url: server.url,
        ...FAST_RECONNECTION,
        getToken: async () => {
          // The first token has already expired, as a cached one might have.
          const token = await server.token(ada, issued.length === 0 ? '-1m' : '1h');
          issued.push(token);
          return token;
        },
      }),
    );
    await chat.connect();
    expect(issued).toHaveLength(2);
    expect(chat.connectionStatus).toBe('connected');
    expect(errors).toEqual([]);
    const room = await chat.join('general');
    await expect(room.send('with a fresh token')).resolves.toMatchObject({ author: ada });
  });

  it('reconnects with a fresh token when the session expires, and catches up', async () => {
    await ready();
    let calls = 0;
    const { chat } = track(
      createChatterClient({
        url: server.url,
        ...FAST_RECONNECTION,
        getToken: () => {
          calls += 1;
          // The refresh before expiry fails (a backend hiccup), so the server does end the session.
          if (calls === 2) throw new Error('the token backend is down for a moment');
          return server.token(ada, calls === 1 ? '2s' : '1h');
        },
      }),
    );
    const room = await chat.join('expiry');
    const statuses: string[] = [];
    chat.on('status', (status) => statuses.push(status));

    await waitFor('the server to end the session', () => statuses.includes('connecting'), 10_000);
    const missed = await server.post('expiry', 'sent while reconnecting');
    await waitFor('the reconnection', () => chat.connectionStatus === 'connected');
    await waitFor('the catch-up', () => room.messages.length === 1);
    expect(calls).toBe(3);
    expect(room.messages).toEqual([missed]);
  });

  it('gives up on a fixed token the server refuses, and says why', async () => {
    await ready();
    const token = await server.token(ada, '-1m');
    const { chat, errors } = track(
      createChatterClient({ url: server.url, token, ...FAST_RECONNECTION }),
    );
    await expect(chat.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    expect(chat.connectionStatus).toBe('disconnected');
    expect(errors.map((error) => error.code)).toEqual(['UNAUTHORIZED']);
    await expect(chat.join('general')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refreshes the token for REST calls too', async () => {
    await ready();
    let calls = 0;
    const { chat } = track(
      createChatterClient({
        url: server.url,
        ...FAST_RECONNECTION,
        getToken: () => server.token(ada, ++calls === 1 ? '-1m' : '1h'),
      }),
    );
    const statuses = await chat.status([ada.id]);
    expect(calls).toBe(2);
    expect(statuses).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ id: 'ada' }) }),
    ]);
  });

  it('reports a getToken that fails, and keeps trying', async () => {
    await ready();
    let calls = 0;
    const { chat, errors } = track(
      createChatterClient({
        url: server.url,
        ...FAST_RECONNECTION,
        getToken: async () => {
          calls += 1;
          if (calls === 1) throw new Error('auth backend unavailable');
          return server.token(ada);
        },
      }),
    );
    await chat.connect();
    expect(errors[0]).toMatchObject({ code: 'UNAUTHORIZED', message: 'auth backend unavailable' });
    expect(calls).toBeGreaterThanOrEqual(2);
  });
});

describe('malformed server payloads', () => {
  it('are reported through the error event and never reach the app', async () => {
    await ready();
    const proxy = new FaultyProxy(() => server.port);
    await proxy.listen();
    cleanups.push(() => proxy.close());
    const { chat, errors } = track(
      createChatterClient({
        url: proxy.url,
        getToken: () => server.token(ada),
        ...FAST_RECONNECTION,
      }),
    );
    const room = await chat.join('malformed');
    const seen: unknown[] = [];
    room.on('message', (message) => seen.push(message));
    chat.on('presence', (presence) => seen.push(presence));

    proxy.inject('42["message",{"id":"x","room":"malformed","seq":1,"text":"no author"}]');
    proxy.inject(
      '42["message",{"id":"x","room":"malformed","seq":"1","text":"hi","author":{"id":"a","name":"A"},"createdAt":"2026-01-01T00:00:00.000Z"}]',
    );
    proxy.inject('42["presence",{"user":{"id":"a"},"status":"dancing"}]');
    await waitFor('three reports', () => errors.length === 3);
    expect(errors.map((error) => [error.code, error.message])).toEqual([
      ['BAD_RESPONSE', 'Dropped a malformed "message" event from the server'],
      ['BAD_RESPONSE', 'Dropped a malformed "message" event from the server'],
      ['BAD_RESPONSE', 'Dropped a malformed "presence" event from the server'],
    ]);
    expect(errors[0]?.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: ['author'] })]),
    );

    const real = await server.post('malformed', 'a real one');
    await waitFor('the real message', () => seen.length === 1);
    expect(seen).toEqual([real]);
    expect(room.messages).toEqual([real]);
  });
});
