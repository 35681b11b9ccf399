// The protocol's wire types that the SDK's API hands to apps, named here so they can be imported
// from `@chatter/client` and carry their documentation. They are the protocol's types, not copies.
import type {
  MessageChange as ProtocolMessageChange,
  Reaction as ProtocolReaction,
  ReadReceipt as ProtocolReadReceipt,
  ReadState as ProtocolReadState,
  ReceiptsEvent as ProtocolReceiptsEvent,
  ReplyTo as ProtocolReplyTo,
  RoomSummary as ProtocolRoomSummary,
} from '@chatter/protocol';

/**
 * One entry of a room's log that changed a message: `type` is `edited`, `deleted`,
 * `reaction_added` or `reaction_removed`; `seq` is its place in the log; `message` is the whole
 * message after it; `by` who made it; `emoji` the reaction added or removed.
 *
 * @example
 * ```ts
 * room.on('edited', (change: MessageChange) => console.log(change.message.text, change.at));
 * ```
 */
export type MessageChange = ProtocolMessageChange;

/**
 * The reactions to a message with one emoji: an exact `count`, and the ids of the earliest
 * reactors (`users`, at most `LIMITS.reactionUsersListed`).
 *
 * @example
 * ```ts
 * const mine = (reaction: Reaction) => reaction.users.includes(chat.user?.id ?? '');
 * ```
 */
export type Reaction = ProtocolReaction;

/**
 * The message a reply answers, as it is now: its id, `seq`, author and the start of its text
 * (`excerpt`, empty with `deleted: true` once the parent is deleted).
 *
 * @example
 * ```ts
 * const quote = (replyTo: ReplyTo) => (replyTo.deleted ? 'deleted message' : replyTo.excerpt);
 * ```
 */
export type ReplyTo = ProtocolReplyTo;

/**
 * One of the rooms the server remembers for the user (joined on any device, not left), with
 * its head and the user's read position and unread count, as `chat.rooms()` lists them.
 *
 * @example
 * ```ts
 * const badges = (await chat.rooms()).map(({ room, unread }: RoomSummary) => `${room} (${unread})`);
 * ```
 */
export type RoomSummary = ProtocolRoomSummary;

/**
 * Where the user's reading of a room stands: read up to `seq`, `unread` messages after it as of
 * the room's `head`.
 *
 * @example
 * ```ts
 * room.on('read', ({ seq, unread }: ReadState) => console.log(`read to ${seq}, ${unread} unread`));
 * ```
 */
export type ReadState = ProtocolReadState;

/**
 * How far one other user has read a room: every entry of its log up to `seq`.
 *
 * @example
 * ```ts
 * const furthest = (reads: ReadReceipt[]) => Math.max(0, ...reads.map((read) => read.seq));
 * ```
 */
export type ReadReceipt = ProtocolReadReceipt;

/**
 * Others' read positions in a room that moved (a room's `receipts` event).
 *
 * @example
 * ```ts
 * room.on('receipts', ({ reads }: ReceiptsEvent) => console.log(reads.length, 'read further'));
 * ```
 */
export type ReceiptsEvent = ProtocolReceiptsEvent;
