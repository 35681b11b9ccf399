import type { CreateSessionResponse } from '@chatter/protocol';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../utils/errors.js';
import type { AuthService } from './auth-service.js';

/**
 * Guest sessions. Each guest gets budgets of its own (messages, connections), so starting
 * sessions is limited per client address: otherwise a new identity per request would dodge
 * every per-user limit.
 */
export class SessionService {
  readonly #auth: AuthService;
  readonly #guestsEnabled: boolean;
  readonly #perAddress: RateLimiterMemory;

  constructor(deps: { auth: AuthService; guestsEnabled: boolean; sessionsPerMinute: number }) {
    this.#auth = deps.auth;
    this.#guestsEnabled = deps.guestsEnabled;
    this.#perAddress = new RateLimiterMemory({ points: deps.sessionsPerMinute, duration: 60 });
  }

  async startGuest(name: string, address: string): Promise<CreateSessionResponse> {
    if (!this.#guestsEnabled) {
      throw new AppError('FORBIDDEN', 'Guest sessions are turned off on this server');
    }
    try {
      await this.#perAddress.consume(address);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw new AppError('RATE_LIMITED', 'Too many new sessions from this address; slow down', {
        retryAfterMs: rejection.msBeforeNext,
      });
    }
    return this.#auth.issueGuestSession(name);
  }
}
