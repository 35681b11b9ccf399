import type {
  Message,
  MessageChange,
  ReadReceipt,
  ReadState,
  RoomSummary,
  User,
} from '@chatter/protocol';

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
  /**
   * The id of the message this one answers. The store checks, in the write, that it is a
   * message of the same room and not deleted (else `MessageNotFoundError`).
   */
  replyTo?: string | undefined;
}

/** Who changes which message; the store checks, in the write, that it is in `room`. */
interface MessageChangeTarget {
  room: string;
  messageId: string;
  actor: User;
}

export interface EditMessageInput extends MessageChangeTarget {
  text: string;
  /** `(room, actor.id, clientId)` is unique among edits: a retry answers with the original entry. */
  clientId?: string | undefined;
}

export type DeleteMessageInput = MessageChangeTarget;

export interface ReactionInput extends MessageChangeTarget {
  emoji: string;
  /** `true` adds the actor's reaction, `false` removes it; either is a no-op when already so. */
  on: boolean;
}

/**
 * What a change did: the message in its latest state and the log entry appended (the original
 * one for a retried edit), or `change: null` when nothing changed (a repeated reaction, removing
 * one that is not there, deleting a deleted message, an edit to the same text).
 */
export interface ChangeResult {
  message: Message;
  change: MessageChange | null;
}

/** The message is not in the room, or (for edits, replies and reactions) it is deleted. */
export class MessageNotFoundError extends Error {
  override readonly name = 'MessageNotFoundError';
  constructor(
    readonly messageId: string,
    readonly reason: 'missing' | 'deleted',
  ) {
    super(
      reason === 'missing' ? `message ${messageId} not found` : `message ${messageId} is deleted`,
    );
  }
}

/** A reaction would take a message past `LIMITS.reactionsPerMessageMax` different emoji. */
export class TooManyReactionsError extends Error {
  override readonly name = 'TooManyReactionsError';
}

/** The user is a member of `LIMITS.roomsPerUserMax` rooms already. */
export class TooManyRoomsError extends Error {
  override readonly name = 'TooManyRoomsError';
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

/**
 * A page of the log. Forward (`after`): every entry in `(after, end]`, where `end` is
 * `min(after + limit, head, before - 1)` (seqs are gap-free, so the range is known before
 * reading); messages created there in `messages`, changes made there in `changes`, all in their
 * latest state. Backward: the newest `limit` messages before `before`, `changes` empty.
 */
export interface HistoryPage {
  /** Oldest first. */
  messages: Message[];
  /** Oldest first; empty on a backward page. */
  changes: MessageChange[];
  /** Whether more entries (forward) or messages (backward) lie beyond this page. */
  hasMore: boolean;
}

/** A user's reading of one room, as a join shows it. */
export interface ReadPosition {
  readSeq: number;
  /** Messages after `readSeq` by others, not deleted, as of `head`. */
  unread: number;
  head: number;
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
  /** The message in its latest state, or null if no message has this id. */
  getMessage(id: string): Promise<Message | null>;
  /** Appends an `edited` entry; the actor must be the author (checked by the caller's policy). */
  editMessage(input: EditMessageInput): Promise<ChangeResult>;
  /** Appends a `deleted` entry, removes the text and the reactions; a no-op when deleted already. */
  deleteMessage(input: DeleteMessageInput): Promise<ChangeResult>;
  /** Appends a `reaction_added` or `reaction_removed` entry, unless it would change nothing. */
  setReaction(input: ReactionInput): Promise<ChangeResult>;
  listMessages(range: HistoryRange): Promise<HistoryPage>;
  /**
   * Remembers that the user is in the room (from their join on). A new member has read up to the
   * room's head: what came before they joined is not unread. Idempotent: a member's read
   * position is kept. Throws `TooManyRoomsError` for a new room past `LIMITS.roomsPerUserMax`.
   */
  addMember(userId: string, room: string): Promise<void>;
  /** Forgets the room for the user, read position included. No-op for a non-member. */
  removeMember(userId: string, room: string): Promise<void>;
  /**
   * Moves the user's read position to `seq` (clamped to the room's head) if that is further
   * than where it is; never back. Makes the user a member if they were not. Returns where it is.
   */
  markRead(userId: string, room: string, seq: number): Promise<ReadState>;
  /** The user's read position and unread count in the room (0 and all messages for a non-member). */
  readPosition(userId: string, room: string): Promise<ReadPosition>;
  /** The rooms the user is a member of, oldest membership first, each with its unread count. */
  listRooms(userId: string): Promise<RoomSummary[]>;
  /** The members' read positions in the room, furthest first, at most `limit`; 0s left out. */
  readReceipts(room: string, limit: number): Promise<ReadReceipt[]>;
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
