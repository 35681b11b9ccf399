import type { EditMessageRequest, MessageChangeResponse } from '@chatter/protocol';
import type { Reply } from '../routes/route.js';
import type { AuthUser } from '../services/auth-service.js';
import type { MessageChangeService } from '../services/message-change-service.js';
import type { ChangeResult } from '../store/chat-store.js';

interface MessageParams {
  id: string;
}

interface ReactionParams extends MessageParams {
  emoji: string;
}

const answer = ({ message, change }: ChangeResult): Reply<MessageChangeResponse> => ({
  status: 200,
  body: { message, change },
});

/**
 * The REST doors to `MessageChangeService`. A route names the message by id alone (the service
 * looks its room up), and no connection made the change, so it goes to the whole room.
 */
export const createMessageChangesController = (changes: MessageChangeService) => ({
  async edit(
    { params, body }: { params: MessageParams; body: EditMessageRequest },
    user: AuthUser,
  ): Promise<Reply<MessageChangeResponse>> {
    return answer(await changes.edit(user, { id: params.id, ...body }));
  },

  async delete(
    { params }: { params: MessageParams },
    user: AuthUser,
  ): Promise<Reply<MessageChangeResponse>> {
    return answer(await changes.delete(user, { id: params.id }));
  },

  async react(
    { params }: { params: ReactionParams },
    user: AuthUser,
  ): Promise<Reply<MessageChangeResponse>> {
    return answer(await changes.react(user, params, true));
  },

  async unreact(
    { params }: { params: ReactionParams },
    user: AuthUser,
  ): Promise<Reply<MessageChangeResponse>> {
    return answer(await changes.react(user, params, false));
  },
});
