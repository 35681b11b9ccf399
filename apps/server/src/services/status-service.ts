import type { Presence } from '@chatter/protocol';
import type { ChatStore } from '../store/chat-store.js';
import type { AccessPolicy } from './access-policy.js';
import type { AuthUser } from './auth-service.js';
import type { LastSeenRecorder } from './last-seen-recorder.js';
import type { PresenceTracker, PresenceView } from './presence-service.js';

/**
 * Who is online, away or offline, told only about users who share a room the caller may use:
 * a room the user is in now, or was in when they went offline. A user whose rooms are unknown
 * (offline since before this process started) shares a room only with callers who may use every
 * room, since those could join any room and see them there.
 */
export class StatusService {
  readonly #presence: PresenceTracker;
  readonly #lastSeen: LastSeenRecorder;
  readonly #store: ChatStore;
  readonly #policy: AccessPolicy;

  constructor(deps: {
    presence: PresenceTracker;
    lastSeen: LastSeenRecorder;
    store: ChatStore;
    policy: AccessPolicy;
  }) {
    this.#presence = deps.presence;
    this.#lastSeen = deps.lastSeen;
    this.#store = deps.store;
    this.#policy = deps.policy;
  }

  /** Everyone online or away whom the caller may see. */
  async listOnline(caller: AuthUser): Promise<Presence[]> {
    return (await this.#presence.listOnline())
      .filter((view) => this.#mayKnowAbout(caller, view.presence.user.id, view, undefined, true))
      .map((view) => view.presence);
  }

  /** The status of each of `userIds` the caller may see; the others are left out, as unknown. */
  async lookUp(caller: AuthUser, userIds: readonly string[]): Promise<Presence[]> {
    const asked = [...new Set(userIds)];
    const live = await this.#presence.lookUp(asked);
    const lastRooms = await this.#presence.lastRoomsOf(asked.filter((id) => !live.has(id)));
    const visible = asked.filter((id) =>
      this.#mayKnowAbout(caller, id, live.get(id), lastRooms.get(id), false),
    );
    const notLive = visible.filter((id) => !live.has(id) && !this.#lastSeen.pending(id));
    const stored = new Map((await this.#store.getUsers(notLive)).map((user) => [user.id, user]));
    return visible.flatMap((id): Presence[] => {
      const view = live.get(id);
      if (view) return [view.presence];
      // A time not written yet is newer than the stored one.
      const known = this.#lastSeen.pending(id) ?? stored.get(id);
      return known
        ? [{ user: { id, name: known.name }, status: 'offline', lastSeen: known.lastSeen }]
        : [];
    });
  }

  /** `listing`: the caller asked for everyone online, so only users in a room now count. */
  #mayKnowAbout(
    caller: AuthUser,
    userId: string,
    live: PresenceView | undefined,
    last: readonly string[] | undefined,
    listing: boolean,
  ): boolean {
    if (userId === caller.id) return true;
    const current = live?.rooms ?? [];
    const rooms = current.length > 0 || listing ? current : (last ?? []);
    for (const room of rooms) {
      if (this.#policy.decide(caller, 'read', room).allowed) return true;
    }
    const roomsUnknown = !listing && current.length === 0 && last === undefined;
    return roomsUnknown && this.#policy.mayUseEveryRoom(caller);
  }
}
