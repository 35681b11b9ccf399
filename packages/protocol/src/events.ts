import { z } from 'zod';
import { ackSchema } from './ack.js';
import {
  type Message,
  MessageSchema,
  type Presence,
  PresenceSchema,
  PresenceStatusSchema,
  UserSchema,
} from './entities.js';
import { type ErrorPayload, ErrorPayloadSchema } from './errors.js';
import { LIMITS } from './limits.js';
import {
  CatchUpPageSizeSchema,
  ClientIdSchema,
  isWellFormedText,
  MessageTextSchema,
  RoomNameSchema,
  SeqCursorSchema,
} from './primitives.js';

// Client → server payloads. All strict: an unknown field is a validation error, never ignored.

/** `join`: enter a room, replaying what came after `since` (or the latest page). */
export const JoinPayloadSchema = z.strictObject({
  room: RoomNameSchema,
  /** The last `seq` the client holds; replay starts after it. */
  since: SeqCursorSchema.optional(),
  /** The room epoch `since` belongs to; a different epoch means `since` is void. */
  epoch: z
    .string()
    .min(1)
    .max(64)
    .refine(isWellFormedText, 'epoch must be well-formed Unicode')
    .optional(),
});

export type JoinPayload = z.infer<typeof JoinPayloadSchema>;

export const LeavePayloadSchema = z.strictObject({ room: RoomNameSchema });

export type LeavePayload = z.infer<typeof LeavePayloadSchema>;

/** `message` over the socket and the body of `POST /api/messages`. */
export const SendMessagePayloadSchema = z.strictObject({
  room: RoomNameSchema,
  text: MessageTextSchema,
  /** Minted by the client per message; a retry with the same id returns the stored original. */
  clientId: ClientIdSchema.optional(),
});

export type SendMessagePayload = z.infer<typeof SendMessagePayloadSchema>;

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
    before: SeqCursorSchema.optional(),
    after: SeqCursorSchema.optional(),
    limit: CatchUpPageSizeSchema.optional(),
  })
  .superRefine(({ before, after, limit }, ctx) => {
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
  });

export type HistoryPayload = z.infer<typeof HistoryPayloadSchema>;

export const TypingPayloadSchema = z.strictObject({
  room: RoomNameSchema,
  typing: z.boolean(),
});

export type TypingPayload = z.infer<typeof TypingPayloadSchema>;

/** `away`: this connection is idle or hidden (`true`) or back in use (`false`). */
export const AwayPayloadSchema = z.strictObject({ away: z.boolean() });

export type AwayPayload = z.infer<typeof AwayPayloadSchema>;

// Acknowledgements.

export const JoinAckSchema = ackSchema({
  room: RoomNameSchema,
  /** Fixed when the room's history is created; changes only if history is reset. */
  epoch: z.string(),
  /** The room's latest `seq` at the time of the join (0 for an empty room). */
  head: SeqCursorSchema,
  messages: z.array(MessageSchema),
  /** More messages follow `messages`; fetch them with `history { after }`. */
  hasMore: z.boolean(),
});

export type JoinAck = z.infer<typeof JoinAckSchema>;

export const LeaveAckSchema = ackSchema({ room: RoomNameSchema });

export type LeaveAck = z.infer<typeof LeaveAckSchema>;

export const SendMessageAckSchema = ackSchema({ message: MessageSchema });

export type SendMessageAck = z.infer<typeof SendMessageAckSchema>;

export const HistoryAckSchema = ackSchema({
  messages: z.array(MessageSchema),
  hasMore: z.boolean(),
});

export type HistoryAck = z.infer<typeof HistoryAckSchema>;

export const AwayAckSchema = ackSchema({ status: PresenceStatusSchema });

export type AwayAck = z.infer<typeof AwayAckSchema>;

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

/** Events a client emits, in Socket.IO's event-map form. The acknowledgement is the last parameter. */
export interface ClientToServerEvents {
  join: (payload: JoinPayload, ack: (response: JoinAck) => void) => void;
  leave: (payload: LeavePayload, ack: (response: LeaveAck) => void) => void;
  message: (payload: SendMessagePayload, ack: (response: SendMessageAck) => void) => void;
  history: (payload: HistoryPayload, ack: (response: HistoryAck) => void) => void;
  typing: (payload: TypingPayload) => void;
  away: (payload: AwayPayload, ack: (response: AwayAck) => void) => void;
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
} as const satisfies { [E in ClientEventName]: z.ZodType<ClientEventPayload<E>> };

/** The acknowledgement schema of every client→server event that has one. */
export const clientEventAckSchemas = {
  join: JoinAckSchema,
  leave: LeaveAckSchema,
  message: SendMessageAckSchema,
  history: HistoryAckSchema,
  away: AwayAckSchema,
} as const;

/** The runtime schema of every server→client payload; clients validate what they receive. */
export const serverEventSchemas = {
  message: MessageSchema,
  presence: PresenceSchema,
  presences: z.array(PresenceSchema).min(1),
  typing: TypingEventSchema,
  head: HeadEventSchema,
  closing: ErrorPayloadSchema,
} as const satisfies { [E in ServerEventName]: z.ZodType<ServerEventPayload<E>> };
