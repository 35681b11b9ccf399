import { io } from 'socket.io-client';
import { describe, expect, it, vi } from 'vitest';
import { request, signToken, spawnServer } from './helpers.js';

describe('the logs', () => {
  it.each(['debug', 'info'])(
    'never hold a token, wherever a client puts it (LOG_LEVEL=%s)',
    async (level) => {
      const server = await spawnServer({ LOG_LEVEL: level });
      const { url } = server;
      const good = await signToken({ sub: 'u1', name: 'Ada' });
      const expired = await signToken({ sub: 'u1', name: 'Ada' }, { expiresIn: -60 });
      const tokens = [good, expired];
      for (const token of tokens) {
        const signature = token.split('.')[2] as string;
        for (const query of [`token=${token}`, `access_token=${token}`, `jwt=${signature}`]) {
          await request(url, `/api/messages?room=general&${query}`);
          await request(url, `/api/session?${query}`, { token });
          await request(url, `/no-such-route?${query}`);
        }
        await request(url, '/api/messages', {
          token,
          body: { room: 'general', text: 'hello', token },
        });
        // Over the socket, in the handshake's auth and in its query string (long-polling puts
        // the query in every request URL).
        const socket = io(url, {
          auth: { token },
          query: { token, access_token: token },
          transports: ['polling'],
          reconnection: false,
          forceNew: true,
        });
        await new Promise<void>((resolve) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', () => resolve());
        });
        socket.disconnect();
      }
      // The last request's line is written: everything before it is in the output.
      await request(url, '/api/session?marker=done');
      await vi.waitFor(() => expect(server.output()).toContain('marker=done'), { timeout: 5000 });
      const output = server.output();
      expect(output).toContain('[Redacted]');
      for (const token of tokens) {
        const [header, payload, signature] = token.split('.') as [string, string, string];
        expect(output).not.toContain(signature);
        expect(output).not.toContain(`${header}.${payload}`);
      }
    },
    40_000,
  );
});
