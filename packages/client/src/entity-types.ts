// The protocol's entity and wire types that an app handles, named here so that one install of
// `@chatter/client` is enough and so that they carry their documentation. They are the
// protocol's types, not copies (`entity-types.test-d.ts` holds them equal).
import type {
  CreateSessionResponse,
  PresenceStatus,
  ErrorCode as ProtocolErrorCode,
  ErrorPayload as ProtocolErrorPayload,
  Message as ProtocolMessage,
  MessageChangeType as ProtocolMessageChangeType,
  Presence as ProtocolPresence,
  TypingEvent as ProtocolTypingEvent,
  User as ProtocolUser,
  ValidationIssue as ProtocolValidationIssue,
} from '@chatter/protocol';

/**
 * A stored message in its latest state: `id`, the `room`, its `seq` (where it was created in
 * the room's log; it never changes), `text`, `author`, `createdAt`, and when set `editedAt`,
 * `deletedAt` (a tombstone: empty `text`, no reactions), `reactions`, `replyTo` and the
 * `clientId` it was sent with.
 *
 * @example
 * ```ts
 * const line = (message: Message) =>
 *   message.deletedAt ? 'message deleted' : `${message.author.name}: ${message.text}`;
 * ```
 */
export type Message = ProtocolMessage;

/**
 * A user as the server knows them: the token's `sub` (`id`) and display `name`.
 *
 * @example
 * ```ts
 * const isMe = (user: User) => user.id === chat.user?.id;
 * ```
 */
export type User = ProtocolUser;

/**
 * Whether a user is connected: `online`, `away` (connected, but idle or hidden; see
 * `chat.setAway`) or `offline`. The protocol calls it `PresenceStatus`.
 *
 * @example
 * ```ts
 * const dot: Record<UserStatus, string> = { online: '🟢', away: '🟡', offline: '⚪' };
 * ```
 */
export type UserStatus = PresenceStatus;

/**
 * A user's presence, as the `presence` event and `chat.status()` report it: the `user`, their
 * `status`, and `lastSeen` (now while connected, when they left once offline, `null` for a user
 * the server has never seen).
 *
 * @example
 * ```ts
 * chat.on('presence', ({ user, status }: Presence) => console.log(user.name, status));
 * ```
 */
export type Presence = ProtocolPresence;

/**
 * Someone else started (`typing: true`) or stopped typing in `room` (a room's `typing` event).
 *
 * @example
 * ```ts
 * room.on('typing', ({ user, typing }: TypingEvent) => console.log(user.name, typing));
 * ```
 */
export type TypingEvent = ProtocolTypingEvent;

/**
 * What a change entry of a room's log did to its message: `edited`, `deleted`,
 * `reaction_added` or `reaction_removed` (`MessageChange['type']`).
 *
 * @example
 * ```ts
 * const verb: Record<MessageChangeType, string> = {
 *   edited: 'edited', deleted: 'deleted', reaction_added: 'reacted', reaction_removed: 'unreacted',
 * };
 * ```
 */
export type MessageChangeType = ProtocolMessageChangeType;

/**
 * Every code a Chatter server answers with (`VALIDATION`, `UNAUTHORIZED`, `FORBIDDEN`,
 * `NOT_FOUND`, `RATE_LIMITED`, `PAYLOAD_TOO_LARGE`, `UNAVAILABLE`, `INTERNAL`); with the SDK's
 * own codes, {@link ChatterErrorCode}.
 *
 * @example
 * ```ts
 * const fromServer = (code: ChatterErrorCode): code is ErrorCode => !(code in ClientErrorCode);
 * ```
 */
export type ErrorCode = ProtocolErrorCode;

/**
 * The error shape a server answers with: in REST bodies as `{ error }`, in socket
 * acknowledgements as `{ ok: false, error }`. The SDK turns it into a `ChatterError`
 * (`ChatterError.fromPayload`).
 *
 * @example
 * ```ts
 * const body = (await response.json()) as { error: ErrorPayload };
 * throw ChatterError.fromPayload(body.error, response.status);
 * ```
 */
export type ErrorPayload = ProtocolErrorPayload;

/**
 * One problem with one field of a refused payload: `details.issues` of a `VALIDATION` error,
 * whether the server or the SDK's own check found it.
 *
 * @example
 * ```ts
 * const issues = (error.details as { issues?: ValidationIssue[] } | undefined)?.issues ?? [];
 * ```
 */
export type ValidationIssue = ProtocolValidationIssue;

/**
 * What {@link createGuestSession} resolves with: the `token`, the `user` it names and when it
 * expires (`expiresAt`).
 *
 * @example
 * ```ts
 * const session: GuestSession = await createGuestSession(url, 'Ada');
 * ```
 */
export type GuestSession = CreateSessionResponse;
