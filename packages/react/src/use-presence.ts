import type { ChatterError, Presence } from '@chatter/client';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useChatter } from './provider.js';
import { toChatterError } from './room-registry.js';

/**
 * What {@link usePresence} returns.
 *
 * @example
 * ```tsx
 * const { presence }: PresenceResult = usePresence([userId]);
 * const online = presence.get(userId)?.status === 'online';
 * ```
 */
export interface PresenceResult {
  /** By user id: the users asked for (offline ones included), or everyone online. */
  presence: ReadonlyMap<string, Presence>;
  /** The first answer of the server is still on its way. */
  loading: boolean;
  /** Why the last status request failed; `null` once one succeeds. */
  error: ChatterError | null;
  /** Asks the server again (done by itself on every reconnection). */
  refresh(): void;
}

interface State {
  key: string | undefined;
  presence: ReadonlyMap<string, Presence>;
  loading: boolean;
  error: ChatterError | null;
}

const EMPTY: ReadonlyMap<string, Presence> = new Map();

/**
 * The presence of `userIds` (online, away or offline with `lastSeen`), or of everyone online
 * when omitted: the server's answer (`chat.status`), then kept up to date by `presence` events
 * (which come for people who share a room with this user) and asked again on each reconnection.
 * A new array with the same ids is fine: the ids are compared by value.
 *
 * @example
 * ```tsx
 * const Online = () => {
 *   const { presence } = usePresence();
 *   return <p>{[...presence.values()].map((p) => p.user.name).join(', ')} online</p>;
 * };
 * ```
 */
export const usePresence = (userIds?: readonly string[]): PresenceResult => {
  const chat = useChatter();
  const key = userIds?.join('\n');
  const [state, setState] = useState<State>(() => initial(key));
  const [asked, setAsked] = useState(0);
  const refresh = useCallback(() => setAsked((count) => count + 1), []);

  useEffect(() => {
    // `asked` is read so that `refresh` runs this again.
    void asked;
    const ids = key === undefined ? undefined : key === '' ? [] : key.split('\n');
    let active = true;
    const inFlight = new AbortController();
    // Ids an event told about while a request was on its way: the event is newer.
    let heard = new Set<string>();
    const fetchStatus = () => {
      heard = new Set();
      const since = heard;
      chat.status(ids, { signal: inFlight.signal }).then(
        (list) => {
          if (!active) return;
          setState((previous) => {
            const presence = new Map(list.map((each) => [each.user.id, each]));
            for (const id of since) {
              const newer = previous.presence.get(id);
              if (newer) presence.set(id, newer);
              else presence.delete(id);
            }
            return { key, presence, loading: false, error: null };
          });
        },
        (error: unknown) => {
          if (active)
            setState((previous) => ({ ...previous, loading: false, error: toChatterError(error) }));
        },
      );
    };
    const offPresence = chat.on('presence', (event) => {
      const id = event.user.id;
      if (ids && !ids.includes(id)) return;
      heard.add(id);
      setState((previous) => {
        const presence = new Map(previous.key === key ? previous.presence : EMPTY);
        // Without ids the map holds who is online or away: someone gone offline leaves it.
        if (!ids && event.status === 'offline') presence.delete(id);
        else presence.set(id, event);
        return { ...previous, key, presence };
      });
    });
    const offStatus = chat.on('status', (status) => {
      if (status === 'connected') fetchStatus();
    });
    fetchStatus();
    return () => {
      active = false;
      inFlight.abort();
      offPresence();
      offStatus();
    };
  }, [chat, key, asked]);

  const current = state.key === key ? state : initial(key);
  return useMemo(
    () => ({ presence: current.presence, loading: current.loading, error: current.error, refresh }),
    [current.presence, current.loading, current.error, refresh],
  );
};

const initial = (key: string | undefined): State => ({
  key,
  presence: EMPTY,
  loading: true,
  error: null,
});
