import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatterError, createChatterClient, createGuestSession } from '../src/index.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

// The server's own event budgets (CHATTER_EVENTS_PER_SECOND and the rest) are left at their
// defaults: this is what an app meets in production.
const server = new ServerProcess();
const cleanups: Array<() => unknown> = [];

beforeAll(() => server.start());
afterAll(() => server.dispose());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A client whose every frame from the server is kept, and whose `error` events are too. */
const watchedClient = async (name: string) => {
  const proxy = new FaultyProxy(() => server.port);
  await proxy.listen();
  proxy.recordServerFrames = true;
  const session = await createGuestSession(server.url, name);
  const chat = createChatterClient({
    url: proxy.url,
    token: session.token,
    transports: ['websocket'],
  });
  const errors: ChatterError[] = [];
  chat.on('error', (error) => errors.push(error));
  cleanups.push(
    () => proxy.close(),
    () => chat.close(),
  );
  return { chat, proxy, errors, user: session.user };
};

const postMany = async (room: string, count: number, text: (i: number) => string) => {
  for (let start = 0; start < count; start += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - start) }, (_, i) =>
        server.post(room, text(start + i)),
      ),
    );
  }
};

describe('the server’s event budgets', () => {
  it('are never met by a client used as a chat UI uses it', async () => {
    const room = `budget-${process.pid}`;
    await postMany(room, 400, (i) => `earlier ${i} ${'x'.repeat(200)}`);
    const ada = await watchedClient('Ada');

    // Opening the app: the rooms in the sidebar, then the open room scrolled all the way up.
    const open = await ada.chat.join(room);
    for (let i = 0; i < 10; i++) await ada.chat.join(`${room}-side-${i}`);
    while (open.hasMoreHistory) await open.history({ before: open.messages[0]?.seq, limit: 50 });
    expect(open.messages).toHaveLength(400);

    // Chatting: a keystroke at a time, each message sent as soon as it is typed, the tab hidden
    // and shown now and then.
    for (let message = 0; message < 20; message++) {
      for (let key = 0; key < 30; key++) open.typing(true);
      await open.send(`message ${message}`);
      open.typing(false);
      if (message % 4 === 0) {
        ada.chat.setAway(true);
        ada.chat.setAway(false);
      }
    }

    // Away for a while: 1,500 messages arrive, and the client catches up when it is back.
    ada.proxy.refuse(true);
    await waitFor('the drop', () => ada.chat.connectionStatus !== 'connected');
    await postMany(room, 1500, (i) => `missed ${i} ${'y'.repeat(200)}`);
    ada.proxy.refuse(false);
    await waitFor('the catch-up', () => open.messages.length === 400 + 20 + 1500, 30_000);

    const refusals = ada.proxy.serverFrames.filter((frame) => frame.includes('"RATE_LIMITED"'));
    expect(refusals).toEqual([]);
    expect(ada.proxy.serverFrames.some((frame) => frame.startsWith('42["closing"'))).toBe(false);
    expect(ada.errors).toEqual([]);
  });

  it('a connection the server closes for its flood tells the app why through `error`', async () => {
    const ada = await watchedClient('Ada');
    const room = await ada.chat.join(`flood-${process.pid}`);
    // The SDK would never send this; a raw frame through the proxy stands in for a broken app.
    const flood = `42${JSON.stringify(['typing', { room: room.name, typing: true }])}`;
    for (let i = 0; i < 400; i++) ada.proxy.injectToServer(flood);
    await waitFor('the reason', () => ada.errors.length > 0);
    expect(ada.errors[0]).toMatchObject({
      name: 'ChatterError',
      code: 'RATE_LIMITED',
      status: 429,
      details: { reason: 'EVENT_BUDGET' },
    });
    // And it comes back, as after any drop.
    await waitFor('the reconnection', () => ada.chat.connectionStatus === 'connected', 15_000);
  });
});
