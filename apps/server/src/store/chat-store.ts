import type { Message, User } from '@chatter/protocol';

/** A room's history position: its epoch and the `seq` of its newest message (0 when empty). */
export interface RoomState {
  room: string;
  epoch: string;
  head: number;
}

/** A room as a join sees it, stored or not. */
export interface RoomView extends RoomState {
  /**
   * Whether the room has a stored history. A room is stored from its first message on; until
   * then it reports head 0 and the store's default epoch, the one its first message will give
   * it, and leaves nothing behind.
   */
  stored: boolean;
}

export interface AppendMessageInput {
  room: string;
  author: User;
  text: string;
  clientId?: string | undefined;
}

export interface AppendResult {
  message: Message;
  /** `false` when `(room, author, clientId)` was already stored and `message` is that original. */
  created: boolean;
}

/**
 * A page request. With `after`, the page is the oldest `limit` messages after it (and before
 * `before`, if given); otherwise it is the newest `limit` messages before `before` (or the head).
 */
export interface HistoryRange {
  room: string;
  limit: number;
  before?: number | undefined;
  after?: number | undefined;
}

export interface HistoryPage {
  /** Oldest first. */
  messages: Message[];
  /** Whether more messages lie beyond this page in the direction it was read. */
  hasMore: boolean;
}

export interface StoredUser {
  id: string;
  name: string;
  lastSeen: string | null;
}

/**
 * Told of each batch of message appends a store committed: how long the batch took and how many
 * appends it held. Called on the event loop, so it must be quick and must not throw.
 */
export type CommitObserver = (seconds: number, batchSize: number) => void;

/**
 * The store cannot be reached or used. The message is for operators: it names the backend and
 * the reason (never a password); `cause` holds the driver's error.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  /** How long a client should wait before trying again. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/**
 * The storage port. Every backend keeps the same guarantees, checked by one contract suite
 * (`chat-store-contract.ts`): per-room `seq` is gap-free and strictly increasing and assigned in
 * the same durable write that stores the message; `(room, author.id, clientId)` is unique and
 * a repeated append returns the original; a resolved append is durable.
 */
export interface ChatStore {
  /** The room's state, whether or not it is stored; reading it never stores anything. */
  viewRoom(room: string): Promise<RoomView>;
  /** The stored room, or null for a room nobody has written in. */
  getRoom(room: string): Promise<RoomState | null>;
  appendMessage(input: AppendMessageInput): Promise<AppendResult>;
  listMessages(range: HistoryRange): Promise<HistoryPage>;
  /** Records the user's current display name and when they were last seen. */
  saveUser(user: User, lastSeen: Date): Promise<void>;
  /**
   * `saveUser` for many users at once. Presence times need not be durable one by one, so a
   * backend may store them without a disk sync of their own.
   */
  saveUsers(users: ReadonlyArray<{ user: User; lastSeen: Date }>): Promise<void>;
  /** The stored users among `ids`, in no particular order; unknown ids are left out. */
  getUsers(ids: readonly string[]): Promise<StoredUser[]>;
  /** Resolves when the store can serve reads and writes; rejects with the reason otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
