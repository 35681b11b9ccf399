import * as z from 'zod/mini';
import {
  MessageChangeSchema,
  MessageSchema,
  PresenceSchema,
  RoomSummarySchema,
  UserSchema,
} from './entities.js';
import { LIMITS } from './limits.js';
import {
  ClientIdSchema,
  DisplayNameSchema,
  EmojiSchema,
  MessageIdSchema,
  MessageTextSchema,
  PageSizeSchema,
  RoomNameSchema,
  SeqCursorSchema,
  TimestampSchema,
  UserIdSchema,
} from './primitives.js';

/**
 * A whole number in a query string. Digits only, so `?limit=1e3`, `?limit=0x10` and
 * `?limit= 5` are rejected rather than coerced.
 */
const wholeNumberParam = <Output extends z.ZodMiniType<number, number>>(schema: Output) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,15}$/, 'Expected a whole number')), z.transform(Number)),
    schema,
  );

// POST /api/session

export const CreateSessionRequestSchema = z.strictObject({ name: DisplayNameSchema });

export type CreateSessionRequest = z.input<typeof CreateSessionRequestSchema>;

export const CreateSessionResponseSchema = z.object({
  token: z.string(),
  user: UserSchema,
  /** When `token` stops being accepted. */
  expiresAt: TimestampSchema,
});

export type CreateSessionResponse = z.infer<typeof CreateSessionResponseSchema>;

// GET /api/session

/** Who the presented token belongs to, and until when it is accepted. */
export const CurrentSessionResponseSchema = z.omit(CreateSessionResponseSchema, { token: true });

export type CurrentSessionResponse = z.infer<typeof CurrentSessionResponseSchema>;

// GET /api/messages

export const HistoryQuerySchema = z.strictObject({
  room: RoomNameSchema,
  limit: z.optional(wholeNumberParam(PageSizeSchema)),
  before: z.optional(wholeNumberParam(SeqCursorSchema)),
  after: z.optional(wholeNumberParam(SeqCursorSchema)),
});

/** The query string as a client writes it (`limit`, `before` and `after` may be numbers). */
export type HistoryQuery = {
  room: string;
  limit?: number;
  before?: number;
  after?: number;
};

/** A page, as over the socket (see `HistoryAckSchema`): forward pages carry `changes` too. */
export const HistoryResponseSchema = z.object({
  messages: z.array(MessageSchema),
  changes: z.array(MessageChangeSchema),
  hasMore: z.boolean(),
});

export type HistoryResponse = z.infer<typeof HistoryResponseSchema>;

// POST /api/messages: the body is `SendMessagePayloadSchema`, shared with the socket event.

export const PostMessageResponseSchema = z.object({ message: MessageSchema });

export type PostMessageResponse = z.infer<typeof PostMessageResponseSchema>;

// PATCH /api/messages/:id, DELETE /api/messages/:id,
// PUT and DELETE /api/messages/:id/reactions/:emoji (the emoji percent-encoded)

/** The path of a message route: `:id`. */
export const MessageParamsSchema = z.strictObject({ id: MessageIdSchema });

/** The path of a reaction route: `:id` and `:emoji`. */
export const ReactionParamsSchema = z.strictObject({ id: MessageIdSchema, emoji: EmojiSchema });

/** The body of `PATCH /api/messages/:id`: the new text, as the socket's `edit` sends it. */
export const EditMessageRequestSchema = z.strictObject({
  text: MessageTextSchema,
  clientId: z.optional(ClientIdSchema),
});

export type EditMessageRequest = z.infer<typeof EditMessageRequestSchema>;

/** The answer of every message-changing route: as the socket's `MessageChangeAckSchema`. */
export const MessageChangeResponseSchema = z.object({
  message: MessageSchema,
  change: z.nullable(MessageChangeSchema),
});

export type MessageChangeResponse = z.infer<typeof MessageChangeResponseSchema>;

// GET /api/rooms

export const RoomsResponseSchema = z.object({ rooms: z.array(RoomSummarySchema) });

export type RoomsResponse = z.infer<typeof RoomsResponseSchema>;

// POST /api/rooms/:room/read

export const RoomParamsSchema = z.strictObject({ room: RoomNameSchema });

export const ReadRequestSchema = z.strictObject({ seq: SeqCursorSchema });

export type ReadRequest = z.infer<typeof ReadRequestSchema>;

// The answer is `ReadStateSchema`, as the socket's `read` acknowledges.

// GET /api/status

export const StatusQuerySchema = z.strictObject({
  users: z.optional(
    z.pipe(
      z.pipe(
        z.string(),
        z.transform((list: string) => list.split(',').filter((id) => id.length > 0)),
      ),
      z.array(UserIdSchema).check(z.minLength(1), z.maxLength(LIMITS.statusQueryMaxUsers)),
    ),
  ),
});

/** The users asked about (or every online one), each in the shape the `presence` event carries. */
export const StatusResponseSchema = z.object({ users: z.array(PresenceSchema) });

export type StatusResponse = z.infer<typeof StatusResponseSchema>;

// GET /healthz

export const HealthResponseSchema = z.object({
  status: z.enum(['ok', 'unavailable']),
  uptime: z.number().check(z.nonnegative()),
});

export type HealthResponse = z.infer<typeof HealthResponseSchema>;

// GET /readyz: this body with 200 while the server can read, write and verify tokens; otherwise
// 503 with an `UNAVAILABLE` error that gives the reason.

export const ReadyResponseSchema = z.object({ ok: z.literal(true) });

export type ReadyResponse = z.infer<typeof ReadyResponseSchema>;
