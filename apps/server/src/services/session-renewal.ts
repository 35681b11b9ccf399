import { AppError } from '../utils/errors.js';
import type { AuthService, AuthUser } from './auth-service.js';

/**
 * Checks a fresh token for a connection that is already open: valid, and naming the user the
 * connection was opened for. A connection never changes hands; another user connects anew.
 *
 * @example
 * ```ts
 * socket.data.user = await renewSession(auth, socket.data.user, token);
 * ```
 */
export const renewSession = async (
  auth: AuthService,
  current: AuthUser,
  token: string,
): Promise<AuthUser> => {
  const user = await auth.verify(token);
  if (user.id !== current.id) {
    throw new AppError(
      'FORBIDDEN',
      'The token names another user: a connection stays with the user it was opened for',
    );
  }
  return user;
};
