import http from 'node:http';
import type net from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type ChatterClientOptions,
  type ChatterError,
  createChatterClient,
  isChatterError,
} from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

const server = new ServerProcess();
const started = server.start();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server.dispose());

const ada = { id: 'ada-abort', name: 'Ada' };

/** A client whose server is reached through a proxy the test can cut or slow. */
const client = async (options: Partial<ChatterClientOptions> = {}) => {
  await started;
  const proxy = new FaultyProxy(() => server.port);
  await proxy.listen();
  const chat = createChatterClient({
    url: proxy.url,
    token: await server.token(ada),
    ...FAST_RECONNECTION,
    ...options,
  } as ChatterClientOptions);
  const errors: ChatterError[] = [];
  chat.on('error', (error) => errors.push(error));
  cleanups.push(
    () => proxy.close(),
    () => chat.close(),
  );
  return { chat, proxy, errors };
};

/** An HTTP server that takes requests and never answers them. */
const silentServer = async () => {
  const silent = http.createServer(() => {});
  silent.listen(0, '127.0.0.1');
  await new Promise((resolve) => silent.once('listening', resolve));
  cleanups.push(() => {
    silent.closeAllConnections();
    silent.close();
  });
  return `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
};

const rejection = async (promise: Promise<unknown>): Promise<ChatterError> => {
  try {
    await promise;
  } catch (error) {
    if (isChatterError(error)) return error;
    throw new Error(`not a ChatterError: ${String(error)}`);
  }
  throw new Error('resolved');
};

describe('timeouts', () => {
  it('join rejects with TIMEOUT while the server is unreachable, by default after requestTimeoutMs', async () => {
    const { chat, proxy } = await client({ requestTimeoutMs: 300, connectTimeoutMs: 1000 });
    proxy.refuse(true);
    const started = Date.now();
    expect(await rejection(chat.join('unreachable'))).toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(chat.joinedRooms).toEqual([]);
    // Its own timeoutMs wins over the client's.
    expect(await rejection(chat.join('unreachable', { timeoutMs: 50 }))).toMatchObject({
      code: 'TIMEOUT',
    });
    // The client kept trying meanwhile: once the server is back, a join works.
    proxy.refuse(false);
    const room = await chat.join('unreachable', { timeoutMs: 10_000 });
    expect(chat.joinedRooms).toEqual([room]);
  });

  it('connect has no limit unless given one, and keeps trying after its own timeout', async () => {
    const { chat, proxy } = await client();
    proxy.refuse(true);
    expect(await rejection(chat.connect({ timeoutMs: 200 }))).toMatchObject({ code: 'TIMEOUT' });
    proxy.refuse(false);
    await waitFor(
      'the connection made in the background',
      () => chat.connectionStatus === 'connected',
    );
  });

  it('history, status and rooms reject with TIMEOUT when the server does not answer', async () => {
    const { chat, proxy } = await client();
    const room = await chat.join('slow-history');
    await server.post('slow-history', 'one');
    await waitFor('the live message', () => room.messages.length === 1);
    // Acknowledgements held back: the socket is up, the server answers nothing.
    proxy.holdServerFrames = (frame) => frame.startsWith('43');
    const before = room.messages;
    expect(await rejection(room.history({ limit: 10, timeoutMs: 200 }))).toMatchObject({
      code: 'TIMEOUT',
    });
    expect(await rejection(chat.rooms({ timeoutMs: 200 }))).toMatchObject({ code: 'TIMEOUT' });
    proxy.holdServerFrames = undefined;
    proxy.releaseHeld();
    expect(room.messages).toBe(before);

    // REST (status, and rooms while disconnected) against a server that never answers.
    const silent = createChatterClient({
      url: await silentServer(),
      token: await server.token(ada),
      requestTimeoutMs: 200,
    });
    cleanups.push(() => silent.close());
    expect(await rejection(silent.status(['ada']))).toMatchObject({ code: 'TIMEOUT' });
    expect(await rejection(silent.rooms())).toMatchObject({ code: 'TIMEOUT' });
    expect(await rejection(silent.status(undefined, { timeoutMs: 50 }))).toMatchObject({
      code: 'TIMEOUT',
    });
  });
});

describe('abort signals', () => {
  it('an aborted join rejects with ABORTED, the reason as cause, and leaves no room behind', async () => {
    const { chat, proxy } = await client();
    proxy.refuse(true);
    const controller = new AbortController();
    const joining = rejection(chat.join('aborted', { signal: controller.signal }));
    expect(chat.joinedRooms.map((room) => room.name)).toEqual(['aborted']);
    const reason = new Error('the user went elsewhere');
    controller.abort(reason);
    const error = await joining;
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(error.cause).toBe(reason);
    expect(chat.joinedRooms).toEqual([]);

    // Already aborted: rejects at once, without touching anything.
    expect(
      await rejection(chat.join('aborted', { signal: AbortSignal.abort('no') })),
    ).toMatchObject({ code: 'ABORTED', cause: 'no' });
    proxy.refuse(false);
    const room = await chat.join('aborted');
    await expect(room.send('after the abort')).resolves.toMatchObject({ text: 'after the abort' });
  });

  it('a join aborted after the server got it is left there too, and joining again works', async () => {
    const { chat, proxy } = await client();
    await chat.connect();
    // The join's answer is held: the server has joined, the client has not heard.
    proxy.holdServerFrames = (frame) => frame.startsWith('43') && frame.includes('"epoch"');
    const controller = new AbortController();
    const joining = rejection(chat.join('half-joined', { signal: controller.signal }));
    await waitFor('the join to reach the server', () => proxy.heldFrames === 1);
    expect((await server.rooms(ada)).map((room) => room.room)).toContain('half-joined');
    controller.abort();
    expect(await joining).toMatchObject({ code: 'ABORTED' });
    proxy.holdServerFrames = undefined;
    proxy.releaseHeld();
    await waitFor('the leave', async () =>
      (await server.rooms(ada)).every((room) => room.room !== 'half-joined'),
    );
    expect(chat.joinedRooms).toEqual([]);
    const room = await chat.join('half-joined');
    await server.post('half-joined', 'live');
    await waitFor('a live message', () => room.messages.some((m) => m.text === 'live'));
  });

  it('history, status, rooms and connect reject with ABORTED', async () => {
    const { chat, proxy } = await client();
    const room = await chat.join('abort-reads');
    proxy.holdServerFrames = (frame) => frame.startsWith('43');
    const controller = new AbortController();
    const reads = [
      rejection(room.history({ limit: 5, signal: controller.signal })),
      rejection(chat.rooms({ signal: controller.signal })),
      rejection(chat.status(['ada'], { signal: AbortSignal.abort('gone') })),
    ];
    controller.abort('gone');
    for (const error of await Promise.all(reads)) {
      expect(error).toMatchObject({ code: 'ABORTED', cause: 'gone' });
    }
    proxy.holdServerFrames = undefined;
    proxy.releaseHeld();

    const offline = createChatterClient({
      url: await silentServer(),
      token: await server.token(ada),
    });
    cleanups.push(() => offline.close());
    const connecting = new AbortController();
    const connect = rejection(offline.connect({ signal: connecting.signal }));
    const status = rejection(offline.status(['ada'], { signal: connecting.signal }));
    connecting.abort('stop');
    expect(await connect).toMatchObject({ code: 'ABORTED', cause: 'stop' });
    expect(await status).toMatchObject({ code: 'ABORTED', cause: 'stop' });
  });
});
