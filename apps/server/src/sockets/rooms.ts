import type { JoinedRooms } from '../services/room-admission.js';
import type { EventHandler } from './on-event.js';
import { type ChatSocket, type SocketDeps, userRoom } from './types.js';

/** The chat rooms a socket is in: not its own id's room, nor its user's. */
const joinedRooms = (socket: ChatSocket): JoinedRooms => ({
  has: (room) => socket.rooms.has(room),
  get count() {
    const own = userRoom(socket.data.user.id);
    let count = 0;
    for (const room of socket.rooms) if (room !== socket.id && room !== own) count++;
    return count;
  },
});

export const roomHandlers = ({
  chat,
  presence,
  typing,
  roomSubscribed,
}: SocketDeps): { join: EventHandler<'join'>; leave: EventHandler<'leave'> } => ({
  join: (socket, payload) => {
    const { user } = socket.data;
    return chat.join(
      user,
      payload,
      async () => {
        await socket.join(payload.room);
        await roomSubscribed?.(payload.room);
        presence.enterRoom(user.id, socket.id, payload.room);
      },
      joinedRooms(socket),
    );
  },

  leave: async (socket, { room }) => {
    const { user } = socket.data;
    await chat.leave(user, room, async () => {
      await socket.leave(room);
      presence.exitRoom(user.id, socket.id, room);
      typing.stopUser(user.id, [room]);
    });
    return { room };
  },
});
