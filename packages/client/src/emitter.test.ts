import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './emitter.js';

describe('Emitter', () => {
  it('calls listeners in order and stops calling one after it unsubscribes', () => {
    const emitter = new Emitter<{ tick: number }>();
    const calls: string[] = [];
    const offA = emitter.on('tick', (n) => calls.push(`a${n}`));
    emitter.on('tick', (n) => calls.push(`b${n}`));
    emitter.emit('tick', 1);
    offA();
    offA();
    emitter.emit('tick', 2);
    expect(calls).toEqual(['a1', 'b1', 'b2']);
  });

  it('keeps two subscriptions of the same function apart', () => {
    const emitter = new Emitter<{ tick: number }>();
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    const off = emitter.on('tick', listener);
    emitter.on('tick', listener);
    off();
    emitter.emit('tick', 7);
    expect(seen).toEqual([7]);
  });

  it('does not let a throwing listener stop the others; the error surfaces on its own task', async () => {
    vi.useFakeTimers();
    try {
      const emitter = new Emitter<{ tick: number }>();
      const seen: number[] = [];
      emitter.on('tick', () => {
        throw new Error('app bug');
      });
      emitter.on('tick', (n) => seen.push(n));
      emitter.emit('tick', 1);
      expect(seen).toEqual([1]);
      expect(() => vi.runAllTimers()).toThrow('app bug');
    } finally {
      vi.useRealTimers();
    }
  });
});
