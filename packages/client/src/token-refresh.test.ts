import { describe, expect, it } from 'vitest';
import { refreshAt } from './token-refresh.js';
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
