import { AppError } from '../utils/errors.js';
import type { EventHandler } from './on-event.js';
import type { SocketDeps } from './types.js';

export const typingHandlers = ({ typing }: SocketDeps): { typing: EventHandler<'typing'> } => ({
  typing: (socket, { room, typing: isTyping }) => {
    if (!socket.rooms.has(room)) {
      throw new AppError('FORBIDDEN', `Join room "${room}" before typing in it`);
    }
    const { user } = socket.data;
    typing.set(room, { id: user.id, name: user.name }, isTyping);
    return {};
  },
});
