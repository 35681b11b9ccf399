/**
 * Runs `onExpire` for each item once its time has come, to the second, with one timer for all
 * of them: a timer per connection costs a Timeout and a timer list for as long as the token
 * lives (days for guests), even after the connection closed. Items are kept in one bucket per
 * second; each tick empties the buckets whose second has passed.
 */
export class ExpiryWheel<Item> {
  readonly #buckets = new Map<number, Set<Item>>();
  readonly #bucketOf = new Map<Item, number>();
  readonly #onExpire: (item: Item) => void;
  readonly #timer: NodeJS.Timeout;
  #nextSecond = Math.floor(Date.now() / 1000);

  constructor(onExpire: (item: Item) => void, tickMs = 1000) {
    this.#onExpire = onExpire;
    this.#timer = setInterval(() => this.#tick(), tickMs);
    this.#timer.unref();
  }

  /** Expires `item` at `atMs` (milliseconds since the epoch); an earlier time expires it soon. */
  add(item: Item, atMs: number): void {
    this.delete(item);
    const second = Math.max(Math.ceil(atMs / 1000), this.#nextSecond);
    let bucket = this.#buckets.get(second);
    if (!bucket) {
      bucket = new Set();
      this.#buckets.set(second, bucket);
    }
    bucket.add(item);
    this.#bucketOf.set(item, second);
  }

  delete(item: Item): void {
    const second = this.#bucketOf.get(item);
    if (second === undefined) return;
    this.#bucketOf.delete(item);
    const bucket = this.#buckets.get(second);
    bucket?.delete(item);
    if (bucket?.size === 0) this.#buckets.delete(second);
  }

  get size(): number {
    return this.#bucketOf.size;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#buckets.clear();
    this.#bucketOf.clear();
  }

  #tick(): void {
    const now = Math.floor(Date.now() / 1000);
    // Every second since the last tick, so a late timer skips nothing.
    for (; this.#nextSecond <= now; this.#nextSecond++) {
      const bucket = this.#buckets.get(this.#nextSecond);
      if (!bucket) continue;
      this.#buckets.delete(this.#nextSecond);
      for (const item of bucket) {
        this.#bucketOf.delete(item);
        this.#onExpire(item);
      }
    }
  }
}
