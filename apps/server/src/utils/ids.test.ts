import { describe, expect, it } from 'vitest';
import { newMessageId } from './ids.js';

describe('newMessageId', () => {
  it('is a version-7 UUID whose first 48 bits are the current Unix milliseconds', () => {
    const before = Date.now();
    const id = newMessageId();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const millis = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
  });

  it('sorts ids minted in later milliseconds after earlier ones, and never repeats', async () => {
    const first = newMessageId();
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = newMessageId();
    expect(first < second).toBe(true);
    const many = new Set(Array.from({ length: 10_000 }, newMessageId));
    expect(many.size).toBe(10_000);
  });
});
