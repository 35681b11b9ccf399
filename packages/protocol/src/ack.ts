import * as z from 'zod/mini';
import { type ErrorPayload, ErrorPayloadSchema } from './errors.js';

/** A failed acknowledgement; every client→server event with an acknowledgement may answer this. */
export const AckErrorSchema = z.object({ ok: z.literal(false), error: ErrorPayloadSchema });

export type AckError = { ok: false; error: ErrorPayload };

/** Builds `{ ok: true, ...shape } | { ok: false, error }` for one event's acknowledgement. */
export const ackSchema = <Shape extends z.core.$ZodShape>(shape: Shape) =>
  z.discriminatedUnion('ok', [z.object({ ok: z.literal(true), ...shape }), AckErrorSchema]);

/**
 * What a successful acknowledgement carries besides `ok`: `AckSuccess<JoinAck>` is the joined
 * room. The one way to name it, for servers that build acknowledgements and clients that read them.
 */
export type AckSuccess<Ack> = Omit<Extract<Ack, { ok: true }>, 'ok'>;
