import { LIMITS } from '@chatter/protocol';
import { SignJWT } from 'jose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ChatterClient, type ChatterError, createChatterClient } from '../src/index.js';
import { ServerProcess, TEST_SECRET } from './support/server-process.js';
import { waitFor } from './support/wait.js';

const server = new ServerProcess();
const started = server.start();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server.dispose());

const track = (chat: ChatterClient) => {
  cleanups.push(() => chat.close());
  const errors: ChatterError[] = [];
  chat.on('error', (error) => errors.push(error));
  return { chat, errors };
};

const fast = { transports: ['websocket' as const], reconnectionDelayMs: 50 };

// Past the server's 32 KB frame limit: sent, the connection would close with no reason given.
const oversizedToken = () =>
  new SignJWT({ name: 'Ada', pad: 'x'.repeat(30_000) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ada')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(TEST_SECRET));

describe('what the SDK refuses itself', () => {
  it('a token larger than a server accepts, with the reason, over the socket and REST', async () => {
    await started;
    const token = await oversizedToken();
    expect(token.length).toBeGreaterThan(LIMITS.maxPayloadBytes);
    const reason = `Token is too large: ${token.length} characters, and at most ${LIMITS.maxTokenLength} are accepted`;
    const { chat, errors } = track(createChatterClient({ url: server.url, token, ...fast }));
    await expect(chat.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: reason });
    expect(chat.connectionStatus).toBe('disconnected');
    // Reported on each attempt to use it, and never anything else.
    expect(new Set(errors.map((error) => error.message))).toEqual(new Set([reason]));
    await expect(chat.status(['ada'])).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: reason,
    });
  });

  it('text that is not well-formed UTF-16, before it reaches the outbox', async () => {
    await started;
    const token = await new SignJWT({ name: 'Ada' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ada')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_SECRET));
    const { chat } = track(createChatterClient({ url: server.url, token, ...fast }));
    const room = await chat.join('general');
    await server.stop();

    await expect(room.send('x\uD800y')).rejects.toMatchObject({
      code: 'VALIDATION',
      message: 'text: Message text must be well-formed Unicode (it contains a lone surrogate)',
    });
    expect(chat.pending).toEqual([]);
    // Whereas a valid text, with no server to send it to, waits in the outbox.
    room.send('a valid text').catch(() => {});
    await waitFor('the valid text to be queued', () => chat.pending.length === 1);
    expect(chat.pending.map((entry) => entry.text)).toEqual(['a valid text']);
  });
});
