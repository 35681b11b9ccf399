import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from './errors.js';

/**
 * Takes one point from `key`'s budget in `limiter`, or throws RATE_LIMITED with `message` and
 * how long until a point is back (`details.retryAfterMs`). Anything else the limiter throws (a
 * store fault, once limits live in Redis) passes through as it is.
 */
export const consumeOrRefuse = async (
  limiter: RateLimiterAbstract,
  key: string,
  message: string,
): Promise<void> => {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    throw new AppError('RATE_LIMITED', message, { retryAfterMs: rejection.msBeforeNext });
  }
};

/**
 * Makes the limiter for one kind of budget (`name`): in memory on one node, in Redis for a
 * cluster, so a budget holds across every node.
 */
export type RateLimiters = (
  name: string,
  budget: { points: number; duration: number },
) => RateLimiterAbstract;

export const inMemoryRateLimiters: RateLimiters = (_name, budget) => new RateLimiterMemory(budget);
