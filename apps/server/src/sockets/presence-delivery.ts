import type { Presence } from '@chatter/protocol';
import { type ChatServer, userRoom } from './types.js';

type Target = ReturnType<ChatServer['to']>;

const emitPresence = (target: Target, updates: Presence[]) => {
  const [only] = updates;
  if (updates.length === 1 && only) target.emit('presence', only);
  else target.emit('presences', updates);
};

/**
 * Sends a room's coalesced presence updates to this node's members: one frame per member, never
 * an update back to the user it is about. Members whose own update is in the batch get the
 * others' updates alone. Local only: in a cluster every node hears each presence change (from
 * Redis) and delivers it to its own sockets.
 */
export const presenceDelivery =
  (io: ChatServer) =>
  (room: string, updates: Presence[]): void => {
    emitPresence(
      io.local.to(room).except(updates.map((update) => userRoom(update.user.id))),
      updates,
    );
    if (updates.length === 1) return;
    const rooms = io.sockets.adapter.rooms;
    const members = rooms.get(room);
    if (!members) return;
    for (const update of updates) {
      const own = [...(rooms.get(userRoom(update.user.id)) ?? [])].filter((id) => members.has(id));
      if (own.length > 0)
        emitPresence(
          io.local.to(own),
          updates.filter((each) => each !== update),
        );
    }
  };
