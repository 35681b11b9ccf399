import type { EventHandler } from './on-event.js';
import type { ChatSocket, SocketDeps } from './types.js';

/**
 * The socket that made a change gets it in its acknowledgement; one that asked for none gets the
 * broadcast like everyone else.
 */
const sender = (socket: ChatSocket, { acknowledged }: { acknowledged: boolean }) =>
  acknowledged ? socket.id : undefined;

export const messageChangeHandlers = ({
  changes,
}: SocketDeps): {
  edit: EventHandler<'edit'>;
  delete: EventHandler<'delete'>;
  react: EventHandler<'react'>;
  unreact: EventHandler<'unreact'>;
} => ({
  edit: (socket, payload, request) =>
    changes.edit(socket.data.user, payload, sender(socket, request)),
  delete: (socket, payload, request) =>
    changes.delete(socket.data.user, payload, sender(socket, request)),
  react: (socket, payload, request) =>
    changes.react(socket.data.user, payload, true, sender(socket, request)),
  unreact: (socket, payload, request) =>
    changes.react(socket.data.user, payload, false, sender(socket, request)),
});
