import type { ChatterClient, Room } from '@chatter/client';

/**
 * Counts what the hooks do to a client: its `join` calls, and the listeners they have on the
 * client and on its rooms right now (subscribed and not yet unsubscribed). Wraps the client's
 * methods in place, so the hooks use the real client through the counters.
 */
export const track = (chat: ChatterClient) => {
  let listeners = 0;
  let joins = 0;
  const counted = <T extends (...args: never[]) => () => void>(on: T) =>
    ((...args: Parameters<T>) => {
      listeners += 1;
      const off = on(...args);
      let done = false;
      return () => {
        if (!done) listeners -= 1;
        done = true;
        off();
      };
    }) as T;
  const tracked = new WeakSet<Room>();
  const join = chat.join.bind(chat);
  chat.join = async (...args) => {
    joins += 1;
    const room = await join(...args);
    if (!tracked.has(room)) {
      tracked.add(room);
      room.on = counted(room.on.bind(room));
    }
    return room;
  };
  chat.on = counted(chat.on.bind(chat));
  return { listeners: () => listeners, joins: () => joins };
};
