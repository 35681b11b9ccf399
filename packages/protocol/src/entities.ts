import { z } from 'zod';
import {
  ClientIdSchema,
  DisplayNameSchema,
  MessageTextSchema,
  RoomNameSchema,
  SeqSchema,
  TimestampSchema,
  UserIdSchema,
} from './primitives.js';

export const UserSchema = z.object({
  id: UserIdSchema,
  name: DisplayNameSchema,
});

export type User = z.infer<typeof UserSchema>;

/** A stored message, exactly as the server broadcasts it and returns it from history. */
export const MessageSchema = z.object({
  id: z.string().min(1),
  room: RoomNameSchema,
  seq: SeqSchema,
  text: MessageTextSchema,
  author: UserSchema,
  createdAt: TimestampSchema,
  clientId: ClientIdSchema.optional(),
});

export type Message = z.infer<typeof MessageSchema>;

export const PresenceStatus = {
  ONLINE: 'online',
  AWAY: 'away',
  OFFLINE: 'offline',
} as const;

export type PresenceStatus = (typeof PresenceStatus)[keyof typeof PresenceStatus];

export const PresenceStatusSchema = z.enum(PresenceStatus);

/**
 * A user's presence as the server pushes it. `lastSeen` is when the user last had a live
 * connection: the current time while online or away, the moment they left once offline,
 * and `null` for a user the server has never seen.
 */
export const PresenceSchema = z.object({
  user: UserSchema,
  status: PresenceStatusSchema,
  lastSeen: TimestampSchema.nullable(),
});

export type Presence = z.infer<typeof PresenceSchema>;

/** One row of `GET /api/status`: a user with their presence, flattened. */
export const UserStatusSchema = z.object({
  id: UserIdSchema,
  name: DisplayNameSchema,
  status: PresenceStatusSchema,
  lastSeen: TimestampSchema.nullable(),
});

export type UserStatus = z.infer<typeof UserStatusSchema>;
