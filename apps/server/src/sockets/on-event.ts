import {
  type ClientEventName,
  type ClientEventPayload,
  clientEventSchemas,
  type ErrorPayload,
} from '@chatter/protocol';
import { asAppError, toErrorPayload, validationError } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import type { AckResult, ChatSocket } from './types.js';

type Ack = (response: { ok: true } | { ok: false; error: ErrorPayload }) => void;

/** Socket.IO hands the acknowledgement over as the last argument, when the client sent one. */
export const takeAck = (args: unknown[]): Ack | undefined =>
  typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;

/** What a client event does, given the socket it came over and its validated payload. */
export type EventHandler<E extends ClientEventName> = (
  socket: ChatSocket,
  payload: ClientEventPayload<E>,
  request: { acknowledged: boolean },
) => Promise<AckResult<E>> | AckResult<E>;

export type EventHandlers = { [E in ClientEventName]: EventHandler<E> };

/**
 * The listener for one client event, shared by every socket: Socket.IO calls listeners with
 * `this` bound to the socket, so a connection costs no closures of its own. The payload is
 * validated with the protocol's schema for that event, any error becomes the shared error shape,
 * and the acknowledgement is sent if (and only if) the client asked for one. Nothing a client
 * sends can make this throw.
 */
export const sharedListener = <E extends ClientEventName>(
  event: E,
  handler: EventHandler<E>,
  logger: Logger,
) => {
  const schema = clientEventSchemas[event];
  return async function listener(this: ChatSocket, ...args: unknown[]): Promise<void> {
    const ack = takeAck(args);
    try {
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) throw validationError(parsed.error);
      const result = await handler(this, parsed.data as ClientEventPayload<E>, {
        acknowledged: ack !== undefined,
      });
      ack?.({ ok: true, ...result });
    } catch (error) {
      // Logged as the REST error handler logs: faults of ours as errors, store outages as warnings.
      const known = asAppError(error);
      const context = { err: error, event, userId: this.data.user.id };
      if (!known) logger.error(context, 'socket handler failed');
      else if (known.code === 'UNAVAILABLE') logger.warn(context, 'socket handler failed');
      ack?.({ ok: false, error: toErrorPayload(error) });
    }
  };
};
