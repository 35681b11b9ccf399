import type { ChatterClient } from '@chatter/client';
import type { Presence, PresenceStatus } from '@chatter/protocol';

/** How long ids wanted by the UI are gathered before one status query asks for them. */
const LOOKUP_BATCH_MS = 200;

export interface Person {
  id: string;
  name: string;
  status: PresenceStatus;
  lastSeen: string | null;
}

const STATUS_ORDER: Record<PresenceStatus, number> = { online: 0, away: 1, offline: 2 };

const byPresence = (a: Person, b: Person): number =>
  STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
  (a.status === 'offline' ? (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '') : 0) ||
  a.name.localeCompare(b.name);

/**
 * Everyone this person has come across (authors, readers, people online) with their presence.
 * Unknown ids are looked up in batches; the whole list is re-read on `refresh`.
 */
export class PeopleDirectory {
  readonly #chat: ChatterClient;
  readonly #selfId: string;
  readonly #changed: () => void;
  readonly #people = new Map<string, Person>();
  readonly #unknown = new Set<string>();
  #lookupTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(chat: ChatterClient, selfId: string, changed: () => void) {
    this.#chat = chat;
    this.#selfId = selfId;
    this.#changed = changed;
  }

  /** This person first, then online, away, and offline by when they were last seen. */
  get all(): Person[] {
    const everyone = [...this.#people.values()].sort(byPresence);
    const self = everyone.findIndex((person) => person.id === this.#selfId);
    if (self > 0) everyone.unshift(...everyone.splice(self, 1));
    return everyone;
  }

  get(id: string): Person | undefined {
    return this.#people.get(id);
  }

  /** Takes a presence event from the server. */
  presence({ user, status, lastSeen }: Presence): void {
    this.#people.set(user.id, { id: user.id, name: user.name, status, lastSeen });
    this.#changed();
  }

  /** Asks for the people among `ids` not known yet, a batch at a time. */
  want(ids: Iterable<string>): void {
    for (const id of ids) if (!this.#people.has(id)) this.#unknown.add(id);
    if (this.#unknown.size === 0 || this.#lookupTimer !== undefined || this.#closed) return;
    this.#lookupTimer = setTimeout(async () => {
      this.#lookupTimer = undefined;
      const ids = [...this.#unknown].filter((id) => !this.#people.has(id));
      this.#unknown.clear();
      if (ids.length === 0) return;
      try {
        this.#apply(await this.#chat.status(ids));
      } catch {
        // Offline, most likely; the refresh after the next connection covers these people.
        for (const id of ids) this.#unknown.add(id);
      }
    }, LOOKUP_BATCH_MS);
  }

  /** Online users from the server, then everyone else we know of, for their last-seen times. */
  async refresh(): Promise<void> {
    try {
      const online = await this.#chat.status();
      this.#apply(online);
      const onlineIds = new Set(online.map(({ user }) => user.id));
      const others = [...new Set([...this.#people.keys(), ...this.#unknown])].filter(
        (id) => !onlineIds.has(id),
      );
      this.#unknown.clear();
      if (others.length > 0) this.#apply(await this.#chat.status(others));
    } catch {
      // The next connection or refresh tries again; the list keeps what it knew.
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#lookupTimer);
  }

  #apply(presences: readonly Presence[]): void {
    if (this.#closed) return;
    for (const { user, status, lastSeen } of presences) {
      this.#people.set(user.id, { id: user.id, name: user.name, status, lastSeen });
    }
    this.#changed();
  }
}
