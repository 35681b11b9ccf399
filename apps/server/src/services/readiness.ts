import type { ChatStore } from '../store/chat-store.js';
import { AppError } from '../utils/errors.js';
import type { Logger } from '../utils/logger.js';
import type { AuthService } from './auth-service.js';

// How long a load balancer should wait before it asks again.
const RETRY_AFTER_MS = 5000;

export interface ReadinessDeps {
  store: ChatStore;
  auth: AuthService;
  isShuttingDown: () => boolean;
  logger: Logger;
}

/**
 * What `/readyz` asks: can this server read and write messages and verify tokens right now?
 * Resolves with undefined when it can, or with the UNAVAILABLE error that says why not. The
 * store's own message is kept: it names the backend and the reason (never a password), which is
 * what the operator looking at a failing probe needs. A change either way is logged once.
 */
export const createReadinessCheck = ({ store, auth, isShuttingDown, logger }: ReadinessDeps) => {
  let lastReason: string | undefined;

  const reasonNotReady = async (): Promise<string | undefined> => {
    if (isShuttingDown()) return 'the server is shutting down';
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
