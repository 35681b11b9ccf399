import type { Presence } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import {
  type ClientSocket,
  connect,
  connectAs,
  nextEvent,
  rawEmit,
  rawEmitWithAck,
  record,
  sleep,
  startTestServer,
} from './helpers.js';

// Budgets so large that only the behaviour under test limits anything.
const UNLIMITED = {
  CHATTER_EVENTS_PER_SECOND: '1000000',
  CHATTER_READ_BYTES_PER_SECOND: String(1024 * 1024 * 1024),
  CHATTER_REFUSALS_BEFORE_DISCONNECT: '1000000',
};

/** Every update about `userId` a socket receives, from `presence` and `presences` frames. */
const recordPresenceOf = (socket: ClientSocket, userId: string): Presence[] => {
  const seen: Presence[] = [];
  socket.on('presence', (update) => {
    if (update.user.id === userId) seen.push(update);
  });
  socket.on('presences', (updates) => {
    for (const update of updates) if (update.user.id === userId) seen.push(update);
  });
  return seen;
};

/**
 * Everything the server sent `socket` because of events `sender` emitted before this call has
 * arrived once it resolves: the server handles a socket's events in order, so the sender's
 * acknowledged read comes after them, and the receiver's own read is answered after whatever
 * was sent to it before.
 */
const barrier = async (sender: ClientSocket, receiver: ClientSocket, room: string) => {
  expect(await sender.emitWithAck('history', { room, limit: 1 })).toMatchObject({ ok: true });
  expect(await receiver.emitWithAck('history', { room, limit: 1 })).toMatchObject({ ok: true });
};

const seconds = (since: number) => Math.ceil((performance.now() - since) / 1000);

const twoInRoom = async (url: string, room = 'general') => {
  const ada = await connectAs(url, 'Ada');
  const bob = await connectAs(url, 'Bob');
  await ada.socket.emitWithAck('join', { room });
  await bob.socket.emitWithAck('join', { room });
  return { ada, bob };
};

describe('typing relay', () => {
  it('a flood of typing toggles reaches the room as at most a start and a stop a second', async () => {
    const { url } = await startTestServer({ env: UNLIMITED });
    const { ada, bob } = await twoInRoom(url);
    const bobSees = record(bob.socket, 'typing');

    const startedAt = performance.now();
    for (let i = 0; i < 300; i++) {
      ada.socket.emit('typing', { room: 'general', typing: i % 2 === 0 });
    }
    await barrier(ada.socket, bob.socket, 'general');

    // Without the relay interval, this is 300.
    expect(bobSees.length).toBeGreaterThanOrEqual(2);
    expect(bobSees.length).toBeLessThanOrEqual(2 * (seconds(startedAt) + 1));
    expect(bobSees.slice(0, 2).map((event) => event.typing)).toEqual([true, false]);
  });

  it('a start held back by the interval is relayed when it ends, if the user still types', async () => {
    const { url } = await startTestServer({ env: UNLIMITED });
    const { ada, bob } = await twoInRoom(url);
    const bobSees = record(bob.socket, 'typing');

    // true, false, true: the second start falls inside the interval of the first.
    for (const typing of [true, false, true]) {
      ada.socket.emit('typing', { room: 'general', typing });
    }
    await barrier(ada.socket, bob.socket, 'general');
    expect(bobSees.map((event) => event.typing)).toEqual([true, false]);

    await nextEvent(bob.socket, 'typing', (event) => event.typing, 3000);
    expect(bobSees.map((event) => event.typing)).toEqual([true, false, true]);
  });
});

describe('away coalescing', () => {
  it('a flood of away toggles is a few presence updates, and the last toggle wins', async () => {
    const { url } = await startTestServer({ env: UNLIMITED });
    const { ada, bob } = await twoInRoom(url);
    const adaUpdates = recordPresenceOf(bob.socket, ada.user.id);

    // Paced over more than a second, so that the per-room presence window (250 ms) alone would
    // let several updates through.
    const startedAt = performance.now();
    const acks: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      acks.push(ada.socket.emitWithAck('away', { away: i % 2 === 0 }));
      if (i % 20 === 19) await sleep(100);
    }
    acks.push(ada.socket.emitWithAck('away', { away: true }));
    const answers = await Promise.all(acks);
    expect(answers.at(-1)).toEqual({ ok: true, status: 'away' });

    // The last toggle is announced when the interval ends.
    await waitUntil(() => adaUpdates.at(-1)?.status === 'away');
    await barrier(ada.socket, bob.socket, 'general');
    expect(adaUpdates.at(-1)?.status).toBe('away');
    // At most one a second: 2 or 3 here. The per-room presence window alone lets ~4 a second
    // through (7 or so), and without any coalescing each of the 301 toggles is an update.
    expect(adaUpdates.length).toBeLessThanOrEqual(seconds(startedAt) + 1);
  });
});

describe('read budget', () => {
  it('refuses history reads past the budget with RATE_LIMITED and retryAfterMs, join too', async () => {
    const { url } = await startTestServer({
      env: {
        ...UNLIMITED,
        // 256 KiB a second, 2.5 MiB at once: about nine pages of 100 messages of 2 KB.
        CHATTER_READ_BYTES_PER_SECOND: String(256 * 1024),
      },
    });
    const reader = await connectAs(url, 'Reader');
    await reader.socket.emitWithAck('join', { room: 'big' });
    const text = 'x'.repeat(2000);
    await Promise.all(
      Array.from({ length: 100 }, () =>
        reader.socket.emitWithAck('message', { room: 'big', text }),
      ),
    );

    const answers = [];
    for (let i = 0; i < 40; i++) {
      answers.push(await reader.socket.emitWithAck('history', { room: 'big', limit: 100 }));
    }
    const served = answers.filter((answer) => answer.ok);
    const refused = answers.filter((answer) => !answer.ok);
    // Pages of ~270 KB from 2.5 MiB: nine, give or take what refilled meanwhile.
    expect(served.length).toBeGreaterThanOrEqual(5);
    expect(served.length).toBeLessThanOrEqual(15);
    expect(refused.length).toBe(40 - served.length);
    const last = refused.at(-1);
    expect(last).toEqual({
      ok: false,
      error: {
        code: 'RATE_LIMITED',
        message: 'Too many reads (join, history) on this connection; slow down',
        details: { retryAfterMs: expect.any(Number) },
      },
    });
    if (last?.ok !== false) throw new Error('unreachable');
    const { retryAfterMs } = last.error.details as { retryAfterMs: number };
    expect(retryAfterMs).toBeGreaterThan(0);

    // A join reads too, from the same budget.
    expect(await reader.socket.emitWithAck('join', { room: 'other' })).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED' },
    });
    // Another connection of the same user has a budget of its own.
    const otherTab = await connect(url, reader.token);
    expect(await otherTab.emitWithAck('join', { room: 'big' })).toMatchObject({ ok: true });

    // Once the wait it named is over, the connection reads again.
    await sleep(retryAfterMs);
    expect(await reader.socket.emitWithAck('history', { room: 'big', limit: 1 })).toMatchObject({
      ok: true,
    });
  });
});

describe('persistent offenders', () => {
  const STRICT = {
    CHATTER_EVENTS_PER_SECOND: '10',
    CHATTER_REFUSALS_BEFORE_DISCONNECT: '20',
  };

  it('are told why and disconnected; their other connections and everyone else carry on', async () => {
    const { url } = await startTestServer({ env: STRICT });
    const { ada, bob } = await twoInRoom(url);
    const adaTab2 = await connect(url, ada.token);
    await adaTab2.emitWithAck('join', { room: 'general' });
    const closing = nextEvent(ada.socket, 'closing');
    const disconnected = new Promise((resolve) => ada.socket.once('disconnect', resolve));

    // 50 at once (5 s of 10 a second) go through; 20 refusals later the connection is closed.
    for (let i = 0; i < 200; i++) {
      rawEmit(ada.socket, 'typing', { room: 'general', typing: i % 2 === 0 });
    }
    expect(await closing).toEqual({
      code: 'RATE_LIMITED',
      message: 'This connection kept exceeding its event budget and was closed; slow down',
      details: { reason: 'EVENT_BUDGET' },
    });
    expect(await disconnected).toBe('io server disconnect');

    // The same user's other tab has its own budget, and Bob was never touched.
    expect(await adaTab2.emitWithAck('away', { away: true })).toMatchObject({ ok: true });
    expect(await bob.socket.emitWithAck('away', { away: true })).toMatchObject({ ok: true });
  });

  it('an event past the budget is refused in its acknowledgement, before any validation', async () => {
    const { url } = await startTestServer({
      env: { ...STRICT, CHATTER_REFUSALS_BEFORE_DISCONNECT: '1000' },
    });
    const ada = await connectAs(url, 'Ada');
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => rawEmitWithAck(ada.socket, 'away', { away: 'yes' })),
    );
    const codes = answers.map((answer) => answer.error.code);
    // 50 at once (5 s of 10 a second), and perhaps one more refilled meanwhile.
    expect(codes.slice(0, 50)).toEqual(Array(50).fill('VALIDATION'));
    expect(codes.slice(52)).toEqual(Array(8).fill('RATE_LIMITED'));
    expect(answers.at(-1).error.details.retryAfterMs).toBeGreaterThan(0);
  });

  it('bystanders in another room get every acknowledgement and message while a flood runs', async () => {
    // Refused without end, so the flood lasts until the bystander is done.
    const { url } = await startTestServer({
      env: {
        ...STRICT,
        CHATTER_READ_BYTES_PER_SECOND: String(64 * 1024),
        CHATTER_REFUSALS_BEFORE_DISCONNECT: '1000000',
      },
    });
    const flooder = await connectAs(url, 'Flooder');
    await flooder.socket.emitWithAck('join', { room: 'flood' });
    const { ada, bob } = await twoInRoom(url, 'quiet');
    const bobGets = record(bob.socket, 'message');

    // The flood: typing and reads as fast as the socket takes them.
    let flooding = true;
    const floodAnswers: string[] = [];
    const flood = (async () => {
      while (flooding) {
        for (let i = 0; i < 50; i++) {
          rawEmit(flooder.socket, 'typing', { room: 'flood', typing: i % 2 === 0 });
          rawEmit(flooder.socket, 'history', { room: 'flood', limit: 100 }, (answer: any) =>
            floodAnswers.push(answer.ok ? 'ok' : answer.error.code),
          );
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // One after another, as a person chats, so the flood runs all along.
    const sends = [];
    for (let i = 0; i < 100; i++) {
      sends.push(await ada.socket.emitWithAck('message', { room: 'quiet', text: `steady ${i}` }));
    }
    flooding = false;
    await flood;

    expect(sends.every((answer) => answer.ok)).toBe(true);
    expect(floodAnswers).toContain('RATE_LIMITED');
    expect(flooder.socket.connected).toBe(true);
    await barrier(ada.socket, bob.socket, 'quiet');
    expect(bobGets.map((message) => message.text)).toEqual(
      Array.from({ length: 100 }, (_, i) => `steady ${i}`),
    );
  });
});

describe('event budget configuration', () => {
  it.each([
    [{ CHATTER_EVENTS_PER_SECOND: '0' }, 'CHATTER_EVENTS_PER_SECOND must be at least 1'],
    [{ CHATTER_EVENTS_PER_SECOND: 'fast' }, 'CHATTER_EVENTS_PER_SECOND must be a whole number'],
    [{ CHATTER_READ_BYTES_PER_SECOND: '1000' }, 'CHATTER_READ_BYTES_PER_SECOND must be at least'],
    [{ CHATTER_READ_BYTES_PER_SECOND: '1e12' }, 'CHATTER_READ_BYTES_PER_SECOND must be a whole'],
    [{ CHATTER_REFUSALS_BEFORE_DISCONNECT: '0' }, 'CHATTER_REFUSALS_BEFORE_DISCONNECT must be at'],
    [
      { CHATTER_REFUSALS_BEFORE_DISCONNECT: '99999999' },
      'CHATTER_REFUSALS_BEFORE_DISCONNECT must be at most 1000000',
    ],
  ])('rejects %o with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(message);
  });

  it('reads the budgets, with defaults', () => {
    expect(loadConfig({})).toMatchObject({
      eventsPerSecond: 20,
      readBytesPerSecond: 2 * 1024 * 1024,
      refusalsBeforeDisconnect: 100,
    });
    expect(
      loadConfig({
        CHATTER_EVENTS_PER_SECOND: '5',
        CHATTER_READ_BYTES_PER_SECOND: '100000',
        CHATTER_REFUSALS_BEFORE_DISCONNECT: '7',
      }),
    ).toMatchObject({
      eventsPerSecond: 5,
      readBytesPerSecond: 100000,
      refusalsBeforeDisconnect: 7,
    });
  });
});

const waitUntil = async (check: () => boolean, timeoutMs = 5000) => {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
};
