import { sleep } from './deadline.js';
import { toChatterError } from './errors.js';
import type { ChatterLogger } from './logger.js';

/** How often one read is asked again after the server refused it for its budget. */
const MAX_RETRIES = 5;

/** The wait a `RATE_LIMITED` answer asks for, or undefined for any other error. */
const retryAfterMs = (error: unknown): number | undefined => {
  const chatterError = toChatterError(error);
  if (chatterError.code !== 'RATE_LIMITED') return undefined;
  const wait = (chatterError.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return typeof wait === 'number' && wait >= 0 ? wait : undefined;
};

/**
 * Runs a read (a join, a history page) and, when the server answers that this connection has
 * read too much too fast, runs it again once the server says it will be let through. A long
 * catch-up then slows down to the server's budget instead of stopping halfway. The wait ends
 * early when `signal` aborts.
 */
export const retryRateLimited = async <T>(
  read: () => Promise<T>,
  signal?: AbortSignal,
  logger?: ChatterLogger,
): Promise<T> => {
  for (let retries = 0; ; retries++) {
    try {
      return await read();
    } catch (error) {
      const wait = retryAfterMs(error);
      if (wait === undefined || retries >= MAX_RETRIES) throw error;
      logger?.warn('chatter: rate limited by the server; asking again', { retryAfterMs: wait });
      await sleep(wait, signal);
    }
  }
};
