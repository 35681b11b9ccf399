import { LIMITS } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  barrier,
  type ClientSocket,
  connect,
  ok,
  rawEmitWithAck,
  signToken,
  startTestServer,
} from './helpers.js';

const ada = { sub: 'ada', name: 'Ada' };

const disconnected = (socket: ClientSocket) =>
  new Promise<string>((resolve) => socket.once('disconnect', resolve));

describe('the auth event', () => {
  it('renews a session: the connection outlives the token it connected with', async () => {
    const { url } = await startTestServer();
    const shortLived = await signToken(ada, { expiresIn: '2s' });
    const renewed = await connect(url, shortLived);
    // The same token, not renewed: it shows when the first token's expiry has passed.
    const control = await connect(url, shortLived);
    const controlGone = disconnected(control);
    const renewedGone = disconnected(renewed).then(() => 'renewed socket dropped');

    const fresh = await signToken({ ...ada, rooms: ['general'] }, { expiresIn: '1h' });
    const ack = ok(await renewed.emitWithAck('auth', { token: fresh }));
    const exp = JSON.parse(Buffer.from(fresh.split('.')[1] ?? '', 'base64url').toString()).exp;
    expect(ack.expiresAt).toBe(new Date(exp * 1000).toISOString());

    expect(await Promise.race([controlGone, renewedGone])).toBe('io server disconnect');
    // Still there, and acting under the new token's claims (confined to `general` now).
    await barrier(renewed);
    expect(renewed.connected).toBe(true);
    ok(await renewed.emitWithAck('join', { room: 'general' }));
    const elsewhere = await renewed.emitWithAck('join', { room: 'elsewhere' });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses a token of another user with FORBIDDEN, and the session still ends on time', async () => {
    const { url } = await startTestServer();
    const socket = await connect(url, await signToken(ada, { expiresIn: '2s' }));
    const gone = disconnected(socket);
    const bobs = await signToken({ sub: 'bob', name: 'Bob' });
    expect(await socket.emitWithAck('auth', { token: bobs })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await gone).toBe('io server disconnect');
  });

  it('refuses a token that does not allow a room the connection is in, and takes a wider one', async () => {
    const { url } = await startTestServer();
    const socket = await connect(url, await signToken({ ...ada, rooms: ['a', 'b'] }));
    ok(await socket.emitWithAck('join', { room: 'a' }));
    ok(await socket.emitWithAck('join', { room: 'b' }));
    const narrower = await signToken({ ...ada, rooms: ['a'] });
    expect(await socket.emitWithAck('auth', { token: narrower })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', details: { rooms: ['b'] } },
    });
    ok(
      await socket.emitWithAck('auth', {
        token: await signToken({ ...ada, rooms: ['a', 'b', 'c'] }),
      }),
    );
    ok(await socket.emitWithAck('auth', { token: await signToken(ada) }));
  });

  it('refuses expired, forged and claimless tokens with UNAUTHORIZED', async () => {
    const { url } = await startTestServer();
    const socket = await connect(url, await signToken(ada));
    const refused = [
      await signToken(ada, { expiresIn: '-1m' }),
      await signToken(ada, { secret: 'another-secret-that-is-long-enough-for-hs256' }),
      await signToken({ sub: 'ada' }),
      'not-a-jwt',
    ];
    for (const token of refused) {
      expect(await socket.emitWithAck('auth', { token })).toMatchObject({
        ok: false,
        error: { code: 'UNAUTHORIZED' },
      });
    }
    await barrier(socket);
  });

  it('answers malformed payloads with VALIDATION', async () => {
    const { url } = await startTestServer();
    const socket = await connect(url, await signToken(ada));
    const token = await signToken(ada);
    const payloads: unknown[] = [
      undefined,
      'token',
      {},
      { token: 42 },
      { token: '' },
      { token, extra: true },
      { token: 'x'.repeat(LIMITS.maxTokenLength + 1) },
    ];
    for (const payload of payloads) {
      expect(await rawEmitWithAck(socket, 'auth', payload)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION' },
      });
    }
    expect(socket.connected).toBe(true);
  });

  it('is paid for from the connection’s event budget', async () => {
    const { url } = await startTestServer({
      env: { CHATTER_EVENTS_PER_SECOND: '2', CHATTER_REFUSALS_BEFORE_DISCONNECT: '1000' },
    });
    const socket = await connect(url, await signToken(ada));
    const token = await signToken(ada);
    const acks = await Promise.all(
      Array.from({ length: 30 }, () => socket.emitWithAck('auth', { token })),
    );
    const refused = acks.filter((ack) => !ack.ok);
    // The burst is five seconds of the rate: 10 pass, the rest are refused with a wait.
    expect(acks.filter((ack) => ack.ok).length).toBeLessThanOrEqual(11);
    expect(refused.length).toBeGreaterThanOrEqual(19);
    expect(refused[0]).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } },
    });
  });

  it('a connection that floods auth is closed like any other over-budget connection', async () => {
    const { url } = await startTestServer({
      env: { CHATTER_EVENTS_PER_SECOND: '1', CHATTER_REFUSALS_BEFORE_DISCONNECT: '5' },
    });
    const socket = await connect(url, await signToken(ada));
    const token = await signToken(ada);
    const closing = new Promise((resolve) => socket.once('closing', resolve));
    const gone = disconnected(socket);
    for (let i = 0; i < 20; i++) socket.emit('auth', { token }, () => {});
    expect(await closing).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await gone).toBe('io server disconnect');
  });
});
