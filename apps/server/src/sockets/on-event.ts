import {
  type ClientEventName,
  type ClientEventPayload,
  clientEventSchemas,
  type ErrorPayload,
  type Message,
  type MessageChange,
} from '@chatter/protocol';
import { approximateBytes, type EventBudgets } from '../services/event-budget.js';
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

/** Tells a connection why it is being closed, then closes it (the reason goes out first). */
const closeOverBudget = (socket: ChatSocket, logger: Logger): void => {
  logger.warn(
    { userId: socket.data.user.id, socketId: socket.id },
    'closing a connection that kept exceeding its event budget',
  );
  socket.emit('closing', {
    code: 'RATE_LIMITED',
    message: 'This connection kept exceeding its event budget and was closed; slow down',
    details: { reason: 'EVENT_BUDGET' },
  });
  socket.disconnect(true);
};

/**
 * The listener for one client event, shared by every socket: Socket.IO calls listeners with
 * `this` bound to the socket, so a connection costs no closures of its own. The event is paid
 * for from the connection's budget first (before validation, which costs too), the payload is
 * validated with the protocol's schema for that event, any error becomes the shared error shape,
 * and the acknowledgement is sent if (and only if) the client asked for one. Nothing a client
 * sends can make this throw.
 */
export const sharedListener = <E extends ClientEventName>(
  event: E,
  handler: EventHandler<E>,
  logger: Logger,
  budgets: EventBudgets,
) => {
  const schema = clientEventSchemas[event];
  return async function listener(this: ChatSocket, ...args: unknown[]): Promise<void> {
    const ack = takeAck(args);
    const refusal = budgets.spend(this, event);
    if (refusal) {
      // Typing asks for no acknowledgement: its refusal is a silent drop.
      ack?.({ ok: false, error: refusal.error.toPayload() });
      if (refusal.disconnect) closeOverBudget(this, logger);
      return;
    }
    try {
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) throw validationError(parsed.error);
      const result = await handler(this, parsed.data as ClientEventPayload<E>, {
        acknowledged: ack !== undefined,
      });
      // A read is charged for what it returned once that is known.
      const read = result as { messages?: readonly Message[]; changes?: readonly MessageChange[] };
      if (read.messages) budgets.chargeRead(this, approximateBytes(read.messages, read.changes));
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
