import type {
  CreateSessionRequest,
  CreateSessionResponse,
  CurrentSessionResponse,
} from '@chatter/protocol';
import type { Reply } from '../routes/route.js';
import type { AuthService, AuthUser } from '../services/auth-service.js';
import { AppError } from '../utils/errors.js';

export const createSessionController = (auth: AuthService, guestsEnabled: boolean) => ({
  async create(input: CreateSessionRequest): Promise<Reply<CreateSessionResponse>> {
    if (!guestsEnabled) {
      throw new AppError('FORBIDDEN', 'Guest sessions are turned off on this server');
    }
    return { status: 201, body: await auth.issueGuestSession(input.name) };
  },

  async current(_input: unknown, user: AuthUser): Promise<Reply<CurrentSessionResponse>> {
    return {
      status: 200,
      body: {
        user: { id: user.id, name: user.name },
        expiresAt: new Date(user.expiresAtMs).toISOString(),
      },
    };
  },
});
