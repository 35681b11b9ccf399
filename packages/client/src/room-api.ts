import type { HistoryAck, HistoryPayload, Message, TypingEvent, User } from '@chatter/protocol';
import type { Listener } from './emitter.js';
import type { PendingMessage } from './outbox.js';

/**
 * A page of history: oldest first, and whether more lies beyond it in the direction read.
 *
 * @example
 * ```ts
 * const { messages, hasMore }: HistoryPage = await room.history({ limit: 20 });
 * ```
 */
export type HistoryPage = Omit<Extract<HistoryAck, { ok: true }>, 'ok'>;

/**
 * Which page {@link Room.history} reads. With `after`, the oldest `limit` messages after that
 * `seq`; otherwise the newest `limit` before `before` (or before the head). `limit` ≤ 100, or
 * ≤ 1000 (`LIMITS.catchUpPageMaxSize`) on a forward page (`after` without `before`); over REST,
 * while the socket is down, a page holds at most 100 and `hasMore` says whether more follow.
 *
 * @example
 * ```ts
 * const options: HistoryOptions = { before: room.messages[0]?.seq, limit: 50 };
 * ```
 */
export type HistoryOptions = Omit<HistoryPayload, 'room'>;

/**
 * Sent with a room's `reset` event: the server's history of the room was replaced (restored
 * from a backup, say), so the room's messages were reloaded and older `seq`s mean nothing.
 *
 * @example
 * ```ts
 * room.on('reset', ({ previousEpoch }: RoomReset) => console.warn('history replaced', previousEpoch));
 * ```
 */
export interface RoomReset {
  room: string;
  epoch: string;
  previousEpoch: string | null;
}

/**
 * The events of a {@link Room}.
 *
 * - `message`: each message once, in `seq` order, whether it was caught up or live.
 * - `typing`: someone else started or stopped typing in the room, or their indicator ran out
 *   (`LIMITS.typingIndicatorTtlMs` after the last start heard). A repeated start is not reported.
 * - `reset`: the room's history was replaced; `messages` now holds the new history.
 * - `change`: anything a UI shows changed (`messages`, `pending`, `typingUsers`, `hasMoreHistory`).
 *
 * @example
 * ```ts
 * const events: Array<keyof RoomEvents> = ['message', 'typing', 'reset', 'change'];
 * ```
 */
export interface RoomEvents {
  message: Message;
  typing: TypingEvent;
  reset: RoomReset;
  change: undefined;
}

/**
 * A joined room. `messages` is always ordered by `seq` with no duplicates and no gaps; it starts
 * with the newest page and grows with live messages and with older pages read by `history`.
 *
 * @example
 * ```ts
 * const room = await chat.join('general');
 * room.on('message', (message) => console.log(`${message.author.name}: ${message.text}`));
 * const sent = await room.send('hello');
 * const older = await room.history({ before: room.messages[0]?.seq, limit: 50 });
 * ```
 */
export interface Room {
  readonly name: string;
  /** The room history's epoch; `seq` positions are only comparable within one epoch. */
  readonly epoch: string | null;
  readonly messages: readonly Message[];
  /** Whether older messages exist before `messages[0]` (read them with `history`). */
  readonly hasMoreHistory: boolean;
  /** This user's messages to the room that the server has not stored yet, or refused. */
  readonly pending: readonly PendingMessage[];
  /**
   * Who else is typing in the room right now: each until they stop, or for at most
   * `LIMITS.typingIndicatorTtlMs` after the server last said they are typing.
   */
  readonly typingUsers: readonly User[];
  on<E extends keyof RoomEvents>(event: E, listener: Listener<RoomEvents[E]>): () => void;
  /**
   * Queues `text` and resolves with the stored message once the server has it. Survives
   * disconnects and server restarts; rejects only when the server refuses the message for good
   * (validation, authorization) or the client is closed.
   */
  send(text: string): Promise<Message>;
  /** Reads a page of history; a page just older than `messages` is also prepended to it. */
  history(options?: HistoryOptions): Promise<HistoryPage>;
  /** Tells the room whether this user is typing; the server ends it after a few idle seconds. */
  typing(isTyping: boolean): void;
  /** Removes a failed (or not yet sent) message from `pending`; `false` if it is being sent. */
  discard(clientId: string): Promise<boolean>;
  /** Leaves the room; the object stops receiving and its methods reject. */
  leave(): Promise<void>;
}
