import type { EventHandler } from './on-event.js';
import type { SocketDeps } from './types.js';

export const typingHandlers = ({
  policy,
  typing,
}: SocketDeps): { typing: EventHandler<'typing'> } => ({
  typing: (socket, { room, typing: isTyping }) => {
    const { user } = socket.data;
    policy.check(user, 'typing', room, socket);
    typing.set(room, { id: user.id, name: user.name }, isTyping);
    return {};
  },
});
