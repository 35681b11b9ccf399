import { onEvent } from './on-event.js';
import { type ChatSocket, type SocketDeps, userRoom } from './types.js';

/** Connection lifecycle: presence, typing clean-up and token expiry. */
export const registerPresenceHandlers = (
  socket: ChatSocket,
  { presence, typing, logger }: SocketDeps,
): void => {
  const { user } = socket.data;
  void socket.join(userRoom(user.id));
  presence.connect({ id: user.id, name: user.name }, socket.id);
  logger.debug({ userId: user.id, socketId: socket.id }, 'socket connected');

  // A connection lives no longer than its token; the client reconnects with a fresh one.
  const expiry = setTimeout(
    () => socket.disconnect(true),
    Math.min(Math.max(user.expiresAtMs - Date.now(), 0), 2 ** 31 - 1),
  );
  expiry.unref();

  onEvent(socket, logger, 'away', ({ away }) => ({
    status: presence.setAway(user.id, socket.id, away),
  }));

  socket.on('disconnecting', () => {
    typing.stopUser(user.id, socket.rooms);
  });

  socket.on('disconnect', (reason) => {
    logger.debug({ userId: user.id, socketId: socket.id, reason }, 'socket disconnected');
    clearTimeout(expiry);
    presence.disconnect(user.id, socket.id);
  });
};
