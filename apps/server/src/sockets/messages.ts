import type { EventHandler } from './on-event.js';
import type { SocketDeps } from './types.js';

export const messageHandlers = ({
  chat,
  metrics,
}: SocketDeps): { message: EventHandler<'message'>; history: EventHandler<'history'> } => ({
  message: async (socket, payload, { acknowledged }) => {
    // The message comes back in the acknowledgement; a client that asked for none gets the
    // broadcast like everyone else.
    const connection = acknowledged ? socket.id : undefined;
    const receivedAt = performance.now();
    const { message } = await chat.send(socket.data.user, payload, connection);
    metrics?.ackLatency((performance.now() - receivedAt) / 1000);
    return { message };
  },

  history: (socket, query) => chat.history(socket.data.user, query),
});
