import {
  type ClientEventName,
  type ClientEventPayload,
  clientEventSchemas,
  type ErrorPayload,
} from '@chatter/protocol';
import { isAppError, toErrorPayload, validationError } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import type { AckResult, ChatSocket } from './types.js';

type Ack = (response: { ok: true } | { ok: false; error: ErrorPayload }) => void;

/** Socket.IO hands the acknowledgement over as the last argument, when the client sent one. */
export const takeAck = (args: unknown[]): Ack | undefined =>
  typeof args.at(-1) === 'function' ? (args.pop() as Ack) : undefined;

/**
 * Registers a handler for one client event. The payload is validated with the protocol's schema
 * for that event, any error becomes the shared error shape, and the acknowledgement is sent if
 * (and only if) the client asked for one. Nothing a client sends can make this throw.
 */
export const onEvent = <E extends ClientEventName>(
  socket: ChatSocket,
  logger: Logger,
  event: E,
  handler: (
    payload: ClientEventPayload<E>,
    request: { acknowledged: boolean },
  ) => Promise<AckResult<E>> | AckResult<E>,
): void => {
  const schema = clientEventSchemas[event];
  const listener = async (...args: unknown[]) => {
    const ack = takeAck(args);
    try {
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) throw validationError(parsed.error);
      const result = await handler(parsed.data as ClientEventPayload<E>, {
        acknowledged: ack !== undefined,
      });
      ack?.({ ok: true, ...result });
    } catch (error) {
      if (!isAppError(error)) {
        logger.error({ err: error, event, userId: socket.data.user.id }, 'socket handler failed');
      }
      ack?.({ ok: false, error: toErrorPayload(error) });
    }
  };
  // The typed `on` wants one listener signature per event; this one listener serves them all
  // and checks its arguments itself, so it goes in untyped.
  socket.on(event, listener as never);
};
