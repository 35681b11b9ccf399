import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpiryWheel } from './expiry-wheel.js';

describe('ExpiryWheel', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each item once its second has passed, and not before', () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T00:00:00.000Z') });
    const expired: string[] = [];
    const wheel = new ExpiryWheel<string>((item) => expired.push(item));
    const start = Date.now();
    wheel.add('a', start + 2500);
    wheel.add('b', start + 1000);
    wheel.add('c', start + 10_000);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['b']);
    vi.advanceTimersByTime(2000);
    expect(expired).toEqual(['b', 'a']);
    expect(wheel.size).toBe(1);
    wheel.close();
  });

  it('a deleted item never expires, and nothing of it is kept', () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T00:00:00.000Z') });
    const expired: string[] = [];
    const wheel = new ExpiryWheel<string>((item) => expired.push(item));
    for (let i = 0; i < 1000; i++) wheel.add(`conn-${i}`, Date.now() + 7 * 24 * 3600 * 1000);
    for (let i = 0; i < 1000; i++) wheel.delete(`conn-${i}`);
    expect(wheel.size).toBe(0);
    vi.advanceTimersByTime(8 * 24 * 3600 * 1000);
    expect(expired).toEqual([]);
    wheel.close();
  });

  it('a time already past expires at the next tick; adding again moves the item', () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T00:00:00.000Z') });
    const expired: string[] = [];
    const wheel = new ExpiryWheel<string>((item) => expired.push(item));
    wheel.add('late', Date.now() - 60_000);
    wheel.add('moved', Date.now() + 1000);
    wheel.add('moved', Date.now() + 5000);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual(['late']);
    vi.advanceTimersByTime(4000);
    expect(expired).toEqual(['late', 'moved']);
    wheel.close();
  });
});
