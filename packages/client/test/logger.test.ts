import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { type ChatterLogger, createChatterClient } from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';
import { FaultyProxy } from './support/ws-proxy.js';

const server = new ServerProcess();
const started = server.start();
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server.dispose());

type Line = { level: keyof ChatterLogger; message: string; details?: object };

const recordingLogger = () => {
  const lines: Line[] = [];
  const at = (level: keyof ChatterLogger) => (message: string, details?: object) =>
    lines.push({ level, message, ...(details ? { details } : {}) });
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
};

describe('the logger option', () => {
  it('hears connection changes, reconnections, refused tokens and dropped malformed events', async () => {
    await started;
    const proxy = new FaultyProxy(() => server.port);
    await proxy.listen();
    const { logger, lines } = recordingLogger();
    let calls = 0;
    const chat = createChatterClient({
      url: proxy.url,
      ...FAST_RECONNECTION,
      logger,
      // The first token has expired: refused, then a good one.
      getToken: () => server.token({ id: 'logged', name: 'Logged' }, ++calls === 1 ? '-1m' : '1h'),
    });
    cleanups.push(
      () => proxy.close(),
      () => chat.close(),
    );
    await chat.join('logged');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'chatter: the server refused the token' }),
    );
    expect(lines).toContainEqual({ level: 'info', message: 'chatter: connected' });

    proxy.inject('42["presence",{"user":{"id":"a"},"status":"dancing"}]');
    await waitFor('the dropped event', () =>
      lines.some((line) => line.message === 'chatter: dropped a malformed event from the server'),
    );
    expect(lines.find((line) => line.message.includes('malformed'))).toMatchObject({
      level: 'warn',
      details: { event: 'presence' },
    });

    proxy.drop();
    await waitFor(
      'the reconnection',
      () => lines.filter((line) => line.message === 'chatter: connected').length === 2,
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'debug', message: 'chatter: reconnecting' }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'chatter: disconnected' }),
    );
  });

  it('logs nothing by default', async () => {
    await started;
    const spies = (['debug', 'info', 'warn', 'error', 'log'] as const).map((level) =>
      vi.spyOn(console, level),
    );
    const chat = createChatterClient({
      url: server.url,
      token: await server.token({ id: 'quiet', name: 'Quiet' }, '-1m'),
      ...FAST_RECONNECTION,
    });
    cleanups.push(() => chat.close());
    await expect(chat.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
