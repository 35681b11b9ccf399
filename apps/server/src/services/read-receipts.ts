import type { ReadReceipt } from '@chatter/protocol';

/**
 * Gathers read receipts per room, so a room whose people read all the time gets one `receipts`
 * event per `intervalMs` (`LIMITS.readReceiptsIntervalMs`) rather than one per read. The first
 * receipt for a quiet room goes out at once; those that follow within the interval wait for its
 * end and go out together, the furthest position per user. A room is kept only while it has a
 * window open: at most one timer and one map of waiting receipts per room with recent readers,
 * each map no larger than the number of people who read there within one interval.
 *
 * Each node gathers the reads made through it, so in a cluster a room may get one event per node
 * and interval.
 */
export class ReadReceiptFanout {
  readonly #intervalMs: number;
  readonly #deliver: (room: string, reads: ReadReceipt[]) => void;
  /** Rooms inside a window, with the receipts waiting for its end (user id → furthest seq). */
  readonly #windows = new Map<string, { timer: NodeJS.Timeout; waiting: Map<string, number> }>();

  constructor(intervalMs: number, deliver: (room: string, reads: ReadReceipt[]) => void) {
    this.#intervalMs = intervalMs;
    this.#deliver = deliver;
  }

  /** `userId` has read `room` up to `seq`. */
  publish(room: string, { userId, seq }: ReadReceipt): void {
    const window = this.#windows.get(room);
    if (!window) {
      this.#deliver(room, [{ userId, seq }]);
      this.#openWindow(room);
      return;
    }
    const waiting = window.waiting.get(userId);
    if (waiting === undefined || waiting < seq) window.waiting.set(userId, seq);
  }

  /** Stops the timers; receipts still waiting are dropped (the server is going away). */
  close(): void {
    for (const { timer } of this.#windows.values()) clearTimeout(timer);
    this.#windows.clear();
  }

  #openWindow(room: string): void {
    const waiting = new Map<string, number>();
    const timer = setTimeout(() => {
      this.#windows.delete(room);
      if (waiting.size === 0) return;
      this.#deliver(
        room,
        [...waiting].map(([userId, seq]) => ({ userId, seq })),
      );
      this.#openWindow(room);
    }, this.#intervalMs);
    timer.unref();
    this.#windows.set(room, { timer, waiting });
  }
}
