import type { ChatStore } from '../store/chat-store.js';
import { AppError } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import type { AuthService } from './auth-service.js';

// How long a load balancer should wait before it asks again.
const RETRY_AFTER_MS = 5000;

/** What readiness needs to know of a cluster's Redis link. */
export interface RedisLinkState {
  readonly up: boolean;
  /** Where it points, without credentials. */
  readonly target: string;
}

export interface ReadinessDeps {
  store: ChatStore;
  auth: AuthService;
  isShuttingDown: () => boolean;
  logger: Logger;
  redis?: RedisLinkState | undefined;
}

/**
 * What `/readyz` asks: can this server read and write messages, verify tokens and (in a cluster)
 * reach Redis right now?
 * Resolves with undefined when it can, or with the UNAVAILABLE error that says why not. The
 * store's own message is kept: it names the backend and the reason (never a password), which is
 * what the operator looking at a failing probe needs. A change either way is logged once.
 */
export const createReadinessCheck = ({
  store,
  auth,
  isShuttingDown,
  logger,
  redis,
}: ReadinessDeps) => {
  let lastReason: string | undefined;

  const reasonNotReady = async (): Promise<string | undefined> => {
    if (isShuttingDown()) return 'the server is shutting down';
    // Without Redis this node still stores and serves, but its sockets miss the other nodes'
    // live events: a load balancer should prefer the nodes that have them.
    if (redis && !redis.up) return `the Redis link to ${redis.target} is down`;
    try {
      await store.ping();
    } catch (error) {
      return `the store cannot serve reads and writes: ${(error as Error).message}`;
    }
    try {
      await auth.selfCheck();
    } catch (error) {
      return `tokens cannot be verified: ${(error as Error).message}`;
    }
    return undefined;
  };

  return async (): Promise<AppError | undefined> => {
    const reason = await reasonNotReady();
    if (reason !== lastReason) {
      if (reason === undefined) logger.info('ready again');
      else logger.warn({ reason }, `not ready: ${reason}`);
      lastReason = reason;
    }
    return reason === undefined
      ? undefined
      : new AppError('UNAVAILABLE', `Not ready: ${reason}`, { retryAfterMs: RETRY_AFTER_MS });
  };
};
