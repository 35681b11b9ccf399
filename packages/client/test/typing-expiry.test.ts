import { LIMITS, type TypingEvent } from '@chatter/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ChatterClient, createChatterClient, createGuestSession } from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

// The server keeps an indicator for a minute, so within a test only the client can end it.
const server = new ServerProcess({ env: { CHATTER_TYPING_TIMEOUT_MS: '60000' } });
let proxy: FaultyProxy;
const clients: ChatterClient[] = [];

beforeAll(async () => {
  await server.start();
  proxy = new FaultyProxy(() => server.port);
  await proxy.listen();
});
afterEach(() => {
  for (const chat of clients.splice(0)) chat.close();
  proxy.loseServerFrames = undefined;
});
afterAll(async () => {
  await proxy.close();
  await server.dispose();
});

const guest = async (name: string, url = server.url) => {
  const { token, user } = await createGuestSession(server.url, name);
  const chat = createChatterClient({ url, token, ...FAST_RECONNECTION });
  clients.push(chat);
  return { chat, user };
};

const typingFrame = (event: TypingEvent) => `42${JSON.stringify(['typing', event])}`;

describe('typing indicators nobody ends', () => {
  it('go away typingIndicatorTtlMs after the last start, told as a stop, with repeats silent', async () => {
    const room = `typing-${process.pid}`;
    const ada = await guest('Ada');
    const bob = await guest('Bob', proxy.url);
    const adaRoom = await ada.chat.join(room);
    const bobRoom = await bob.chat.join(room);
    const events: TypingEvent[] = [];
    let changes = 0;
    bobRoom.on('typing', (event) => events.push(event));
    bobRoom.on('change', () => changes++);

    adaRoom.typing(true);
    await waitFor('Ada typing', () => bobRoom.typingUsers.length === 1);
    const shownAt = performance.now();
    // From here on the server's stops and repeats are lost, as when the server relaying Ada's
    // indicator died; the one repeat Bob gets is sent by the test.
    proxy.loseServerFrames = (frame) => frame.startsWith('42["typing"');
    proxy.inject(typingFrame({ room, user: ada.user, typing: true }));
    // An acknowledged request after the repeat: its answer comes behind it.
    await bob.chat.join(`${room}-barrier`);
    expect(events).toEqual([{ room, user: ada.user, typing: true }]);
    expect(changes).toBe(1);
    expect(bobRoom.typingUsers).toEqual([ada.user]);

    await waitFor(
      'the indicator to run out',
      () => bobRoom.typingUsers.length === 0,
      LIMITS.typingIndicatorTtlMs + 10_000,
    );
    // Timers may fire a millisecond early; the repeat came after `shownAt` anyway.
    expect(performance.now() - shownAt).toBeGreaterThanOrEqual(LIMITS.typingIndicatorTtlMs - 5);
    expect(events).toEqual([
      { room, user: ada.user, typing: true },
      { room, user: ada.user, typing: false },
    ]);
    expect(changes).toBe(2);

    // The server's own stop, late, ends nothing more.
    proxy.inject(typingFrame({ room, user: ada.user, typing: false }));
    await bob.chat.join(`${room}-barrier-2`);
    expect(events).toHaveLength(2);
    expect(changes).toBe(2);
  });
});
