import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { startChatterServer } from '../src/chatter-server.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/utils/logger.js';
import {
  connect,
  createSession,
  request,
  signToken,
  startTestServer,
  tempDataDir,
} from './helpers.js';

describe('sessions and tokens', () => {
  it('POST /api/session issues an HS256 guest token with sub, name and exp', async () => {
    const { url } = await startTestServer({ env: { CHATTER_SESSION_TTL_SECONDS: '3600' } });
    const { status, body } = await request(url, '/api/session', { body: { name: '  Ada  ' } });

    expect(status).toBe(201);
    expect(body.user).toEqual({ id: expect.stringMatching(/^guest_/), name: 'Ada' });
    expect(decodeProtectedHeader(body.token).alg).toBe('HS256');
    const claims = decodeJwt(body.token);
    expect(claims.sub).toBe(body.user.id);
    expect(claims.name).toBe('Ada');
    const expectedExp = Math.floor(Date.now() / 1000) + 3600;
    expect(claims.exp).toBeGreaterThanOrEqual(expectedExp - 5);
    expect(claims.exp).toBeLessThanOrEqual(expectedExp + 5);
    expect(body.expiresAt).toBe(new Date((claims.exp ?? 0) * 1000).toISOString());
  });

  it('GET /api/session tells who a token belongs to', async () => {
    const { url } = await startTestServer();
    const session = await createSession(url, 'Ada');
    const me = await request(url, '/api/session', { token: session.token });
    expect(me).toMatchObject({
      status: 200,
      body: { user: session.user, expiresAt: session.expiresAt },
    });
  });

  it('accepts tokens an app backend signs with the same secret', async () => {
    const { url } = await startTestServer();
    const token = await signToken({ sub: 'app-user-42', name: 'Grace' });
    const socket = await connect(url, token);
    const ack = await socket.emitWithAck('message', { room: 'general', text: 'from my app' });
    expect(ack).toMatchObject({
      ok: true,
      message: { author: { id: 'app-user-42', name: 'Grace' } },
    });
    const rest = await request(url, '/api/messages?room=general', { token });
    expect(rest.body.messages).toHaveLength(1);
  });

  it('refuses tokens without an expiry or without a name', async () => {
    const { url } = await startTestServer();
    const everlasting = await signToken({ sub: 'u', name: 'No Exp' }, { expiresIn: '' });
    const nameless = await signToken({ sub: 'u' });
    for (const token of [everlasting, nameless]) {
      const rest = await request(url, '/api/messages?room=general', { token });
      expect(rest.status).toBe(401);
      expect(rest.body.error.code).toBe('UNAUTHORIZED');
      await expect(connect(url, token)).rejects.toMatchObject({
        data: { code: 'UNAUTHORIZED' },
      });
    }
  });

  it('with guests turned off, sessions are refused but app tokens still work', async () => {
    const { url } = await startTestServer({ env: { CHATTER_GUESTS: 'false' } });
    const refused = await request(url, '/api/session', { body: { name: 'Ada' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({
      code: 'FORBIDDEN',
      message: expect.stringContaining('Guest sessions'),
    });
    const token = await signToken({ sub: 'app-user', name: 'Grace' });
    expect((await request(url, '/api/status', { token })).status).toBe(200);
  });

  it('without a configured secret, generates one, keeps it private and reuses it after a restart', async () => {
    const dataDir = tempDataDir();
    const start = () =>
      startChatterServer(
        loadConfig({
          PORT: '0',
          HOST: '127.0.0.1',
          CHATTER_DATA_DIR: dataDir,
          LOG_LEVEL: 'silent',
        }),
        createLogger('silent'),
      );
    const first = await start();
    const session = await createSession(first.url, 'Ada');
    await first.close();

    const secretFile = path.join(dataDir, 'jwt-secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(secretFile, 'utf8').trim().length).toBeGreaterThanOrEqual(43);

    const second = await start();
    try {
      const me = await request(second.url, '/api/session', { token: session.token });
      expect(me.status).toBe(200);
      // The test secret signs nothing this server accepts: the generated one is in use.
      const foreign = await signToken({ sub: 'u', name: 'X' });
      expect((await request(second.url, '/api/session', { token: foreign })).status).toBe(401);
    } finally {
      await second.close();
    }
  });

  it('disconnects a socket when its token expires', async () => {
    const { url } = await startTestServer();
    const token = await signToken(
      { sub: 'short-lived', name: 'Brief' },
      { expiresIn: Math.floor(Date.now() / 1000) + 2 },
    );
    const socket = await connect(url, token);
    const reason = await new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
    await expect(connect(url, token)).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', message: 'Token has expired' },
    });
  });
});
