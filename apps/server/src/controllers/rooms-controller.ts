import type { ReadRequest, ReadState, RoomsResponse } from '@chatter/protocol';
import type { Reply } from '../routes/route.js';
import type { AuthUser } from '../services/auth-service.js';
import type { ReadStateService } from '../services/read-state-service.js';

export const createRoomsController = (readState: ReadStateService) => ({
  async list(_input: unknown, user: AuthUser): Promise<Reply<RoomsResponse>> {
    return { status: 200, body: { rooms: await readState.rooms(user) } };
  },

  async read(
    { params, body }: { params: { room: string }; body: ReadRequest },
    user: AuthUser,
  ): Promise<Reply<ReadState>> {
    return { status: 200, body: await readState.markRead(user, { room: params.room, ...body }) };
  },
});
