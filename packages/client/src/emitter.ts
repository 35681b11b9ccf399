/** An event map: each event name to its listener's argument. */
// biome-ignore lint/suspicious/noExplicitAny: any lets interfaces without an index signature qualify
export type EventMap = { [event: string]: any };

/**
 * A listener for one event of an {@link EventMap}.
 *
 * @example
 * ```ts
 * const log: Listener<Message> = (message) => console.log(message.text);
 * ```
 */
export type Listener<T> = (value: T) => void;

/**
 * A small typed emitter. A listener that throws does not stop the others or the SDK: its error is
 * rethrown on a fresh task, where the host reports it as an uncaught error.
 */
export class Emitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<E extends keyof Events>(event: E, listener: Listener<Events[E]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    // Wrapped so that adding the same function twice makes two subscriptions, each removable.
    const entry: Listener<Events[E]> = (value) => listener(value);
    set.add(entry as Listener<never>);
    return () => {
      set.delete(entry as Listener<never>);
    };
  }

  emit<E extends keyof Events>(event: E, value: Events[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set] as Listener<Events[E]>[]) {
      try {
        listener(value);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  clear(): void {
    this.#listeners.clear();
  }
}
