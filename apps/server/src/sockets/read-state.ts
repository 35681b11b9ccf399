import type { EventHandler } from './on-event.js';
import type { SocketDeps } from './types.js';

export const readStateHandlers = ({
  readState,
}: SocketDeps): { read: EventHandler<'read'>; rooms: EventHandler<'rooms'> } => ({
  read: (socket, payload) => readState.markRead(socket.data.user, payload),
  rooms: async (socket) => ({ rooms: await readState.rooms(socket.data.user) }),
});
