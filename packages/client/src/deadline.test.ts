import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline.js';
import { isChatterError } from './errors.js';

const never = () => new Promise<never>(() => {});

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('resolved');
};

describe('withDeadline', () => {
  it('rejects with TIMEOUT after timeoutMs, and aborts the inner signal', async () => {
    let inner: AbortSignal | undefined;
    const error = await rejection(
      withDeadline('join', { timeoutMs: 20 }, undefined, (signal) => {
        inner = signal;
        return never();
      }),
    );
    expect(isChatterError(error) && error.code).toBe('TIMEOUT');
    expect(inner?.aborted).toBe(true);
  });

  it('uses the default timeout when the call gives none, and none when both are missing', async () => {
    expect(await rejection(withDeadline('x', {}, 10, never))).toMatchObject({ code: 'TIMEOUT' });
    await expect(
      withDeadline('x', {}, undefined, () => new Promise((resolve) => setTimeout(resolve, 30, 7))),
    ).resolves.toBe(7);
    await expect(
      withDeadline('x', { timeoutMs: Number.POSITIVE_INFINITY }, 5, async () => 8),
    ).resolves.toBe(8);
  });

  it('rejects with ABORTED carrying the reason, at once for an aborted signal', async () => {
    const controller = new AbortController();
    const pending = rejection(withDeadline('x', { signal: controller.signal }, 1000, never));
    controller.abort('stop');
    expect(await pending).toMatchObject({ code: 'ABORTED', cause: 'stop' });
    let ran = false;
    const early = await rejection(
      withDeadline('x', { signal: AbortSignal.abort('early') }, 1000, async () => {
        ran = true;
      }),
    );
    expect(early).toMatchObject({ code: 'ABORTED', cause: 'early' });
    expect(ran).toBe(false);
  });

  it('refuses a negative or non-numeric timeout with VALIDATION', async () => {
    expect(await rejection(withDeadline('x', { timeoutMs: -1 }, 5, never))).toMatchObject({
      code: 'VALIDATION',
    });
    expect(await rejection(withDeadline('x', { timeoutMs: Number.NaN }, 5, never))).toMatchObject({
      code: 'VALIDATION',
    });
  });

  it('passes the inner result and error through', async () => {
    await expect(withDeadline('x', { timeoutMs: 1000 }, 5, async () => 'ok')).resolves.toBe('ok');
    expect(
      await rejection(
        withDeadline('x', {}, 1000, async () => {
          throw new Error('boom');
        }),
      ),
    ).toMatchObject({ message: 'boom' });
  });
});
