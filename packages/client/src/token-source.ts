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
  readonly #userChanged: () => void;

  /** `userChanged` hears when `user` becomes a different user (another id or name). */
  constructor(
    token: string | undefined,
    getToken: GetToken | undefined,
    userChanged: () => void = () => {},
  ) {
    this.#token = token;
    this.#getToken = getToken;
    this.#user = token ? userFromToken(token) : null;
    this.#userChanged = userChanged;
  }

  /** The user the current token names, once there is a token: the same object until it changes. */
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
        // Never synchronously: a getToken that throws at once would settle this before `#fetching`
        // is set, and the `finally` below would leave that failed promise there for good.
        const token = await Promise.resolve().then(getToken);
        if (typeof token !== 'string' || token.length === 0) {
          throw new ChatterError('UNAUTHORIZED', 'getToken() returned no token');
        }
        checkLength(token);
        this.#token = token;
        this.#setUser(userFromToken(token));
        return token;
      } catch (error) {
        throw toChatterError(error, 'UNAUTHORIZED');
      } finally {
        this.#fetching = undefined;
      }
    })();
    return this.#fetching;
  }

  /** Takes the user a new token names, keeping the object in hand when it is the same user. */
  #setUser(user: User | null): void {
    if (!user || (user.id === this.#user?.id && user.name === this.#user.name)) return;
    this.#user = user;
    this.#userChanged();
  }

  /** The token in hand, if any, without asking `getToken`. */
  get token(): string | undefined {
    return this.#token;
  }

  /** Whether a `getToken` can supply new tokens. */
  get refreshable(): boolean {
    return this.#getToken !== undefined;
  }

  /** Replaces the token in hand (`chat.setToken`); throws for one no server accepts. */
  set(token: string): void {
    if (typeof token !== 'string' || token.length === 0) {
      throw new ChatterError('VALIDATION', 'setToken() needs a token');
    }
    checkLength(token);
    this.#token = token;
    this.#setUser(userFromToken(token));
  }

  /** Asks `getToken` for a new token now, before the one in hand expires. */
  refresh(): Promise<string> {
    if (this.#fetching) return this.#fetching;
    const kept = this.#token;
    this.#token = undefined;
    const fetching = this.current();
    // Until the new one comes, the old one is still good for the next handshake.
    fetching.catch(() => {
      if (this.#token === undefined) this.#token = kept;
    });
    return fetching;
  }

  /** Forgets the token so the next use asks `getToken`; `false` when there is no `getToken`. */
  invalidate(): boolean {
    if (!this.#getToken) return false;
    this.#token = undefined;
    return true;
  }
}
