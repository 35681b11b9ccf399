import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiters } from '../utils/rate-limit.js';
import type { RedisLink } from './redis-link.js';

/**
 * Budgets kept in Redis, so a user's messages per minute count on every node together. While
 * Redis is unreachable each node falls back to a budget of its own (rate-limiter-flexible's
 * insurance limiter): sends keep working, limited per node until the link is back.
 */
export const redisRateLimiters =
  (link: RedisLink): RateLimiters =>
  (name, budget) =>
    new RateLimiterRedis({
      ...budget,
      storeClient: link.commands,
      useRedisPackage: true,
      keyPrefix: link.key(`limits:${name}`),
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(budget),
    });
