import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { describe, expect, it, vi } from 'vitest';
import { request, signToken, TEST_SECRET, tempDataDir } from './helpers.js';

const serverDir = fileURLToPath(new URL('..', import.meta.url));

describe('the logs', () => {
  it.each(['debug', 'info'])(
    'never hold a token, wherever a client puts it (LOG_LEVEL=%s)',
    async (level) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: serverDir,
        env: {
          PATH: process.env.PATH,
          PORT: '0',
          HOST: '127.0.0.1',
          CHATTER_DATA_DIR: tempDataDir(),
          CHATTER_JWT_SECRET: TEST_SECRET,
          LOG_LEVEL: level,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
      });
      try {
        const url = await vi.waitFor(
          () => {
            const found = output.match(/listening on (http:\/\/\S+?)"/)?.[1];
            if (!found) throw new Error(`not started:\n${output}`);
            return found;
          },
          { timeout: 20_000, interval: 50 },
        );
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
        await vi.waitFor(() => expect(output).toContain('marker=done'), { timeout: 5000 });
        expect(output).toContain('[Redacted]');
        for (const token of tokens) {
          const [header, payload, signature] = token.split('.') as [string, string, string];
          expect(output).not.toContain(signature);
          expect(output).not.toContain(`${header}.${payload}`);
        }
      } finally {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
    40_000,
  );
});
