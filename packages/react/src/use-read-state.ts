import { ChatterError, type ReadState, type Room } from '@chatter/client';
import { useCallback, useMemo } from 'react';
import { useRoomValue } from './room-store.js';

const NO_POSITIONS: ReadonlyMap<string, number> = new Map();
const NOBODY: readonly string[] = Object.freeze([]);

/**
 * What {@link useReadState} returns.
 *
 * @example
 * ```tsx
 * const { unreadCount, markRead }: ReadStateResult = useReadState(room);
 * ```
 */
export interface ReadStateResult {
  /** How far this user has read the room (its log up to this `seq`); 0 before the join. */
  readSeq: number;
  /** Messages after `readSeq` that others wrote and nobody deleted. */
  unreadCount: number;
  /** How far others have read, by user id. */
  readPositions: ReadonlyMap<string, number>;
  /**
   * Moves the read position to `seq` (default: the newest the room holds), here and on the
   * user's other devices. Rejects before the room is joined.
   */
  markRead(seq?: number): Promise<ReadState>;
  /** The ids of those (the author aside) who have read the message, furthest first. */
  readBy(messageId: string): readonly string[];
}

/**
 * This user's read position and unread count in `room` (from {@link useRoom}), and how far the
 * others have read (read receipts). Re-renders when either moves, also when the user reads on
 * another device.
 *
 * @example
 * ```tsx
 * const SeenBy = ({ room, message }: { room: Room | null; message: Message }) => {
 *   const { readBy } = useReadState(room);
 *   const readers = readBy(message.id);
 *   return readers.length > 0 ? <small>Seen by {readers.length}</small> : null;
 * };
 * ```
 */
export const useReadState = (room: Room | null): ReadStateResult => {
  const readSeq = useRoomValue(room, (joined) => joined.readSeq, 0);
  const unreadCount = useRoomValue(room, (joined) => joined.unreadCount, 0);
  const readPositions = useRoomValue(room, (joined) => joined.readPositions, NO_POSITIONS);
  const markRead = useCallback(
    (seq?: number) =>
      room
        ? room.markRead(seq)
        : Promise.reject(new ChatterError('NOT_FOUND', 'The room is not joined yet')),
    [room],
  );
  // Depends on `readPositions` so that components calling it re-render with new receipts.
  // biome-ignore lint/correctness/useExhaustiveDependencies: readPositions is the trigger.
  const readBy = useCallback(
    (messageId: string) => (room ? room.readBy(messageId) : NOBODY),
    [room, readPositions],
  );
  return useMemo(
    () => ({ readSeq, unreadCount, readPositions, markRead, readBy }),
    [readSeq, unreadCount, readPositions, markRead, readBy],
  );
};
