import * as z from 'zod/mini';
import { DisplayNameSchema, RoomNameSchema, UserIdSchema } from './primitives.js';

/**
 * The claims of a Chatter access token (a JWT signed HS256 with the server secret). App backends
 * with their own users mint tokens with these claims; guest sessions get them from the server.
 */
export const AccessTokenClaimsSchema = z.object({
  /** The user id. */
  sub: UserIdSchema,
  /** The display name shown with the user's messages. */
  name: DisplayNameSchema,
  /** Expiry, in seconds since the epoch. Required: Chatter accepts no everlasting tokens. */
  exp: z.int().check(z.positive()),
  /** When present, the only rooms this token may read, post or type in. */
  rooms: z.optional(z.array(RoomNameSchema).check(z.maxLength(1000))),
  /**
   * Set by the server on the guest sessions it issues (`POST /api/session`); guests may be
   * confined to some rooms (`CHATTER_GUEST_ROOMS`). App backends leave it out.
   */
  guest: z.optional(z.boolean()),
});

export type AccessTokenClaims = z.infer<typeof AccessTokenClaimsSchema>;
