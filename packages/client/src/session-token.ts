import type { Connection } from './connection.js';
import { ChatterError } from './errors.js';
import type { ChatterLogger } from './logger.js';
import type { Outbox } from './outbox.js';
import { userFromToken } from './token.js';
import { TokenRefresh } from './token-refresh.js';
import type { TokenSource } from './token-source.js';

/** What {@link SessionToken} needs from its client. */
export interface SessionTokenDeps {
  tokens: TokenSource;
  connection: Pick<Connection, 'connected' | 'request' | 'start'>;
  outbox: Pick<Outbox, 'waitFor'>;
  /** A fixed token nears its `exp` and only the app can replace it (`tokenExpiring`). */
  expiring(expiresAtMs: number): void;
  logger: ChatterLogger;
  reportError(error: ChatterError): void;
}

/**
 * The token side of a client's session: `setToken`, renewal before the token expires (see
 * {@link TokenRefresh}), and the wait for a new token after the server refused the one in hand
 * and nothing here can replace it (queued sends then wait for `token`).
 */
export class SessionToken {
  readonly #deps: SessionTokenDeps;
  readonly #refresh: TokenRefresh;
  /** The server refused the token and nothing here can replace it: waits for `setToken`. */
  #needsToken = false;

  constructor(deps: SessionTokenDeps) {
    this.#deps = deps;
    const { connection } = deps;
    this.#refresh = new TokenRefresh({
      tokens: deps.tokens,
      connected: () => connection.connected,
      renew: async (token) => {
        await connection.request('auth', { token });
      },
      expiring: (expiresAtMs) => deps.expiring(expiresAtMs),
      logger: deps.logger,
      reportError: (error) => deps.reportError(error),
    });
  }

  /** Whether the session waits for `setToken` (the server refused the token for good). */
  get needsToken(): boolean {
    return this.#needsToken;
  }

  /** `chat.setToken`, on a client that is not closed. */
  set(token: string): void {
    const { tokens, connection, outbox, logger } = this.#deps;
    const next = userFromToken(token);
    const current = tokens.user;
    if (next && current && next.id !== current.id) {
      throw new ChatterError(
        'VALIDATION',
        `setToken: the token names user "${next.id}", and this client is "${current.id}"; create a new client for another user`,
      );
    }
    tokens.set(token);
    logger.info('chatter: token replaced');
    if (connection.connected) {
      void this.#refresh.renew(token);
      return;
    }
    this.#refresh.schedule();
    if (this.#needsToken) {
      this.#needsToken = false;
      outbox.waitFor('connection');
      connection.start();
    }
  }

  /** Connected (so with a token the server took): plans the renewal of that token. */
  connected(): void {
    this.#needsToken = false;
    this.#refresh.schedule();
  }

  /** The server refused the token for good: queued sends wait for `setToken`. */
  refused(): void {
    this.#needsToken = true;
    this.#deps.outbox.waitFor('token');
  }

  close(): void {
    this.#refresh.close();
  }
}
