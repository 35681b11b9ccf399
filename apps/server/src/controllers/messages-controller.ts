import type {
  HistoryPayload,
  HistoryResponse,
  PostMessageResponse,
  SendMessagePayload,
} from '@chatter/protocol';
import type { Reply } from '../routes/route.js';
import type { AuthUser } from '../services/auth-service.js';
import type { ChatService } from '../services/chat-service.js';

export const createMessagesController = (chat: ChatService) => ({
  async list(query: HistoryPayload, user: AuthUser): Promise<Reply<HistoryResponse>> {
    return { status: 200, body: await chat.history(user, query) };
  },

  async post(payload: SendMessagePayload, user: AuthUser): Promise<Reply<PostMessageResponse>> {
    const { message, created } = await chat.send(user, payload);
    // A retry answers like the original did; the header tells a careful client it was a replay.
    return {
      status: 201,
      body: { message },
      headers: created ? {} : { 'Idempotent-Replayed': 'true' },
    };
  },
});
