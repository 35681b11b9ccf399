import { describe, expect, it } from 'vitest';
import { KeyedQueue } from './keyed-queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('KeyedQueue', () => {
  it('runs tasks under one key one at a time, in order', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running += 1;
      expect(running).toBe(1);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((name) => queue.run('room', task(name))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs tasks under different keys at the same time', async () => {
    const queue = new KeyedQueue();
    let release: () => void = () => {};
    const blocked = queue.run(
      'a',
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('a');
        }),
    );
    await expect(queue.run('b', async () => 'b')).resolves.toBe('b');
    release();
    await expect(blocked).resolves.toBe('a');
  });

  it('a failing task rejects its own caller and does not stop the next', async () => {
    const queue = new KeyedQueue();
    const failing = queue.run('room', async () => {
      throw new Error('boom');
    });
    const next = queue.run('room', async () => 'next');
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('forgets a key once its tasks are done', async () => {
    const queue = new KeyedQueue();
    const work = Promise.all([queue.run('a', tick), queue.run('b', tick), queue.run('a', tick)]);
    expect(queue.busyKeys).toBe(2);
    await work;
    await tick();
    expect(queue.busyKeys).toBe(0);
  });
});
