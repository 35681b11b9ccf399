import { AppError } from '../utils/errors.js';
import type { AccessPolicy } from './access-policy.js';
import type { AuthService, AuthUser } from './auth-service.js';

/**
 * Checks a fresh token for a connection that is already open: valid, naming the user the
 * connection was opened for, and allowing every room the connection is in. A connection never
 * changes hands (another user connects anew), and a token with fewer rooms (a narrower `rooms`
 * claim) is for a new connection, which joins only what it allows.
 *
 * @example
 * ```ts
 * socket.data.user = await renewSession({ auth, policy }, socket.data.user, token, joinedRooms);
 * ```
 */
export const renewSession = async (
  { auth, policy }: { auth: AuthService; policy: AccessPolicy },
  current: AuthUser,
  token: string,
  joinedRooms: Iterable<string>,
): Promise<AuthUser> => {
  const user = await auth.verify(token);
  if (user.id !== current.id) {
    throw new AppError(
      'FORBIDDEN',
      'The token names another user: a connection stays with the user it was opened for',
    );
  }
  const outside = [...joinedRooms].filter((room) => !policy.decide(user, 'join', room).allowed);
  if (outside.length > 0) {
    throw new AppError(
      'FORBIDDEN',
      'The token does not allow every room this connection is in: connect anew with it',
      { rooms: outside.slice(0, 10) },
    );
  }
  return user;
};
