import type { ChatterError, Room, RoomSummary } from '@chatter/client';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useChatter } from './provider.js';
import { registryOf, toChatterError } from './room-registry.js';

/**
 * One room of {@link useUnreadCounts}.
 *
 * @example
 * ```tsx
 * const badge = ({ room, unread }: RoomUnread) => (unread > 0 ? `${room} (${unread})` : room);
 * ```
 */
export interface RoomUnread {
  room: string;
  /** Messages after `readSeq` that others wrote and nobody deleted. */
  unread: number;
  /** How far this user has read the room. */
  readSeq: number;
  /**
   * Joined by this client, so `unread` moves live; otherwise it is the server's count as of the
   * last `refresh` (the server sends a room's messages only to those who joined it).
   */
  live: boolean;
}

/**
 * Options of {@link useUnreadCounts}.
 *
 * @example
 * ```tsx
 * const { rooms } = useUnreadCounts({ joinRooms: true } satisfies UnreadCountsOptions);
 * ```
 */
export interface UnreadCountsOptions {
  /** Join every room of the list (and keep it joined) so that every count moves live. */
  joinRooms?: boolean;
}

/**
 * What {@link useUnreadCounts} returns.
 *
 * @example
 * ```tsx
 * const { total }: UnreadCountsResult = useUnreadCounts();
 * ```
 */
export interface UnreadCountsResult {
  /** The user's rooms, as the server lists them on every device, then any other joined here. */
  rooms: readonly RoomUnread[];
  /** The sum of `unread`. */
  total: number;
  /** The first list is still on its way. */
  loading: boolean;
  /** Why the last `chat.rooms()` failed; `null` once one succeeds. */
  error: ChatterError | null;
  /** Asks the server for the list again (done by itself on each reconnection, join and leave). */
  refresh(): void;
}

interface Listed {
  summaries: readonly RoomSummary[];
  loading: boolean;
  error: ChatterError | null;
}

/** What the joined rooms' counts are now, as one string: equal strings, equal counts. */
const countsKey = (rooms: readonly Room[]) =>
  rooms.map((room) => `${room.name} ${room.readSeq} ${room.unreadCount}`).join('\n');

/**
 * The user's rooms with their unread counts: the server's list (`chat.rooms()`, the same on
 * every device), with the counts of the rooms this client has joined kept live (new messages,
 * `markRead` here or on another device). Re-renders only when a count or the list changes.
 *
 * @example
 * ```tsx
 * const RoomList = ({ open }: { open: (room: string) => void }) => {
 *   const { rooms } = useUnreadCounts({ joinRooms: true });
 *   return (
 *     <ul>
 *       {rooms.map(({ room, unread }) => (
 *         <li key={room}>
 *           <button onClick={() => open(room)}>{room}</button> {unread > 0 && <b>{unread}</b>}
 *         </li>
 *       ))}
 *     </ul>
 *   );
 * };
 * ```
 */
export const useUnreadCounts = (options: UnreadCountsOptions = {}): UnreadCountsResult => {
  const chat = useChatter();
  const registry = registryOf(chat);
  const [listed, setListed] = useState<Listed>({ summaries: [], loading: true, error: null });
  const [asked, setAsked] = useState(0);
  const refresh = useCallback(() => setAsked((count) => count + 1), []);

  useEffect(() => {
    void asked;
    let active = true;
    let latest = 0;
    const inFlight = new AbortController();
    const list = () => {
      const request = ++latest;
      chat.rooms({ signal: inFlight.signal }).then(
        (summaries) => {
          if (active && request === latest) setListed({ summaries, loading: false, error: null });
        },
        (error: unknown) => {
          if (active && request === latest) {
            setListed((previous) => ({
              ...previous,
              loading: false,
              error: toChatterError(error),
            }));
          }
        },
      );
    };
    const offStatus = chat.on('status', (status) => {
      if (status === 'connected') list();
    });
    const offRooms = registry.onRoomsChanged(list);
    list();
    return () => {
      active = false;
      inFlight.abort();
      offStatus();
      offRooms();
    };
  }, [chat, registry, asked]);

  const joinRooms = options.joinRooms ?? false;
  const names = listed.summaries.map((summary) => summary.room).join('\n');
  useEffect(() => {
    if (!joinRooms || names === '') return;
    const releases = names.split('\n').map((name) => registry.acquire(name, false));
    return () => {
      for (const release of releases) release();
    };
  }, [joinRooms, names, registry]);

  // Every joined room's `change`, re-subscribed when the client joins or leaves a room (its
  // `joinedRooms` is a new array then, reported by its own `change` event).
  const subscribe = useCallback(
    (changed: () => void) => {
      let watched: readonly Room[] = [];
      let offs: Array<() => void> = [];
      const watch = () => {
        watched = chat.joinedRooms;
        for (const off of offs) off();
        offs = watched.map((room) => room.on('change', changed));
      };
      watch();
      const offClient = chat.on('change', () => {
        if (chat.joinedRooms === watched) return;
        watch();
        changed();
      });
      return () => {
        offClient();
        for (const off of offs) off();
      };
    },
    [chat],
  );
  const read = () => countsKey(chat.joinedRooms);
  const live = useSyncExternalStore(subscribe, read, read);

  return useMemo(() => {
    void live;
    const joined = new Map(chat.joinedRooms.map((room) => [room.name, room]));
    const rooms: RoomUnread[] = listed.summaries.map((summary) => {
      const room = joined.get(summary.room);
      joined.delete(summary.room);
      return room
        ? { room: summary.room, unread: room.unreadCount, readSeq: room.readSeq, live: true }
        : { room: summary.room, unread: summary.unread, readSeq: summary.readSeq, live: false };
    });
    for (const room of joined.values()) {
      rooms.push({ room: room.name, unread: room.unreadCount, readSeq: room.readSeq, live: true });
    }
    const total = rooms.reduce((sum, room) => sum + room.unread, 0);
    return { rooms, total, loading: listed.loading, error: listed.error, refresh };
  }, [chat, listed, live, refresh]);
};
