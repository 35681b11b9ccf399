import { ExpiryWheel } from '../utils/expiry-wheel.js';
import type { EventHandler } from './on-event.js';
import { type ChatSocket, type SocketDeps, userRoom } from './types.js';

export const presenceHandlers = ({ presence }: SocketDeps): { away: EventHandler<'away'> } => ({
  away: async (socket, { away }) => ({
    status: await presence.setAway(socket.data.user.id, socket.id, away),
  }),
});

/**
 * A connection's life outside its events: presence, typing clean-up and token expiry. The
 * listeners are shared by every socket (Socket.IO binds `this` to the socket), and token expiry
 * is one timer wheel for all connections, not a timer each.
 */
export const connectionLifecycle = ({ presence, typing, logger }: SocketDeps) => {
  // A connection lives no longer than its token; the client reconnects with a fresh one.
  const expiry = new ExpiryWheel<ChatSocket>((socket) => socket.disconnect(true));

  function onDisconnect(this: ChatSocket, reason: string): void {
    const { user } = this.data;
    logger.debug({ userId: user.id, socketId: this.id, reason }, 'socket disconnected');
    expiry.delete(this);
    typing.stopUser(user.id, presence.roomsOf(user.id, this.id));
    presence.disconnect(user.id, this.id);
  }

  return {
    opened(socket: ChatSocket): void {
      const { user } = socket.data;
      void socket.join(userRoom(user.id));
      // The SDK says in the handshake whether this tab is idle: a reconnection then keeps the
      // user away instead of announcing online and, a moment later, away again.
      const away = socket.handshake.auth?.away === true;
      presence.connect({ id: user.id, name: user.name }, socket.id, away);
      logger.debug({ userId: user.id, socketId: socket.id }, 'socket connected');
      expiry.add(socket, user.expiresAtMs);
      socket.on('disconnect', onDisconnect);
    },
    /** Closes `socket` at `atMs` instead of when its first token expires (a renewed session). */
    expireAt(socket: ChatSocket, atMs: number): void {
      expiry.add(socket, atMs);
    },
    close(): void {
      expiry.close();
    },
  };
};
