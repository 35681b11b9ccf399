import { LIMITS, type TypingEvent, type User } from '@chatter/protocol';

interface Indicator {
  user: User;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * Who is typing in one room, as heard from the server. Each indicator ends after
 * `LIMITS.typingIndicatorTtlMs` without a `typing: true` for it, so one that nobody ends (the
 * server that relayed it died) still goes away; servers repeat `true` well within that time
 * while someone keeps typing.
 */
export class TypingIndicators {
  readonly #room: string;
  readonly #expired: (event: TypingEvent) => void;
  readonly #shown = new Map<string, Indicator>();
  /** `users`, until someone starts or stops. */
  #users: readonly User[] | undefined;

  /** `expired` hears the stop of an indicator that ran out, as if the server had sent it. */
  constructor(room: string, expired: (event: TypingEvent) => void) {
    this.#room = room;
    this.#expired = expired;
  }

  /** The same array until someone starts or stops. */
  get users(): readonly User[] {
    this.#users ??= Object.freeze([...this.#shown.values()].map((indicator) => indicator.user));
    return this.#users;
  }

  get size(): number {
    return this.#shown.size;
  }

  /**
   * Applies a `typing` event; returns whether the users shown changed. A repeated `true` only
   * extends its indicator: servers repeat it every few seconds, and a UI must not see that.
   */
  heard(event: TypingEvent): boolean {
    const { user } = event;
    const shown = this.#shown.get(user.id);
    if (!event.typing) {
      if (!shown) return false;
      clearTimeout(shown.timer);
      this.#shown.delete(user.id);
      this.#users = undefined;
      return true;
    }
    if (shown) clearTimeout(shown.timer);
    this.#shown.set(user.id, { user, timer: this.#expiry(user) });
    const changed = shown?.user.name !== user.name;
    if (changed) this.#users = undefined;
    return changed;
  }

  /** Forgets every indicator, silently (a lost connection or a left room). */
  clear(): void {
    for (const { timer } of this.#shown.values()) clearTimeout(timer);
    this.#shown.clear();
    this.#users = undefined;
  }

  #expiry(user: User): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.#shown.delete(user.id);
      this.#users = undefined;
      this.#expired({ room: this.#room, user, typing: false });
    }, LIMITS.typingIndicatorTtlMs);
    // In Node, a pending timer keeps the process alive; an indicator is no reason to. Browsers
    // return a number, with nothing to unref.
    (timer as unknown as { unref?: () => void }).unref?.();
    return timer;
  }
}
