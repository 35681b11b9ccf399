import type { TypingEvent, User } from '@chatter/protocol';

const keyOf = (room: string, userId: string) => `${room}\u0000${userId}`;

interface Indicator {
  room: string;
  user: User;
  /** What the room was last told. */
  shown: boolean;
  /** What the user said last; while not shown, relayed when the relay interval ends. */
  wanted: boolean;
  /** When the room was last told that this user started typing. */
  startedAt: number;
  /** When the room was last told that this user is typing (a start or a repeat). */
  relayedAt: number;
  /** While shown: the expiry. While not: the end of the relay interval since the last start. */
  timer: NodeJS.Timeout;
}

export interface TypingOptions {
  /** An indicator ends this long after the last `typing: true`. */
  timeoutMs: number;
  /** A user's start in a room is relayed at most once per interval. */
  relayIntervalMs: number;
  /**
   * A continuing indicator (more `typing: true`) is relayed again this often, so clients, which
   * end an indicator they have not heard repeated, keep showing it. Clients end it by themselves
   * when the server that relayed it dies without relaying the stop.
   */
  repeatMs: number;
}

/**
 * Typing indicators that end by themselves: `typing: true` starts (or extends) one, and it ends
 * `timeoutMs` after the last `true` unless a `false`, a leave or a disconnect ends it sooner.
 * Only changes are published, and a continuing indicator every `repeatMs`, so a client may
 * repeat `true` on every keystroke.
 *
 * A stop is relayed at once, so indicators end promptly; a start only once per
 * `relayIntervalMs` per user and room. A start within the interval after the last one waits for
 * its end and is relayed then if the user still says they are typing, so flipping true/false
 * costs each room at most a start and its stop per interval.
 */
export class TypingTracker {
  readonly #indicators = new Map<string, Indicator>();
  readonly #options: TypingOptions;
  readonly #publish: (event: TypingEvent) => void;

  constructor(options: TypingOptions, publish: (event: TypingEvent) => void) {
    this.#options = options;
    this.#publish = publish;
  }

  set(room: string, user: User, typing: boolean): void {
    const key = keyOf(room, user.id);
    const indicator = this.#indicators.get(key);
    if (!indicator) {
      if (typing) this.#start(key, room, user);
      return;
    }
    indicator.wanted = typing;
    if (!indicator.shown) return;
    if (!typing) {
      this.#stop(key, indicator);
      return;
    }
    indicator.timer.refresh();
    const now = performance.now();
    if (now - indicator.relayedAt >= this.#options.repeatMs) {
      indicator.relayedAt = now;
      this.#publish({ room, user: indicator.user, typing: true });
    }
  }

  /** Ends the user's typing in the given rooms, e.g. when their connection leaves them. */
  stopUser(userId: string, rooms: Iterable<string>): void {
    for (const room of rooms) {
      const key = keyOf(room, userId);
      const indicator = this.#indicators.get(key);
      if (!indicator) continue;
      clearTimeout(indicator.timer);
      this.#indicators.delete(key);
      if (indicator.shown) this.#publish({ room, user: indicator.user, typing: false });
    }
  }

  close(): void {
    for (const { timer } of this.#indicators.values()) clearTimeout(timer);
    this.#indicators.clear();
  }

  #start(key: string, room: string, user: User): void {
    const timer = setTimeout(() => this.#expire(key), this.#options.timeoutMs);
    timer.unref();
    this.#indicators.set(key, {
      room,
      user,
      shown: true,
      wanted: true,
      startedAt: performance.now(),
      relayedAt: performance.now(),
      timer,
    });
    this.#publish({ room, user, typing: true });
  }

  #expire(key: string): void {
    const indicator = this.#indicators.get(key);
    if (indicator) this.#stop(key, indicator);
  }

  #stop(key: string, indicator: Indicator): void {
    clearTimeout(indicator.timer);
    indicator.shown = false;
    indicator.wanted = false;
    this.#publish({ room: indicator.room, user: indicator.user, typing: false });
    const rest = indicator.startedAt + this.#options.relayIntervalMs - performance.now();
    if (rest <= 0) {
      this.#indicators.delete(key);
      return;
    }
    // Kept until the interval ends, so a quick restart waits for it.
    indicator.timer = setTimeout(() => this.#intervalEnded(key), rest);
    indicator.timer.unref();
  }

  #intervalEnded(key: string): void {
    const indicator = this.#indicators.get(key);
    if (!indicator) return;
    this.#indicators.delete(key);
    if (indicator.wanted) this.#start(key, indicator.room, indicator.user);
  }
}
