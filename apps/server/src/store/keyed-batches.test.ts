import { describe, expect, it } from 'vitest';
import { KeyedBatches } from './keyed-batches.js';

const settled = <T>(values: T[]): Array<PromiseSettledResult<T>> =>
  values.map((value) => ({ status: 'fulfilled', value }));

describe('KeyedBatches', () => {
  it('hands over what arrived while a key was busy as one batch, in order', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const batcher = new KeyedBatches<number, number>(async (_key, items) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return settled(items.map((item) => item * 10));
    });
    const first = batcher.run('a', 1);
    const rest = [2, 3, 4].map((item) => batcher.run('a', item));
    release();
    expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps keys apart and settles each item with its own result', async () => {
    const batcher = new KeyedBatches<string, string>(async (key, items) =>
      items.map((item) =>
        item === 'bad'
          ? { status: 'rejected', reason: new Error(`${key}: bad`) }
          : { status: 'fulfilled', value: `${key}:${item}` },
      ),
    );
    const results = await Promise.allSettled([
      batcher.run('a', 'x'),
      batcher.run('b', 'y'),
      batcher.run('a', 'bad'),
    ]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a:x' },
      { status: 'fulfilled', value: 'b:y' },
      { status: 'rejected', reason: new Error('a: bad') },
    ]);
  });

  it('a batch that throws fails its items, and the next batch still runs', async () => {
    let calls = 0;
    const batcher = new KeyedBatches<number, number>(async (_key, items) => {
      calls += 1;
      if (calls === 1) throw new Error('down');
      return settled(items);
    });
    await expect(batcher.run('a', 1)).rejects.toThrow('down');
    expect(await batcher.run('a', 2)).toBe(2);
  });

  it('never puts more than maxBatch items in one batch', async () => {
    const sizes: number[] = [];
    const batcher = new KeyedBatches<number, number>(async (_key, items) => {
      sizes.push(items.length);
      return settled(items);
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((item) => batcher.run('a', item)));
    expect(sizes).toEqual([1, 2, 2]);
  });
});
