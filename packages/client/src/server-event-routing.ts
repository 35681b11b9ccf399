import type { Presence } from '@chatter/protocol';
import type { ServerEvent } from './connection.js';
import { ChatterError } from './errors.js';
import type { RoomImpl } from './room.js';

/** Where {@link routeServerEvent} hands a server event. */
export interface ServerEventTargets {
  /** The joined room of that name, if any: events of other rooms are dropped. */
  room(name: string): RoomImpl | undefined;
  presence(presence: Presence): void;
  reportError(error: ChatterError): void;
}

/** Hands a validated server event to the room it concerns, or to the client's own events. */
export const routeServerEvent = ({ event, payload }: ServerEvent, to: ServerEventTargets): void => {
  switch (event) {
    case 'message':
      to.room(payload.room)?.receive(payload);
      return;
    case 'typing':
      to.room(payload.room)?.typingEvent(payload);
      return;
    case 'head':
      to.room(payload.room)?.headEvent(payload);
      return;
    case 'change':
      to.room(payload.room)?.receiveChange(payload);
      return;
    case 'read':
      to.room(payload.room)?.readEvent(payload);
      return;
    case 'receipts':
      to.room(payload.room)?.receiptsEvent(payload);
      return;
    case 'presence':
      to.presence(payload);
      return;
    case 'presences':
      for (const presence of payload) to.presence(presence);
      return;
    case 'closing':
      // Why the server is about to drop us (the drop itself reconnects as usual).
      to.reportError(ChatterError.fromPayload(payload));
      return;
  }
};
