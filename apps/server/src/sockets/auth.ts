import { ROOM_NAME_PATTERN } from '@chatter/protocol';
import type { AuthService } from '../services/auth-service.js';
import { renewSession } from '../services/session-renewal.js';
import type { EventHandler } from './on-event.js';
import type { ChatSocket, SocketDeps } from './types.js';

export interface AuthHandlerDeps extends Pick<SocketDeps, 'logger' | 'policy'> {
  auth: AuthService;
  /** Moves the moment the connection is closed for its token's expiry. */
  expireAt(socket: ChatSocket, atMs: number): void;
}

/** The chat rooms a socket is in: its Socket.IO rooms without its own and its user's. */
const chatRoomsOf = (socket: ChatSocket): string[] =>
  [...socket.rooms].filter((room) => room !== socket.id && ROOM_NAME_PATTERN.test(room));

/**
 * `auth`: a fresh token for an open connection, so a session outlives the token it started
 * with (the SDK sends one before the old one expires) instead of dropping and reconnecting.
 */
export const authHandlers = ({
  auth,
  policy,
  expireAt,
  logger,
}: AuthHandlerDeps): { auth: EventHandler<'auth'> } => ({
  auth: async (socket, { token }) => {
    const user = await renewSession({ auth, policy }, socket.data.user, token, chatRoomsOf(socket));
    // A connection that closed while the token was verified must not be kept in the wheel.
    if (socket.connected) {
      socket.data.user = user;
      expireAt(socket, user.expiresAtMs);
      logger.debug({ userId: user.id, socketId: socket.id }, 'session renewed');
    }
    return { expiresAt: new Date(user.expiresAtMs).toISOString() };
  },
});
