import { ChatterError, toChatterError } from './errors.js';
import type { ChatterLogger } from './logger.js';
import { tokenTimes } from './token.js';
import type { TokenSource } from './token-source.js';

/** Never earlier than this share of a token's life: a short-lived token is not refreshed at once. */
const EARLIEST_SHARE = 0.5;
/** Refreshed at 80–90 % of its life (jittered, so many clients do not ask together)… */
const SHARE = 0.8;
const SHARE_JITTER = 0.1;
/** …or this long before it expires, whichever is sooner. */
const LEAD_MS = 60_000;
/** After a refresh that failed (getToken threw), asked again this much later. */
const RETRY_MS = 5000;
/** At least this long between two refreshes, whatever the tokens say. */
const MIN_GAP_MS = 1000;

/**
 * When to refresh a token: at 80–90 % of its life or a minute before it expires, whichever is
 * sooner, but not before half of it. `issuedAtMs` is `iat`, or when the token came to hand.
 */
export const refreshAt = (
  expiresAtMs: number,
  issuedAtMs: number,
  random: number = Math.random(),
): number => {
  const life = expiresAtMs - issuedAtMs;
  if (life <= 0) return issuedAtMs;
  const share = Math.max(
    EARLIEST_SHARE,
    Math.min(SHARE + SHARE_JITTER * random, (life - LEAD_MS) / life),
  );
  return issuedAtMs + life * share;
};

export interface TokenRefreshDeps {
  tokens: TokenSource;
  connected(): boolean;
  /** Hands the new token to the open connection (the `auth` event); throws `ChatterError`. */
  renew(token: string): Promise<void>;
  /** A fixed token nears its end, and nothing here can replace it: the app should. */
  expiring(expiresAtMs: number): void;
  logger: ChatterLogger;
  reportError(error: ChatterError): void;
}

/**
 * Keeps a session alive across token lifetimes. With `getToken`, asks it for a new token before
 * the one in hand expires and hands that to the open connection, so the server never drops a
 * valid session; the next handshake uses it too. With a fixed token, says when it nears its end.
 */
export class TokenRefresh {
  readonly #deps: TokenRefreshDeps;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The token the timer is for, so scheduling the same token again keeps its timer. */
  #scheduledFor: string | undefined;
  #lastRefreshAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(deps: TokenRefreshDeps) {
    this.#deps = deps;
  }

  /** Plans the next refresh for the token in hand (after a connect, a refresh, `setToken`). */
  schedule(): void {
    const token = this.#deps.tokens.token;
    if (this.#closed || token === undefined || token === this.#scheduledFor) return;
    clearTimeout(this.#timer);
    this.#scheduledFor = token;
    const times = tokenTimes(token);
    if (!times) return;
    const now = Date.now();
    const at = refreshAt(times.expiresAtMs, Math.min(times.issuedAtMs ?? now, now));
    const delay = Math.max(0, at - now, this.#lastRefreshAt + MIN_GAP_MS - now);
    this.#deps.logger.debug('chatter: token refresh planned', {
      inMs: Math.round(delay),
      expiresAt: new Date(times.expiresAtMs).toISOString(),
    });
    this.#timer = setTimeout(() => void this.#due(times.expiresAtMs), delay);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #due(expiresAtMs: number): Promise<void> {
    const { tokens, logger } = this.#deps;
    if (this.#closed) return;
    if (!tokens.refreshable) {
      logger.warn('chatter: the token expires soon; call setToken() with a new one', {
        expiresAt: new Date(expiresAtMs).toISOString(),
      });
      this.#deps.expiring(expiresAtMs);
      return;
    }
    this.#lastRefreshAt = Date.now();
    const previous = tokens.token;
    let token: string;
    try {
      token = await tokens.refresh();
    } catch (error) {
      if (this.#closed) return;
      logger.warn('chatter: getToken() failed while refreshing the token; trying again', {
        error: toChatterError(error).message,
        inMs: RETRY_MS,
      });
      this.#retry(expiresAtMs);
      return;
    }
    if (token === previous) {
      // A getToken that caches tokens until they expire: ask again a little later.
      logger.warn('chatter: getToken() returned the token about to expire; asking again', {
        inMs: RETRY_MS,
      });
      this.#retry(expiresAtMs);
      return;
    }
    await this.renew(token);
  }

  /** Hands `token` to the open connection (if any) and plans the refresh after it. */
  async renew(token: string): Promise<void> {
    const { logger } = this.#deps;
    this.schedule();
    if (this.#closed || !this.#deps.connected()) return;
    try {
      await this.#deps.renew(token);
      logger.info('chatter: session renewed with a new token');
    } catch (thrown) {
      const error = toChatterError(thrown);
      // Dropped meanwhile: the next handshake carries the new token anyway.
      if (error.code === 'DISCONNECTED' || this.#closed) return;
      if (error.code === 'NOT_FOUND') {
        // A server from before `auth`: it drops the session at expiry, and the reconnection
        // brings the new token, as it always did.
        logger.info('chatter: the server cannot renew a session; it reconnects at expiry');
        return;
      }
      logger.warn('chatter: the server refused the new token', { code: error.code });
      this.#deps.reportError(
        new ChatterError(error.code, `The new token was refused: ${error.message}`, {
          cause: error,
          details: error.details,
        }),
      );
    }
  }

  #retry(expiresAtMs: number): void {
    if (Date.now() + RETRY_MS >= expiresAtMs) return; // the reconnection asks getToken itself
    this.#timer = setTimeout(() => void this.#due(expiresAtMs), RETRY_MS);
  }
}
