import { clientEventSchemas, type ErrorPayload } from '@chatter/protocol';
import type { AuthService } from '../services/auth-service.js';
import { AppError, toErrorPayload } from '../utils/errors.js';
import { registerMessageHandlers } from './messages.js';
import { takeAck } from './on-event.js';
import { registerPresenceHandlers } from './presence.js';
import { registerRoomHandlers } from './rooms.js';
import type { ChatServer, SocketDeps } from './types.js';
import { registerTypingHandlers } from './typing.js';

/** Socket.IO passes `data` of a middleware error to the client's `connect_error`. */
const connectError = (error: unknown): Error & { data: ErrorPayload } => {
  const data = toErrorPayload(error);
  return Object.assign(new Error(data.message), { data });
};

export const registerSockets = (
  io: ChatServer,
  deps: SocketDeps & { auth: AuthService; isShuttingDown: () => boolean },
): void => {
  io.use(async (socket, next) => {
    try {
      if (deps.isShuttingDown()) throw new AppError('UNAVAILABLE', 'The server is shutting down');
      const token: unknown = socket.handshake.auth?.token;
      if (typeof token !== 'string' || token.length === 0) {
        throw new AppError('UNAUTHORIZED', 'Send a token in the handshake: auth: { token }');
      }
      socket.data.user = await deps.auth.verify(token);
      next();
    } catch (error) {
      next(connectError(error));
    }
  });

  io.on('connection', (socket) => {
    registerPresenceHandlers(socket, deps);
    registerRoomHandlers(socket, deps);
    registerMessageHandlers(socket, deps);
    registerTypingHandlers(socket, deps);

    socket.onAny((event: string, ...args: unknown[]) => {
      if (Object.hasOwn(clientEventSchemas, event)) return;
      takeAck(args)?.({
        ok: false,
        error: { code: 'NOT_FOUND', message: `Unknown event "${event}"` },
      });
    });
  });
};
