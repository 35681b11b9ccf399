import type { TypingEvent, User } from '@chatter/protocol';

const keyOf = (room: string, userId: string) => `${room}\u0000${userId}`;

/**
 * Typing indicators that end by themselves: `typing: true` starts (or extends) one, and it ends
 * `timeoutMs` after the last `true` unless a `false`, a leave or a disconnect ends it sooner.
 * Only changes are published, so a client may repeat `true` on every keystroke.
 */
export class TypingTracker {
  private readonly active = new Map<string, { room: string; user: User; timer: NodeJS.Timeout }>();

  constructor(
    private readonly timeoutMs: number,
    private readonly publish: (event: TypingEvent) => void,
  ) {}

  set(room: string, user: User, typing: boolean): void {
    const key = keyOf(room, user.id);
    const current = this.active.get(key);
    if (!typing) {
      if (current) this.stop(key);
      return;
    }
    if (current) {
      current.timer.refresh();
      return;
    }
    const timer = setTimeout(() => this.stop(key), this.timeoutMs);
    timer.unref();
    this.active.set(key, { room, user, timer });
    this.publish({ room, user, typing: true });
  }

  /** Ends the user's typing in the given rooms, e.g. when their connection leaves them. */
  stopUser(userId: string, rooms: Iterable<string>): void {
    for (const room of rooms) {
      const key = keyOf(room, userId);
      if (this.active.has(key)) this.stop(key);
    }
  }

  close(): void {
    for (const { timer } of this.active.values()) clearTimeout(timer);
    this.active.clear();
  }

  private stop(key: string): void {
    const current = this.active.get(key);
    if (!current) return;
    clearTimeout(current.timer);
    this.active.delete(key);
    this.publish({ room: current.room, user: current.user, typing: false });
  }
}
