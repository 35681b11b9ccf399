import { LIMITS as PROTOCOL_LIMITS } from '@chatter/protocol';

/**
 * Every limit a Chatter server enforces (text lengths, page sizes, how long a typing indicator
 * lasts, …): the protocol's `LIMITS`, here so that apps need no other import. The SDK checks
 * them before sending.
 *
 * @example
 * ```ts
 * const left = LIMITS.messageTextMaxLength - [...draft].length; // code points, as the server counts
 * ```
 */
export const LIMITS: typeof PROTOCOL_LIMITS = PROTOCOL_LIMITS;
