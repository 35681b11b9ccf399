import type { Room } from '@chatter/client';
import { useCallback, useSyncExternalStore } from 'react';

const NOTHING = () => () => undefined;

/**
 * One value of `room` read with `useSyncExternalStore`, read again on every `change` event.
 * `read` must return the same object until the room's `change` event (the SDK's getters do), or
 * React re-renders without end; `fallback` stands while there is no room.
 */
export const useRoomValue = <T>(room: Room | null, read: (room: Room) => T, fallback: T): T => {
  const subscribe = useCallback(
    (changed: () => void) => (room ? room.on('change', changed) : NOTHING()),
    [room],
  );
  const snapshot = () => (room ? read(room) : fallback);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
};
