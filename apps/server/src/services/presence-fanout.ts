import type { Presence } from '@chatter/protocol';

/**
 * Coalesces presence updates per room, so seating N people in a room costs O(N) frames, not one
 * broadcast to the whole room per arrival (N²/2). The first update for a quiet room goes out at
 * once; updates that follow within `windowMs` wait for the window to end and go out together,
 * one frame per member, the latest update per user winning.
 */
export class PresenceFanout {
  readonly #windowMs: number;
  readonly #deliver: (room: string, updates: Presence[]) => void;
  /** Rooms inside a window, with the updates waiting for its end (latest per user). */
  readonly #windows = new Map<string, { timer: NodeJS.Timeout; waiting: Map<string, Presence> }>();

  constructor(windowMs: number, deliver: (room: string, updates: Presence[]) => void) {
    this.#windowMs = windowMs;
    this.#deliver = deliver;
  }

  publish(presence: Presence, rooms: Iterable<string>): void {
    for (const room of rooms) {
      const window = this.#windows.get(room);
      if (window) {
        // Re-inserted so the batch keeps the order in which users last changed.
        window.waiting.delete(presence.user.id);
        window.waiting.set(presence.user.id, presence);
        continue;
      }
      this.#deliver(room, [presence]);
      this.#openWindow(room);
    }
  }

  /** Delivers whatever is waiting and stops the timers. */
  close(): void {
    for (const [room, { timer, waiting }] of this.#windows) {
      clearTimeout(timer);
      if (waiting.size > 0) this.#deliver(room, [...waiting.values()]);
    }
    this.#windows.clear();
  }

  #openWindow(room: string): void {
    const waiting = new Map<string, Presence>();
    const timer = setTimeout(() => {
      this.#windows.delete(room);
      if (waiting.size === 0) return;
      this.#deliver(room, [...waiting.values()]);
      this.#openWindow(room);
    }, this.#windowMs);
    timer.unref();
    this.#windows.set(room, { timer, waiting });
  }
}
