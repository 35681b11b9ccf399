import type { AuthService } from '../services/auth-service.js';
import { renewSession } from '../services/session-renewal.js';
import type { EventHandler } from './on-event.js';
import type { ChatSocket, SocketDeps } from './types.js';

export interface AuthHandlerDeps extends Pick<SocketDeps, 'logger'> {
  auth: AuthService;
  /** Moves the moment the connection is closed for its token's expiry. */
  expireAt(socket: ChatSocket, atMs: number): void;
}

/**
 * `auth`: a fresh token for an open connection, so a session outlives the token it started
 * with (the SDK sends one before the old one expires) instead of dropping and reconnecting.
 */
export const authHandlers = ({
  auth,
  expireAt,
  logger,
}: AuthHandlerDeps): { auth: EventHandler<'auth'> } => ({
  auth: async (socket, { token }) => {
    const user = await renewSession(auth, socket.data.user, token);
    // A connection that closed while the token was verified must not be kept in the wheel.
    if (socket.connected) {
      socket.data.user = user;
      expireAt(socket, user.expiresAtMs);
      logger.debug({ userId: user.id, socketId: socket.id }, 'session renewed');
    }
    return { expiresAt: new Date(user.expiresAtMs).toISOString() };
  },
});
