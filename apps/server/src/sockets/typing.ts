import { AppError } from '../utils/errors.js';
import { onEvent } from './on-event.js';
import type { ChatSocket, SocketDeps } from './types.js';

export const registerTypingHandlers = (
  socket: ChatSocket,
  { typing, logger }: SocketDeps,
): void => {
  const { user } = socket.data;

  onEvent(socket, logger, 'typing', ({ room, typing: isTyping }) => {
    if (!socket.rooms.has(room)) {
      throw new AppError('FORBIDDEN', `Join room "${room}" before typing in it`);
    }
    typing.set(room, { id: user.id, name: user.name }, isTyping);
    return {};
  });
};
