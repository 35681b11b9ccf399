import { LIMITS } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import { connectAs, nextEvent, rawEmitWithAck, record, sleep, startTestServer } from './helpers.js';

// The test server ends a typing indicator 400 ms after the last `typing: true`.
const TYPING_TIMEOUT_MS = 400;

const inRoom = async (url: string) => {
  const ada = await connectAs(url, 'Ada');
  const bob = await connectAs(url, 'Bob');
  await ada.socket.emitWithAck('join', { room: 'general' });
  await bob.socket.emitWithAck('join', { room: 'general' });
  return { ada, bob };
};

describe('typing', () => {
  it('others in the room see who is typing; the typist does not', async () => {
    const { url } = await startTestServer();
    const { ada, bob } = await inRoom(url);
    const adaSees = record(ada.socket, 'typing');

    const started = nextEvent(bob.socket, 'typing');
    ada.socket.emit('typing', { room: 'general', typing: true });
    expect(await started).toEqual({ room: 'general', user: ada.user, typing: true });

    const stopped = nextEvent(bob.socket, 'typing');
    ada.socket.emit('typing', { room: 'general', typing: false });
    expect(await stopped).toEqual({ room: 'general', user: ada.user, typing: false });
    expect(adaSees).toEqual([]);
  });

  it('expires by itself after the last typing: true', async () => {
    const { url } = await startTestServer();
    const { ada, bob } = await inRoom(url);
    const bobSees = record(bob.socket, 'typing');

    const startedAt = Date.now();
    ada.socket.emit('typing', { room: 'general', typing: true });
    await nextEvent(bob.socket, 'typing', (t) => !t.typing, TYPING_TIMEOUT_MS * 5);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(TYPING_TIMEOUT_MS - 20);
    expect(bobSees.map((t) => t.typing)).toEqual([true, false]);
  });

  it('repeated typing: true is announced once and keeps the indicator alive', async () => {
    const { url } = await startTestServer();
    const { ada, bob } = await inRoom(url);
    const bobSees = record(bob.socket, 'typing');

    const startedAt = Date.now();
    while (Date.now() - startedAt < TYPING_TIMEOUT_MS * 2) {
      ada.socket.emit('typing', { room: 'general', typing: true });
      await sleep(TYPING_TIMEOUT_MS / 4);
    }
    // Twice the timeout has passed, but each keystroke extended it.
    expect(bobSees.map((t) => t.typing)).toEqual([true]);
    await nextEvent(bob.socket, 'typing', (t) => !t.typing, TYPING_TIMEOUT_MS * 5);
    expect(bobSees.map((t) => t.typing)).toEqual([true, false]);
  });

  it('repeats a continuing indicator every LIMITS.typingRepeatMs, so clients can expire one nobody repeats', async () => {
    const { url } = await startTestServer({ env: { CHATTER_TYPING_TIMEOUT_MS: '60000' } });
    const { ada, bob } = await inRoom(url);
    const relayedAt: number[] = [];
    bob.socket.on('typing', (event) => {
      if (event.typing) relayedAt.push(performance.now());
    });
    const startedAt = performance.now();
    while (relayedAt.length < 3) {
      ada.socket.emit('typing', { room: 'general', typing: true });
      await sleep(250);
      expect(performance.now() - startedAt).toBeLessThan(LIMITS.typingRepeatMs * 4);
    }
    const gaps = relayedAt.slice(1).map((at, index) => at - (relayedAt[index] ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(LIMITS.typingRepeatMs - 20);
      // Well within what a client waits before it ends an indicator by itself.
      expect(gap).toBeLessThan(LIMITS.typingIndicatorTtlMs - 1000);
    }
  });

  it('ends when the typist disconnects', async () => {
    const { url } = await startTestServer();
    const { ada, bob } = await inRoom(url);
    await nextEventAfter(bob.socket, () =>
      ada.socket.emit('typing', { room: 'general', typing: true }),
    );
    const stopped = nextEvent(bob.socket, 'typing', (t) => !t.typing, TYPING_TIMEOUT_MS / 2);
    ada.socket.disconnect();
    expect(await stopped).toMatchObject({ user: ada.user, typing: false });
  });

  it('typing in a room the socket has not joined is refused and announced to no one', async () => {
    const { url } = await startTestServer();
    const { ada, bob } = await inRoom(url);
    const bobSees = record(bob.socket, 'typing');
    expect(
      await rawEmitWithAck(ada.socket, 'typing', { room: 'other', typing: true }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await sleep(100);
    expect(bobSees).toEqual([]);
  });
});

const nextEventAfter = async (socket: Parameters<typeof nextEvent>[0], action: () => void) => {
  const event = nextEvent(socket, 'typing');
  action();
  return event;
};
