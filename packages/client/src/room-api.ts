import type {
  AckSuccess,
  HistoryAck,
  HistoryPayload,
  Message,
  TypingEvent,
  User,
} from '@chatter/protocol';
import type { RequestOptions } from './deadline.js';
import type { Listener } from './emitter.js';
import type { MessageChange, ReadState, ReceiptsEvent } from './log-types.js';
import type { PendingMessage } from './outbox.js';

/**
 * A page of history: oldest first, and whether more lies beyond it in the direction read. A
 * forward page (`after`) also holds the `changes` made in its range of the log; a backward page
 * shows its messages in their latest state and has no changes.
 *
 * @example
 * ```ts
 * const { messages, changes, hasMore }: HistoryPage = await room.history({ after: 120 });
 * ```
 */
export type HistoryPage = AckSuccess<HistoryAck>;

/**
 * Options of {@link Room.send}.
 *
 * @example
 * ```ts
 * const options: SendOptions = { replyTo: parent.id };
 * await room.send('Agreed', options);
 * ```
 */
export interface SendOptions {
  /** The id of the message in the same room this one answers (it shows as `replyTo`). */
  replyTo?: string;
}

/**
 * Which page {@link Room.history} reads. With `after`, the oldest `limit` messages after that
 * `seq`; otherwise the newest `limit` before `before` (or before the head). `limit` ≤ 100, or
 * ≤ 1000 (`LIMITS.catchUpPageMaxSize`) on a forward page (`after` without `before`); over REST,
 * while the socket is down, a page holds at most 100 and `hasMore` says whether more follow.
 * `signal` and `timeoutMs` bound the call (see {@link RequestOptions}; default timeout: the
 * client's `requestTimeoutMs`, 30 s): it rejects with `ABORTED` or `TIMEOUT`.
 *
 * @example
 * ```ts
 * const options: HistoryOptions = {
 *   before: room.messages[0]?.seq,
 *   limit: 50,
 *   signal: AbortSignal.timeout(5000),
 * };
 * ```
 */
export type HistoryOptions = Omit<HistoryPayload, 'room'> & RequestOptions;

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
 * - `message`: each message once, in `seq` order, whether it was caught up or live, as it was
 *   when created (what came of it since is in `messages`). Not the messages `messages` held when
 *   `join` resolved (the newest page, and what arrived while joining): read those first.
 * - `edited`, `deleted`, `reaction`: each change to a message once, in `seq` order among the
 *   messages and the other changes, whether it was caught up or live, own changes included. The
 *   payload is the log entry, with the message's state after it; `messages` has the message in
 *   its latest state (when it holds the message: a change to one older than the oldest page
 *   loaded is reported all the same). `reaction` is `reaction_added` or `reaction_removed`.
 * - `read`: this user's read position changed (`readSeq`, `unreadCount`): learnt on join, moved
 *   by `markRead` here, or by reading on another device.
 * - `receipts`: others read further (`readPositions`, `readBy`); the positions that moved.
 * - `typing`: someone else started or stopped typing in the room, or their indicator ran out
 *   (`LIMITS.typingIndicatorTtlMs` after the last start heard). A repeated start is not reported.
 * - `reset`: the room's history was replaced; `messages` now holds the new history.
 * - `change`: anything a UI shows changed (`messages`, `pending`, `typingUsers`,
 *   `hasMoreHistory`, `readSeq`, `unreadCount`, `readPositions`).
 *
 * @example
 * ```ts
 * const events: Array<keyof RoomEvents> = ['message', 'edited', 'deleted', 'reaction', 'change'];
 * ```
 */
export interface RoomEvents {
  message: Message;
  edited: MessageChange;
  deleted: MessageChange;
  reaction: MessageChange;
  read: ReadState;
  receipts: ReceiptsEvent;
  typing: TypingEvent;
  reset: RoomReset;
  change: undefined;
}

/**
 * A joined room. `messages` is always ordered by `seq` with no duplicates and no gaps, each
 * message in its latest state (edits, deletions, reactions, the excerpts of replies); it starts
 * with the newest page and grows with live messages and with older pages read by `history`.
 *
 * The getters (and `readBy`) return the same value, the same array or map, until the `change`
 * event that reports a new one, so a UI can compare them by identity and stores such as React's
 * `useSyncExternalStore` can read them directly. Treat what they return as immutable: the SDK
 * never modifies an array, map or message it has handed out; it hands out a new one.
 *
 * @example
 * ```ts
 * const room = await chat.join('general');
 * room.on('message', (message) => console.log(`${message.author.name}: ${message.text}`));
 * const sent = await room.send('hello');
 * await room.edit(sent.id, 'hello, world');
 * await room.react(sent.id, '👋');
 * await room.markRead();
 * const older = await room.history({ before: room.messages[0]?.seq, limit: 50 });
 * ```
 */
export interface Room {
  readonly name: string;
  /** The room history's epoch; `seq` positions are only comparable within one epoch. */
  readonly epoch: string | null;
  /**
   * The messages held, ordered by `seq`, each in its latest state; deleted ones as tombstones.
   * When `join` resolves: the newest page, and whatever arrived while joining.
   */
  readonly messages: readonly Message[];
  /** Whether older messages exist before `messages[0]` (read them with `history`). */
  readonly hasMoreHistory: boolean;
  /**
   * This user's messages, edits, deletions and reactions in the room that the server has not
   * applied yet, or refused; `kind` tells which (see {@link PendingMessage}).
   */
  readonly pending: readonly PendingMessage[];
  /**
   * Who else is typing in the room right now: each until they stop, or for at most
   * `LIMITS.typingIndicatorTtlMs` after the server last said they are typing.
   */
  readonly typingUsers: readonly User[];
  /** How far this user has read the room: every entry of its log up to this `seq` (0: none). */
  readonly readSeq: number;
  /**
   * How many messages after `readSeq` others wrote and nobody deleted: the server's count (on
   * join, `markRead`, or reading on another device), moved on by each message and deletion
   * the room has seen since. 0 before the room is joined.
   */
  readonly unreadCount: number;
  /**
   * How far others have read, by user id (`seq` of the log, as `readSeq`): from the join (the
   * `LIMITS.readReceiptsListed` furthest) and every `receipts` event since. A new map whenever
   * a position moves.
   */
  readonly readPositions: ReadonlyMap<string, number>;
  on<E extends keyof RoomEvents>(event: E, listener: Listener<RoomEvents[E]>): () => void;
  /**
   * Queues `text` and resolves with the stored message once the server has it. Survives
   * disconnects and server restarts; rejects only when the server refuses the message for good
   * (validation, authorization, a `replyTo` that does not exist) or the client is closed.
   */
  send(text: string, options?: SendOptions): Promise<Message>;
  /**
   * Replaces the text of one of this user's messages; resolves with the message in its latest
   * state. Goes through the outbox like a send (in order with sends, kept across reloads by a
   * persistent outbox, resent with the same `clientId`, so it applies once); rejects when the
   * server refuses for good: `FORBIDDEN` (not the author), `NOT_FOUND` (no such message in the
   * room, or deleted), `VALIDATION`.
   */
  edit(messageId: string, text: string): Promise<Message>;
  /**
   * Deletes one of this user's messages, leaving a tombstone (empty text, `deletedAt`); resolves
   * with it. Through the outbox like `edit`; deleting a deleted message changes nothing.
   */
  delete(messageId: string): Promise<Message>;
  /**
   * Adds this user's reaction `emoji` (one emoji) to a message; resolves with the message in its
   * latest state. Through the outbox like `edit`; reacting twice with one emoji changes nothing.
   * `VALIDATION` when the message has `LIMITS.reactionsPerMessageMax` other emoji already.
   */
  react(messageId: string, emoji: string): Promise<Message>;
  /** Removes this user's reaction `emoji` from a message; as `react`, and a no-op if absent. */
  unreact(messageId: string, emoji: string): Promise<Message>;
  /**
   * Moves this user's read position forward to `seq` (default: the newest `seq` the room
   * holds), here and on the user's other devices; resolves with the server's answer. A position
   * at or before `readSeq` resolves at once with where reading stands. While disconnected, the
   * furthest position asked for is sent after the next join.
   */
  markRead(seq?: number): Promise<ReadState>;
  /**
   * The ids of the users other than the author who have read the message (their read position
   * is at or past it), furthest first: from `readPositions`, so from the furthest
   * `LIMITS.readReceiptsListed` readers on join on. Empty for a message the room does not hold.
   * The same array until a `change` event reports that positions moved (`receipts`).
   */
  readBy(messageId: string): readonly string[];
  /**
   * Reads a page of history; a page just older than `messages` is also prepended to it. Rejects
   * with `ABORTED` when `signal` aborts and `TIMEOUT` after `timeoutMs` (default: the client's
   * `requestTimeoutMs`, 30 s), and nothing is prepended then.
   *
   * @example
   * ```ts
   * const controller = new AbortController();
   * const page = await room.history({ before: room.messages[0]?.seq, signal: controller.signal });
   * ```
   */
  history(options?: HistoryOptions): Promise<HistoryPage>;
  /** Tells the room whether this user is typing; the server ends it after a few idle seconds. */
  typing(isTyping: boolean): void;
  /** Removes a failed (or not yet sent) message from `pending`; `false` if it is being sent. */
  discard(clientId: string): Promise<boolean>;
  /** Leaves the room; the object stops receiving and its methods reject. */
  leave(): Promise<void>;
}
