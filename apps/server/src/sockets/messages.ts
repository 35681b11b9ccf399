import { onEvent } from './on-event.js';
import type { ChatSocket, SocketDeps } from './types.js';

export const registerMessageHandlers = (socket: ChatSocket, { chat, logger }: SocketDeps): void => {
  const { user } = socket.data;

  onEvent(socket, logger, 'message', async (payload) => {
    const { message } = await chat.send(user, payload, socket.id);
    return { message };
  });

  onEvent(socket, logger, 'history', (query) => chat.history(user, query));
};
