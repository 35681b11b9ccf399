import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ChatterError, createChatterClient } from '../src/index.js';
import { FAST_RECONNECTION } from './support/fast-options.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

const server = new ServerProcess({ env: { CHATTER_MAX_CONNECTIONS_PER_USER: '1' } });
const started = server.start();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(() => server.dispose());

describe('a user over the connection limit', () => {
  it('is told once, keeps trying with backoff, and connects when a slot frees', async () => {
    await started;
    const token = await server.token({ id: 'ada', name: 'Ada' });
    const first = createChatterClient({ url: server.url, token, ...FAST_RECONNECTION });
    cleanups.push(() => first.close());
    await first.connect();

    const second = createChatterClient({ url: server.url, token, ...FAST_RECONNECTION });
    cleanups.push(() => second.close());
    const errors: ChatterError[] = [];
    second.on('error', (error) => errors.push(error));
    const connected = second.connect();
    await waitFor('the refusal', () => errors.length > 0);
    expect(errors).toEqual([expect.objectContaining({ code: 'RATE_LIMITED' })]);
    expect(second.connectionStatus).toBe('connecting');

    first.close();
    await connected;
    expect(second.connectionStatus).toBe('connected');
    expect(errors).toHaveLength(1);
  });
});
