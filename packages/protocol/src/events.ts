import * as z from 'zod/mini';
import { ackSchema } from './ack.js';
import {
  type Message,
  type MessageChange,
  MessageChangeSchema,
  MessageSchema,
  type Presence,
  PresenceSchema,
  PresenceStatusSchema,
  ReadReceiptSchema,
  RoomSummarySchema,
  UserSchema,
} from './entities.js';
import { type ErrorPayload, ErrorPayloadSchema } from './errors.js';
import { LIMITS } from './limits.js';
import {
  CatchUpPageSizeSchema,
  ClientIdSchema,
  EmojiSchema,
  isWellFormedText,
  MessageIdSchema,
  MessageTextSchema,
  RoomNameSchema,
  SeqCursorSchema,
  TimestampSchema,
} from './primitives.js';

// Client → server payloads. All strict: an unknown field is a validation error, never ignored.

/** `join`: enter a room, replaying what came after `since` (or the latest page). */
export const JoinPayloadSchema = z.strictObject({
  room: RoomNameSchema,
  /** The last `seq` the client holds; replay starts after it. */
  since: z.optional(SeqCursorSchema),
  /** The room epoch `since` belongs to; a different epoch means `since` is void. */
  epoch: z.optional(
    z
      .string()
      .check(
        z.minLength(1),
        z.maxLength(64),
        z.refine(isWellFormedText, 'epoch must be well-formed Unicode'),
      ),
  ),
});

export type JoinPayload = z.infer<typeof JoinPayloadSchema>;

export const LeavePayloadSchema = z.strictObject({ room: RoomNameSchema });

export type LeavePayload = z.infer<typeof LeavePayloadSchema>;

/** `message` over the socket and the body of `POST /api/messages`. */
export const SendMessagePayloadSchema = z.strictObject({
  room: RoomNameSchema,
  text: MessageTextSchema,
  /** Minted by the client per message; a retry with the same id returns the stored original. */
  clientId: z.optional(ClientIdSchema),
  /** The id of the message in the same room this one answers. */
  replyTo: z.optional(MessageIdSchema),
});

export type SendMessagePayload = z.infer<typeof SendMessagePayloadSchema>;

/** `edit`: replaces the text of one of the user's own messages. */
export const EditMessagePayloadSchema = z.strictObject({
  room: RoomNameSchema,
  id: MessageIdSchema,
  text: MessageTextSchema,
  /** Minted by the client per edit; a retry with the same id applies once. */
  clientId: z.optional(ClientIdSchema),
});

export type EditMessagePayload = z.infer<typeof EditMessagePayloadSchema>;

/** `delete`: deletes one of the user's own messages, leaving a tombstone. Deleting again is a no-op. */
export const DeleteMessagePayloadSchema = z.strictObject({
  room: RoomNameSchema,
  id: MessageIdSchema,
});

export type DeleteMessagePayload = z.infer<typeof DeleteMessagePayloadSchema>;

/** `react` and `unreact`: set semantics per (user, emoji); repeating either changes nothing. */
export const ReactionPayloadSchema = z.strictObject({
  room: RoomNameSchema,
  id: MessageIdSchema,
  emoji: EmojiSchema,
});

export type ReactionPayload = z.infer<typeof ReactionPayloadSchema>;

/** `read`: the user has read the room up to `seq`. A read position only moves forward. */
export const ReadPayloadSchema = z.strictObject({
  room: RoomNameSchema,
  seq: SeqCursorSchema,
});

export type ReadPayload = z.infer<typeof ReadPayloadSchema>;

/** `rooms`: the rooms the server remembers for the user, as `GET /api/rooms` lists them. */
export const RoomsPayloadSchema = z.strictObject({});

export type RoomsPayload = z.infer<typeof RoomsPayloadSchema>;

/**
 * A page of history. With `after`, the page starts right after that `seq`; otherwise it is the
 * newest page that ends before `before` (or at the head). Always oldest first.
 *
 * `limit` is at most `LIMITS.historyPageMaxSize`, except on a forward page (`after` without
 * `before`), which is how a client catches up and may ask for up to `LIMITS.catchUpPageMaxSize`.
 * REST (`HistoryQuerySchema`) keeps the smaller limit for every page.
 */
export const HistoryPayloadSchema = z
  .strictObject({
    room: RoomNameSchema,
    before: z.optional(SeqCursorSchema),
    after: z.optional(SeqCursorSchema),
    limit: z.optional(CatchUpPageSizeSchema),
  })
  .check(
    z.superRefine(({ before, after, limit }, ctx) => {
      const forward = after !== undefined && before === undefined;
      if (limit === undefined || limit <= LIMITS.historyPageMaxSize || forward) return;
      // Worded like zod's own "Too big", so this reads like every other limit in the VALIDATION answer.
      ctx.addIssue({
        code: 'too_big',
        origin: 'number',
        maximum: LIMITS.historyPageMaxSize,
        inclusive: true,
        input: limit,
        path: ['limit'],
        message: `Too big: expected number to be <=${LIMITS.historyPageMaxSize} (up to ${LIMITS.catchUpPageMaxSize} only on a forward page: \`after\` without \`before\`)`,
      });
    }),
  );

export type HistoryPayload = z.infer<typeof HistoryPayloadSchema>;

export const TypingPayloadSchema = z.strictObject({
  room: RoomNameSchema,
  typing: z.boolean(),
});

export type TypingPayload = z.infer<typeof TypingPayloadSchema>;

/** `away`: this connection is idle or hidden (`true`) or back in use (`false`). */
export const AwayPayloadSchema = z.strictObject({ away: z.boolean() });

export type AwayPayload = z.infer<typeof AwayPayloadSchema>;

/**
 * `auth`: a fresh token for this connection, sent before the one it connected with expires, so
 * the session goes on without a reconnection. It must name the same user (`sub`).
 */
export const AuthPayloadSchema = z.strictObject({
  token: z.string().check(z.minLength(1), z.maxLength(LIMITS.maxTokenLength)),
});

export type AuthPayload = z.infer<typeof AuthPayloadSchema>;

// Acknowledgements.

export const JoinAckSchema = ackSchema({
  room: RoomNameSchema,
  /** Fixed when the room's history is created; changes only if history is reset. */
  epoch: z.string(),
  /** The room's latest `seq` at the time of the join (0 for an empty room). */
  head: SeqCursorSchema,
  messages: z.array(MessageSchema),
  /**
   * On a resumed join (`since`), the changes to messages among the log entries replayed, in
   * `seq` order: with `messages`, every entry after `since` up to the page's end. Empty on a
   * first join, whose `messages` are in their latest state already.
   */
  changes: z.array(MessageChangeSchema),
  /** More entries follow; fetch them with `history { after }`. */
  hasMore: z.boolean(),
  /**
   * How far this user has read the room. A user's first join starts them at the head: what was
   * written before they arrived is history, not unread.
   */
  readSeq: SeqCursorSchema,
  /** Messages after `readSeq`, written by others and not deleted, as of `head`. */
  unread: z.int().check(z.nonnegative()),
  /** How far others have read, the furthest first (at most `LIMITS.readReceiptsListed`). */
  reads: z.array(ReadReceiptSchema).check(z.maxLength(LIMITS.readReceiptsListed)),
});

export type JoinAck = z.infer<typeof JoinAckSchema>;

export const LeaveAckSchema = ackSchema({ room: RoomNameSchema });

export type LeaveAck = z.infer<typeof LeaveAckSchema>;

export const SendMessageAckSchema = ackSchema({ message: MessageSchema });

export type SendMessageAck = z.infer<typeof SendMessageAckSchema>;

/**
 * A page of a room's log. A forward page (`after`) holds every entry after `after`, in order:
 * the messages created there in `messages` and the changes made there in `changes`, whose
 * `seq`s together run without a gap. A backward page holds messages only, in their latest state.
 */
export const HistoryAckSchema = ackSchema({
  messages: z.array(MessageSchema),
  changes: z.array(MessageChangeSchema),
  hasMore: z.boolean(),
});

export type HistoryAck = z.infer<typeof HistoryAckSchema>;

export const AwayAckSchema = ackSchema({ status: PresenceStatusSchema });

export type AwayAck = z.infer<typeof AwayAckSchema>;

/**
 * The answer to `edit`, `delete`, `react` and `unreact`: the message in its latest state and the
 * log entry the request appended, or `null` when it changed nothing (a repeated reaction or
 * deletion). A retried edit answers with its original entry.
 */
export const MessageChangeAckSchema = ackSchema({
  message: MessageSchema,
  change: z.nullable(MessageChangeSchema),
});

export type MessageChangeAck = z.infer<typeof MessageChangeAckSchema>;

/** Where the user's read position stands now, and the unread count that leaves. */
export const ReadStateSchema = z.object({
  room: RoomNameSchema,
  seq: SeqCursorSchema,
  unread: z.int().check(z.nonnegative()),
  /** The room's newest `seq` when `unread` was counted. */
  head: SeqCursorSchema,
});

export type ReadState = z.infer<typeof ReadStateSchema>;

export const ReadAckSchema = ackSchema(ReadStateSchema.shape);

export type ReadAck = z.infer<typeof ReadAckSchema>;

/** The connection now lives until the new token's `exp`. */
export const AuthAckSchema = ackSchema({ expiresAt: TimestampSchema });

export type AuthAck = z.infer<typeof AuthAckSchema>;

export const RoomsAckSchema = ackSchema({ rooms: z.array(RoomSummarySchema) });

export type RoomsAck = z.infer<typeof RoomsAckSchema>;

// Server → client payloads.

export const TypingEventSchema = z.object({
  room: RoomNameSchema,
  user: UserSchema,
  typing: z.boolean(),
});

export type TypingEvent = z.infer<typeof TypingEventSchema>;

/**
 * The newest `seq` of a room the connection is in. Sent by a server after its link to the other
 * servers of a cluster came back (and now and then as a safety net): a broadcast lost meanwhile
 * shows as a head beyond what the client holds, and the client fetches the gap from history.
 */
export const HeadEventSchema = z.object({
  room: RoomNameSchema,
  epoch: z.string(),
  head: SeqCursorSchema,
});

export type HeadEvent = z.infer<typeof HeadEventSchema>;

/** Others' read positions in a room, gathered: at most one event per room and `readReceiptsIntervalMs`. */
export const ReceiptsEventSchema = z.object({
  room: RoomNameSchema,
  reads: z.array(ReadReceiptSchema).check(z.minLength(1)),
});

export type ReceiptsEvent = z.infer<typeof ReceiptsEventSchema>;

/** Events a client emits, in Socket.IO's event-map form. The acknowledgement is the last parameter. */
export interface ClientToServerEvents {
  join: (payload: JoinPayload, ack: (response: JoinAck) => void) => void;
  leave: (payload: LeavePayload, ack: (response: LeaveAck) => void) => void;
  message: (payload: SendMessagePayload, ack: (response: SendMessageAck) => void) => void;
  history: (payload: HistoryPayload, ack: (response: HistoryAck) => void) => void;
  typing: (payload: TypingPayload) => void;
  away: (payload: AwayPayload, ack: (response: AwayAck) => void) => void;
  edit: (payload: EditMessagePayload, ack: (response: MessageChangeAck) => void) => void;
  delete: (payload: DeleteMessagePayload, ack: (response: MessageChangeAck) => void) => void;
  react: (payload: ReactionPayload, ack: (response: MessageChangeAck) => void) => void;
  unreact: (payload: ReactionPayload, ack: (response: MessageChangeAck) => void) => void;
  read: (payload: ReadPayload, ack: (response: ReadAck) => void) => void;
  rooms: (payload: RoomsPayload, ack: (response: RoomsAck) => void) => void;
  auth: (payload: AuthPayload, ack: (response: AuthAck) => void) => void;
}

/** Events the server emits, in Socket.IO's event-map form. */
export interface ServerToClientEvents {
  message: (message: Message) => void;
  presence: (presence: Presence) => void;
  /**
   * Several presence updates at once. The server coalesces updates per room: the first for a
   * quiet room goes out alone as `presence`, those that follow within a short window together.
   */
  presences: (presences: Presence[]) => void;
  typing: (event: TypingEvent) => void;
  /** A room's newest `seq`, so a client can tell whether a broadcast was lost (see HeadEventSchema). */
  head: (event: HeadEvent) => void;
  /** A message in the room was edited, deleted or reacted to: one log entry (see MessageChangeSchema). */
  change: (change: MessageChange) => void;
  /** This user's read position moved, on this connection or another of theirs. */
  read: (state: ReadState) => void;
  /** Others in the room read further (read receipts). */
  receipts: (event: ReceiptsEvent) => void;
  /**
   * The server is about to close this connection, and why, in the shared error shape. Sent just
   * before the disconnect: `RATE_LIMITED` for a connection that kept exceeding its event budgets.
   */
  closing: (reason: ErrorPayload) => void;
}

export type ClientEventName = keyof ClientToServerEvents;
export type ServerEventName = keyof ServerToClientEvents;

/** The payload type of a client→server event. */
export type ClientEventPayload<E extends ClientEventName> = Parameters<ClientToServerEvents[E]>[0];

/** The payload type of a server→client event. */
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];

/** The runtime schema of every client→server payload; the server validates from this table alone. */
export const clientEventSchemas = {
  join: JoinPayloadSchema,
  leave: LeavePayloadSchema,
  message: SendMessagePayloadSchema,
  history: HistoryPayloadSchema,
  typing: TypingPayloadSchema,
  away: AwayPayloadSchema,
  edit: EditMessagePayloadSchema,
  delete: DeleteMessagePayloadSchema,
  react: ReactionPayloadSchema,
  unreact: ReactionPayloadSchema,
  read: ReadPayloadSchema,
  rooms: RoomsPayloadSchema,
  auth: AuthPayloadSchema,
} as const satisfies { [E in ClientEventName]: z.ZodMiniType<ClientEventPayload<E>> };

/** The acknowledgement schema of every client→server event that has one. */
export const clientEventAckSchemas = {
  join: JoinAckSchema,
  leave: LeaveAckSchema,
  message: SendMessageAckSchema,
  history: HistoryAckSchema,
  away: AwayAckSchema,
  edit: MessageChangeAckSchema,
  delete: MessageChangeAckSchema,
  react: MessageChangeAckSchema,
  unreact: MessageChangeAckSchema,
  read: ReadAckSchema,
  rooms: RoomsAckSchema,
  auth: AuthAckSchema,
} as const;

/** The runtime schema of every server→client payload; clients validate what they receive. */
export const serverEventSchemas = {
  message: MessageSchema,
  presence: PresenceSchema,
  presences: z.array(PresenceSchema).check(z.minLength(1)),
  typing: TypingEventSchema,
  head: HeadEventSchema,
  change: MessageChangeSchema,
  read: ReadStateSchema,
  receipts: ReceiptsEventSchema,
  closing: ErrorPayloadSchema,
} as const satisfies { [E in ServerEventName]: z.ZodMiniType<ServerEventPayload<E>> };
