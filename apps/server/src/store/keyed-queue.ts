/**
 * Runs tasks one at a time per key, in the order they were queued; tasks under different keys
 * run concurrently. A task that fails does not stop the ones queued after it.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    // Forget the key once its last task is done, so the map only holds busy keys.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** How many keys have tasks queued or running. */
  get busyKeys(): number {
    return this.tails.size;
  }
}
