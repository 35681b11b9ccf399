import type {
  ChatterError,
  Message,
  PendingMessage,
  Room,
  SendOptions,
  User,
} from '@chatter/client';
import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { useChatter } from './provider.js';
import { registryOf } from './room-registry.js';
import { useRoomValue } from './room-store.js';

const NO_MESSAGES: readonly Message[] = Object.freeze([]);
const NO_PENDING: readonly PendingMessage[] = Object.freeze([]);
const NO_USERS: readonly User[] = Object.freeze([]);

/**
 * Options of {@link useRoom}.
 *
 * @example
 * ```tsx
 * const { messages } = useRoom('support', { leaveOnUnmount: true } satisfies UseRoomOptions);
 * ```
 */
export interface UseRoomOptions {
  /**
   * Leave the room (on the server too, which takes it off the user's room list on every device)
   * once no mounted component uses it. Default `false`: the room stays joined, so its unread
   * count stays live and coming back to it is instant. With several components on one room,
   * the last one to let go decides.
   */
  leaveOnUnmount?: boolean;
}

/**
 * What {@link useRoom} returns. The arrays are the SDK's own (the same array until the room
 * changes), so they can go straight into `useMemo` dependencies or `memo` props.
 *
 * @example
 * ```tsx
 * const { messages, pending, send }: UseRoomResult = useRoom('general');
 * ```
 */
export interface UseRoomResult {
  /** The joined room, `null` until the join has caught up (for the SDK's other calls). */
  room: Room | null;
  /** Ordered by `seq`, each message in its latest state; empty until joined. */
  messages: readonly Message[];
  /** This user's messages and changes in the room not applied yet (`queued`, `sending`, `failed`). */
  pending: readonly PendingMessage[];
  /** Who else is typing. */
  typingUsers: readonly User[];
  /** Older messages exist before `messages[0]` (`loadOlder` reads them). */
  hasMore: boolean;
  /** A `loadOlder` page is on its way. */
  loadingOlder: boolean;
  /** Why the join (or the last `loadOlder`) failed; `null` while all is well. */
  error: ChatterError | null;
  /**
   * Sends `text` (waiting for the join first if needed); resolves with the stored message. See
   * `Room.send`: it survives disconnects and shows in `pending` until stored.
   */
  send(text: string, options?: SendOptions): Promise<Message>;
  /** Reads the page before `messages[0]` into `messages`. Never rejects: failures go to `error`. */
  loadOlder(): Promise<void>;
  /** Tells the room whether this user is typing (call it on every keystroke; it is throttled). */
  typing(isTyping: boolean): void;
}

/**
 * Joins `name` on mount (and when `name` changes) and keeps the component in step with it:
 * messages, pending sends, typing, older history. Components using the same room share one join.
 * By default the room stays joined on unmount (see {@link UseRoomOptions.leaveOnUnmount}).
 *
 * @example
 * ```tsx
 * const General = () => {
 *   const { messages, pending, send, loadOlder, hasMore, error } = useRoom('general');
 *   if (error) return <p role="alert">{error.message}</p>;
 *   return (
 *     <>
 *       {hasMore && <button onClick={() => loadOlder()}>Older</button>}
 *       <ul>{messages.map((m) => <li key={m.id}>{m.author.name}: {m.text}</li>)}</ul>
 *       {pending.length > 0 && <p>{pending.length} sending…</p>}
 *       <button onClick={() => send('hello')}>Say hello</button>
 *     </>
 *   );
 * };
 * ```
 */
export const useRoom = (name: string, options: UseRoomOptions = {}): UseRoomResult => {
  const chat = useChatter();
  const registry = registryOf(chat);
  const leaveOnUnmount = options.leaveOnUnmount ?? false;

  const subscribe = useCallback(
    (changed: () => void) => registry.subscribe(name, changed),
    [registry, name],
  );
  const read = () => registry.state(name);
  const { room, error, loadingOlder } = useSyncExternalStore(subscribe, read, read);

  useEffect(() => registry.acquire(name, leaveOnUnmount), [registry, name, leaveOnUnmount]);

  const messages = useRoomValue(room, (joined) => joined.messages, NO_MESSAGES);
  const pending = useRoomValue(room, (joined) => joined.pending, NO_PENDING);
  const typingUsers = useRoomValue(room, (joined) => joined.typingUsers, NO_USERS);
  const hasMore = useRoomValue(room, (joined) => joined.hasMoreHistory, false);

  const send = useCallback(
    (text: string, sendOptions?: SendOptions) =>
      registry.joined(name).then((joined) => joined.send(text, sendOptions)),
    [registry, name],
  );
  const loadOlder = useCallback(() => registry.loadOlder(name), [registry, name]);
  const typing = useCallback((isTyping: boolean) => room?.typing(isTyping), [room]);

  return useMemo(
    () => ({
      room,
      messages,
      pending,
      typingUsers,
      hasMore,
      loadingOlder,
      error,
      send,
      loadOlder,
      typing,
    }),
    [room, messages, pending, typingUsers, hasMore, loadingOlder, error, send, loadOlder, typing],
  );
};
