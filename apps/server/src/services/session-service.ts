import type { CreateSessionResponse } from '@chatter/protocol';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../utils/errors.js';
import { consumeOrRefuse, inMemoryRateLimiters, type RateLimiters } from '../utils/rate-limit.js';
import type { AuthService } from './auth-service.js';

/**
 * Guest sessions. Each guest gets budgets of its own (messages, connections), so starting
 * sessions is limited per client address: otherwise a new identity per request would dodge
 * every per-user limit.
 */
export class SessionService {
  readonly #auth: AuthService;
  readonly #guestsEnabled: boolean;
  readonly #perAddress: RateLimiterAbstract;

  constructor(deps: {
    auth: AuthService;
    guestsEnabled: boolean;
    sessionsPerMinute: number;
    limiters?: RateLimiters;
  }) {
    this.#auth = deps.auth;
    this.#guestsEnabled = deps.guestsEnabled;
    this.#perAddress = (deps.limiters ?? inMemoryRateLimiters)('sessions', {
      points: deps.sessionsPerMinute,
      duration: 60,
    });
  }

  async startGuest(name: string, address: string): Promise<CreateSessionResponse> {
    if (!this.#guestsEnabled) {
      throw new AppError('FORBIDDEN', 'Guest sessions are turned off on this server');
    }
    await consumeOrRefuse(
      this.#perAddress,
      address,
      'Too many new sessions from this address; slow down',
    );
    return this.#auth.issueGuestSession(name);
  }
}
