import type {
  CreateSessionRequest,
  CreateSessionResponse,
  CurrentSessionResponse,
} from '@chatter/protocol';
import type { PublicRequest, Reply } from '../routes/route.js';
import type { AuthUser } from '../services/auth-service.js';
import type { SessionService } from '../services/session-service.js';

// The latest time a Date can hold.
const LATEST_DATE_MS = 8.64e15;

export const createSessionController = (sessions: SessionService) => ({
  async create(
    input: CreateSessionRequest,
    request: PublicRequest,
  ): Promise<Reply<CreateSessionResponse>> {
    return { status: 201, body: await sessions.startGuest(input.name, request.address) };
  },

  async current(_input: unknown, user: AuthUser): Promise<Reply<CurrentSessionResponse>> {
    return {
      status: 200,
      body: {
        user: { id: user.id, name: user.name },
        // Verification bounds every exp (CHATTER_MAX_TOKEN_TTL); clamped all the same, since
        // toISOString throws past the year 275760.
        expiresAt: new Date(Math.min(user.expiresAtMs, LATEST_DATE_MS)).toISOString(),
      },
    };
  },
});
