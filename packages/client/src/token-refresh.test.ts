import { afterEach, describe, expect, it, vi } from 'vitest';
import { SILENT_LOGGER } from './logger.js';
import { refreshAt, TokenRefresh } from './token-refresh.js';
import { TokenSource } from './token-source.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('refreshAt', () => {
  it('refreshes a long-lived token at 80–90 % of its life, jittered', () => {
    expect(refreshAt(HOUR, 0, 0)).toBe(0.8 * HOUR);
    expect(refreshAt(HOUR, 0, 1)).toBeCloseTo(0.9 * HOUR);
    expect(refreshAt(HOUR, 0, 0.5)).toBeCloseTo(0.85 * HOUR);
  });

  it('refreshes a short token a minute before it expires, when that is sooner', () => {
    // Ten minutes: 80 % is 8 min, a minute before is 9 min; 80 % is sooner.
    expect(refreshAt(10 * MINUTE, 0, 0)).toBe(8 * MINUTE);
    // Five minutes: a minute before (4 min) is sooner than 90 % (4.5 min).
    expect(refreshAt(5 * MINUTE, 0, 1)).toBe(4 * MINUTE);
  });

  it('never before half of its life, so a very short token is not refreshed in a loop', () => {
    expect(refreshAt(2 * MINUTE, 0, 0)).toBe(MINUTE);
    expect(refreshAt(3000, 1000, 0.5)).toBe(2000);
  });

  it('a token already past its life is refreshed at once', () => {
    expect(refreshAt(1000, 5000)).toBe(5000);
  });
});

describe('TokenSource', () => {
  it('asks getToken again after it threw synchronously', async () => {
    let calls = 0;
    const tokens = new TokenSource(undefined, () => {
      calls += 1;
      if (calls === 1) throw new Error('down for a moment');
      return 'a.b.c';
    });
    await expect(tokens.current()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(tokens.current()).resolves.toBe('a.b.c');
    expect(calls).toBe(2);
  });

  it('keeps the token in hand when a refresh fails, and takes the new one when it works', async () => {
    let next: string | Error = new Error('down');
    const tokens = new TokenSource(undefined, () => {
      if (next instanceof Error) throw next;
      return next;
    });
    next = 'first.token.x';
    await tokens.current();
    next = new Error('down');
    await expect(tokens.refresh()).rejects.toBeDefined();
    expect(tokens.token).toBe('first.token.x');
    next = 'second.token.x';
    await expect(tokens.refresh()).resolves.toBe('second.token.x');
    expect(tokens.token).toBe('second.token.x');
  });
});

const jwt = (claims: object) =>
  `e30.${btoa(JSON.stringify(claims)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}.sig`;

describe('TokenRefresh', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const setup = (tokensToIssue: string[], connected = true) => {
    vi.useFakeTimers({ now: 1_000_000_000_000 });
    const issued = [...tokensToIssue];
    const tokens = new TokenSource(undefined, () => issued.shift() ?? 'none');
    const renewed: string[] = [];
    const expiring: number[] = [];
    const refresh = new TokenRefresh({
      tokens,
      connected: () => connected,
      renew: async (token) => {
        renewed.push(token);
      },
      expiring: (at) => expiring.push(at),
      logger: SILENT_LOGGER,
      reportError: () => {},
    });
    return { tokens, refresh, renewed, expiring };
  };

  it('hands a new token to the connection before the one in hand expires', async () => {
    const now = 1_000_000_000;
    const first = jwt({ sub: 'a', name: 'A', iat: now, exp: now + 3600 });
    const second = jwt({ sub: 'a', name: 'A', iat: now + 3000, exp: now + 7200 });
    const { tokens, refresh, renewed } = setup([first, second]);
    await tokens.current();
    refresh.schedule();
    await vi.advanceTimersByTimeAsync(0.79 * 3600_000);
    expect(renewed).toEqual([]);
    await vi.advanceTimersByTimeAsync(0.12 * 3600_000);
    expect(renewed).toEqual([second]);
    refresh.close();
  });

  it('asks again when getToken answers with the token about to expire', async () => {
    const now = 1_000_000_000;
    const first = jwt({ sub: 'a', name: 'A', iat: now, exp: now + 600 });
    const second = jwt({ sub: 'a', name: 'A', iat: now + 500, exp: now + 1200 });
    const { tokens, refresh, renewed } = setup([first, first, second]);
    await tokens.current();
    refresh.schedule();
    // The first refresh (at 80–90 %) gets the same token back; the next one, 5 s on, a new one.
    await vi.advanceTimersByTimeAsync(0.9 * 600_000 + 5000);
    expect(renewed).toEqual([second]);
    refresh.close();
  });

  it('with a fixed token, says once that it is expiring', async () => {
    const now = 1_000_000_000;
    const fixed = jwt({ sub: 'a', name: 'A', iat: now, exp: now + 600 });
    vi.useFakeTimers({ now: now * 1000 });
    const expiring: number[] = [];
    const refresh = new TokenRefresh({
      tokens: new TokenSource(fixed, undefined),
      connected: () => true,
      renew: async () => {},
      expiring: (at) => expiring.push(at),
      logger: SILENT_LOGGER,
      reportError: () => {},
    });
    refresh.schedule();
    refresh.schedule();
    await vi.advanceTimersByTimeAsync(600_000);
    expect(expiring).toEqual([(now + 600) * 1000]);
    refresh.close();
  });
});
