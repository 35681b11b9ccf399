import { describe, expect, it } from 'vitest';
import { connect, createSession, request, signToken, startTestServer } from './helpers.js';

const startSession = (url: string, headers: Record<string, string> = {}) =>
  request(url, '/api/session', { body: { name: 'Guest' }, headers });

/** Retries a handshake refused for the limit until a released slot lets it in. */
const connectOnceFreed = async (url: string, token: string) => {
  for (;;) {
    try {
      return await connect(url, token);
    } catch (error) {
      if ((error as { data?: { code?: string } }).data?.code !== 'RATE_LIMITED') throw error;
    }
  }
};

describe('limits that a new identity cannot dodge', () => {
  it('limits guest sessions per client address, whatever X-Forwarded-For says', async () => {
    const { url } = await startTestServer({ env: { CHATTER_SESSIONS_PER_MINUTE: '3' } });
    for (let index = 0; index < 3; index += 1) {
      expect((await startSession(url, { 'x-forwarded-for': `198.51.100.${index}` })).status).toBe(
        201,
      );
    }
    const refused = await startSession(url, { 'x-forwarded-for': '198.51.100.99' });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('sessions'),
      details: { retryAfterMs: expect.any(Number) },
    });
    expect(refused.body.error.details.retryAfterMs).toBeGreaterThan(0);
    expect(refused.body.error.details.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('takes the address from X-Forwarded-For when CHATTER_TRUST_PROXY trusts the proxy', async () => {
    const { url } = await startTestServer({
      env: { CHATTER_SESSIONS_PER_MINUTE: '2', CHATTER_TRUST_PROXY: 'loopback' },
    });
    const from = (address: string) => startSession(url, { 'x-forwarded-for': address });
    expect((await from('198.51.100.1')).status).toBe(201);
    expect((await from('198.51.100.1')).status).toBe(201);
    expect((await from('198.51.100.1')).status).toBe(429);
    // Another client behind the same proxy has a budget of its own.
    expect((await from('198.51.100.2')).status).toBe(201);
  });

  it('refuses handshakes past CHATTER_MAX_CONNECTIONS_PER_USER with connect_error RATE_LIMITED', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MAX_CONNECTIONS_PER_USER: '3' } });
    const { token } = await createSession(url, 'Ada');
    const open = [];
    for (let index = 0; index < 3; index += 1) open.push(await connect(url, token));
    const refused = await connect(url, token).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as { data: unknown }).data).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('at most 3'),
      details: { limit: 3 },
    });
    // Another user is not affected by Ada's connections.
    await connect(url, (await createSession(url, 'Bob')).token);

    // Closing one frees its slot.
    open[0]?.disconnect();
    await connectOnceFreed(url, token);
  });

  it('refuses handshakes past CHATTER_MAX_CONNECTIONS_PER_ADDRESS, whichever users they are', async () => {
    const { url } = await startTestServer({ env: { CHATTER_MAX_CONNECTIONS_PER_ADDRESS: '4' } });
    for (let index = 0; index < 4; index += 1) {
      await connect(url, await signToken({ sub: `user-${index}`, name: `User ${index}` }));
    }
    const refused = await connect(url, await signToken({ sub: 'user-5', name: 'Five' })).catch(
      (error: unknown) => error,
    );
    expect((refused as { data: unknown }).data).toEqual({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('from this address'),
      details: { limit: 4 },
    });
  });

  it('frees the slots of connections that end in every way, so nothing leaks', async () => {
    const { url, server } = await startTestServer({
      env: { CHATTER_MAX_CONNECTIONS_PER_USER: '2' },
    });
    const { token } = await createSession(url, 'Ada');
    for (let round = 0; round < 20; round += 1) {
      const first = await connectOnceFreed(url, token);
      const second = await connectOnceFreed(url, token);
      first.disconnect();
      // The server ends the other one, as it does when a token expires.
      const [serverSide] = await server.io.in(second.id ?? '').fetchSockets();
      serverSide?.disconnect(true);
    }
    await connectOnceFreed(url, token);
    await connectOnceFreed(url, token);
  });
});
