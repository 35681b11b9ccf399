import type { RoomEntry } from './room-entries';

/**
 * How far this person has read, as the server keeps it: the same on every device they use.
 * Unread counts come from the joined room (which the server keeps up to date, including when
 * another device reads), or from the room list before the room has joined.
 */
export class ReadTracker {
  /** The `seq` each room was last asked to be read up to, so a render does not ask twice. */
  readonly #asked = new Map<string, number>();

  /** Messages from others after the read position. */
  unread(entry: RoomEntry): number {
    return entry.room ? entry.room.unreadCount : (entry.summary?.unread ?? 0);
  }

  /** The `seq` read up to: the "New messages" divider goes after it. */
  readSeq(entry: RoomEntry): number {
    return entry.room ? entry.room.readSeq : (entry.summary?.readSeq ?? 0);
  }

  /** Everything loaded in the room, up to its newest message, has been seen. */
  markRead(entry: RoomEntry): void {
    const room = entry.room;
    const newest = room?.messages.at(-1);
    if (!room || !newest) return;
    if (room.readSeq >= newest.seq && room.unreadCount === 0) return;
    if ((this.#asked.get(entry.name) ?? 0) >= newest.seq) return;
    this.#asked.set(entry.name, newest.seq);
    room.markRead(newest.seq).catch(() => {
      // Not recorded (offline, most likely): the next render that sees the room asks again.
      if (this.#asked.get(entry.name) === newest.seq) this.#asked.delete(entry.name);
    });
  }

  /** The room's positions start again (its history was replaced, or it was left). */
  forget(name: string): void {
    this.#asked.delete(name);
  }
}
