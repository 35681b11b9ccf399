import type { EventHandler } from './on-event.js';
import type { SocketDeps } from './types.js';

export const roomHandlers = ({
  chat,
  presence,
  typing,
}: SocketDeps): { join: EventHandler<'join'>; leave: EventHandler<'leave'> } => ({
  join: async (socket, payload) => {
    const { user } = socket.data;
    const joined = await chat.join(user, payload, async () => {
      await socket.join(payload.room);
      presence.enterRoom(user.id, socket.id, payload.room);
    });
    return {
      room: joined.room,
      epoch: joined.epoch,
      head: joined.head,
      messages: joined.messages,
      hasMore: joined.hasMore,
    };
  },

  leave: async (socket, { room }) => {
    const { user } = socket.data;
    await socket.leave(room);
    presence.exitRoom(user.id, socket.id, room);
    typing.stopUser(user.id, [room]);
    return { room };
  },
});
