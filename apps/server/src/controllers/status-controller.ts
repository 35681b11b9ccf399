import type { StatusResponse } from '@chatter/protocol';
import type { Reply } from '../routes/route.js';
import type { AuthUser } from '../services/auth-service.js';
import type { StatusService } from '../services/status-service.js';

export const createStatusController = (status: StatusService) => ({
  async list(
    { users }: { users?: string[] | undefined },
    caller: AuthUser,
  ): Promise<Reply<StatusResponse>> {
    const statuses = users ? await status.lookUp(caller, users) : await status.listOnline(caller);
    return { status: 200, body: { users: statuses } };
  },
});
