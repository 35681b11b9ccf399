import { onEvent } from './on-event.js';
import type { ChatSocket, SocketDeps } from './types.js';

export const registerMessageHandlers = (socket: ChatSocket, { chat, logger }: SocketDeps): void => {
  const { user } = socket.data;

  onEvent(socket, logger, 'message', async (payload, { acknowledged }) => {
    // The message comes back in the acknowledgement; a client that asked for none gets the
    // broadcast like everyone else.
    const { message } = await chat.send(user, payload, acknowledged ? socket.id : undefined);
    return { message };
  });

  onEvent(socket, logger, 'history', (query) => chat.history(user, query));
};
