import { LIMITS } from '@chatter/protocol';
import type { EventHandler } from './on-event.js';
import type { SocketDeps } from './types.js';

export const roomHandlers = ({
  chat,
  presence,
  typing,
}: SocketDeps): { join: EventHandler<'join'>; leave: EventHandler<'leave'> } => ({
  join: async (socket, { room, since, epoch }) => {
    const { user } = socket.data;
    const state = await chat.openRoom(user, room);
    // Live first, replay second: anything stored from here on is either in the replay, or
    // broadcast to this socket, or both (the client drops duplicates by seq). Never neither.
    await socket.join(room);
    presence.enterRoom(user.id, socket.id, room);
    // A `since` from another epoch points into history that no longer exists.
    const resumable = since !== undefined && (epoch === undefined || epoch === state.epoch);
    // A resumed join is the first page of a catch-up, so it is as large as a catch-up page; a
    // first join shows the newest page, as large as any page read backwards.
    const page = await chat.history(
      user,
      resumable
        ? { room, after: since, limit: LIMITS.catchUpPageMaxSize }
        : { room, limit: LIMITS.historyPageMaxSize },
    );
    const newest = page.messages.at(-1)?.seq ?? 0;
    return {
      room,
      epoch: state.epoch,
      head: Math.max(state.head, newest),
      messages: page.messages,
      hasMore: page.hasMore,
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
