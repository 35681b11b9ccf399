import { clientEventSchemas, type ErrorPayload } from '@chatter/protocol';
import type { AuthService } from '../services/auth-service.js';
import type { ConnectionLimits } from '../services/connection-limits.js';
import type { ClientAddress } from '../utils/client-address.js';
import { AppError, toErrorPayload } from '../utils/errors.js';
import { authHandlers } from './auth.js';
import { messageChangeHandlers } from './message-changes.js';
import { messageHandlers } from './messages.js';
import { type EventHandlers, sharedListener, takeAck } from './on-event.js';
import { outgoingLimit } from './outgoing-limit.js';
import { connectionLifecycle, presenceHandlers } from './presence.js';
import { readStateHandlers } from './read-state.js';
import { roomHandlers } from './rooms.js';
import type { ChatServer, ChatSocket, SocketDeps } from './types.js';
import { typingHandlers } from './typing.js';

/** Socket.IO passes `data` of a middleware error to the client's `connect_error`. */
const connectError = (error: unknown): Error & { data: ErrorPayload } => {
  const data = toErrorPayload(error);
  return Object.assign(new Error(data.message), { data });
};

export const registerSockets = (
  io: ChatServer,
  deps: SocketDeps & {
    auth: AuthService;
    isShuttingDown: () => boolean;
    connectionLimits: ConnectionLimits;
    clientAddress: ClientAddress;
    maxBufferedBytes: number;
  },
): { close(): void } => {
  // One listener for every transport; `this` is the transport that closed.
  function releaseSlot(this: object): void {
    deps.connectionLimits.release(this);
  }

  io.use(async (socket, next) => {
    try {
      if (deps.isShuttingDown()) throw new AppError('UNAVAILABLE', 'The server is shutting down');
      const token: unknown = socket.handshake.auth?.token;
      if (typeof token !== 'string' || token.length === 0) {
        throw new AppError('UNAUTHORIZED', 'Send a token in the handshake: auth: { token }');
      }
      const user = await deps.auth.verify(token);
      socket.data.user = user;
      const address = deps.clientAddress(socket.request);
      if (await deps.connectionLimits.admit(socket.conn, user.id, address)) {
        // A transport that closed while the cluster was asked will not tell us again.
        if (socket.conn.readyState === 'closed') deps.connectionLimits.release(socket.conn);
        else socket.conn.on('close', releaseSlot);
      }
      next();
    } catch (error) {
      next(connectError(error));
    }
  });

  const lifecycle = connectionLifecycle(deps);
  const handlers: EventHandlers = {
    ...authHandlers({
      auth: deps.auth,
      policy: deps.policy,
      expireAt: lifecycle.expireAt,
      logger: deps.logger,
    }),
    ...roomHandlers(deps),
    ...messageHandlers(deps),
    ...messageChangeHandlers(deps),
    ...readStateHandlers(deps),
    ...typingHandlers(deps),
    ...presenceHandlers(deps),
  };
  // Built once; every socket registers the same functions.
  const listeners = (Object.keys(handlers) as Array<keyof EventHandlers>).map(
    (event) =>
      [event, sharedListener(event, handlers[event] as never, deps.logger, deps.budgets)] as const,
  );
  const outgoing = outgoingLimit(deps);

  io.on('connection', (socket) => {
    lifecycle.opened(socket);
    outgoing.watch(socket);
    for (const [event, listener] of listeners) socket.on(event, listener as never);
    socket.onAny(answerUnknownEvent);
  });

  return { close: () => lifecycle.close() };
};

function answerUnknownEvent(this: ChatSocket, event: string, ...args: unknown[]): void {
  if (Object.hasOwn(clientEventSchemas, event)) return;
  takeAck(args)?.({
    ok: false,
    error: { code: 'NOT_FOUND', message: `Unknown event "${event}"` },
  });
}
