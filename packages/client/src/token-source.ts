import { LIMITS, type User } from '@chatter/protocol';
import { ChatterError, toChatterError } from './errors.js';
import { userFromToken } from './token.js';

/**
 * Supplies a token: called on connect and whenever the server refuses the one in hand (expired,
 * say). May return the token directly or a promise of it.
 *
 * @example
 * ```ts
 * const getToken: GetToken = async () => {
 *   const response = await fetch('/api/chat-token', { credentials: 'include' });
 *   return response.text();
 * };
 * ```
 */
export type GetToken = () => string | Promise<string>;

/**
 * Refuses a token no server accepts. One past the server's frame limit (`maxPayloadBytes`) would
 * not even be refused: the server closes the connection before reading it, and Socket.IO would
 * retry it forever with no reason given.
 */
const checkLength = (token: string): string => {
  if (token.length > LIMITS.maxTokenLength) {
    throw new ChatterError(
      'UNAUTHORIZED',
      `Token is too large: ${token.length} characters, and at most ${LIMITS.maxTokenLength} are accepted`,
    );
  }
  return token;
};

/**
 * The current token: a fixed one, or one from `getToken`, fetched on first use and again after
 * the server refused the one in hand.
 */
export class TokenSource {
  readonly #getToken: GetToken | undefined;
  #token: string | undefined;
  #fetching: Promise<string> | undefined;
  #user: User | null;

  constructor(token: string | undefined, getToken: GetToken | undefined) {
    this.#token = token;
    this.#getToken = getToken;
    this.#user = token ? userFromToken(token) : null;
  }

  /** The user the current token names, once there is a token. */
  get user(): User | null {
    return this.#user;
  }

  current(): Promise<string> {
    if (this.#token !== undefined) {
      try {
        return Promise.resolve(checkLength(this.#token));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const getToken = this.#getToken;
    if (!getToken) return Promise.reject(new ChatterError('UNAUTHORIZED', 'No token'));
    this.#fetching ??= (async () => {
      try {
        const token = await getToken();
        if (typeof token !== 'string' || token.length === 0) {
          throw new ChatterError('UNAUTHORIZED', 'getToken() returned no token');
        }
        checkLength(token);
        this.#token = token;
        this.#user = userFromToken(token) ?? this.#user;
        return token;
      } catch (error) {
        throw toChatterError(error, 'UNAUTHORIZED');
      } finally {
        this.#fetching = undefined;
      }
    })();
    return this.#fetching;
  }

  /** Forgets the token so the next use asks `getToken`; `false` when there is no `getToken`. */
  invalidate(): boolean {
    if (!this.#getToken) return false;
    this.#token = undefined;
    return true;
  }
}
