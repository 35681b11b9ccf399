/**
 * Collects work per key and hands it over in batches: while a batch for a key is being
 * processed, new items for that key wait, and all of them form the next batch. Keys are
 * independent. `process` settles each item of the batch it is given, in order.
 */
export class KeyedBatches<Item, Result> {
  readonly #queues = new Map<string, Array<{ item: Item; settle: Settle<Result> }>>();
  readonly #busy = new Set<string>();

  constructor(
    private readonly process: (
      key: string,
      items: Item[],
    ) => Promise<Array<PromiseSettledResult<Result>>>,
    private readonly maxBatch = 1000,
  ) {}

  run(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const queue = this.#queues.get(key) ?? [];
      queue.push({ item, settle: { resolve, reject } });
      this.#queues.set(key, queue);
      if (!this.#busy.has(key)) void this.#drain(key);
    });
  }

  async #drain(key: string): Promise<void> {
    this.#busy.add(key);
    for (;;) {
      const queue = this.#queues.get(key);
      if (!queue || queue.length === 0) break;
      const batch = queue.splice(0, this.maxBatch);
      try {
        const results = await this.process(
          key,
          batch.map(({ item }) => item),
        );
        batch.forEach(({ settle }, i) => {
          const result = results[i];
          if (result?.status === 'fulfilled') settle.resolve(result.value);
          else settle.reject(result ? result.reason : new Error('no result for this item'));
        });
      } catch (error) {
        for (const { settle } of batch) settle.reject(error);
      }
    }
    this.#queues.delete(key);
    this.#busy.delete(key);
  }
}

interface Settle<Result> {
  resolve: (value: Result) => void;
  reject: (reason: unknown) => void;
}
