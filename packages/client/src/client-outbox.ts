import type { ChatterClientEvents } from './client-api.js';
import type { ClientRooms } from './client-rooms.js';
import type { Connection } from './connection.js';
import type { Emitter } from './emitter.js';
import { ChatterError, toChatterError } from './errors.js';
import type { ChatterLogger } from './logger.js';
import { Outbox } from './outbox.js';
import { sendOutboxEntry } from './outbox-send.js';
import { createMemoryOutbox, type OutboxStorage } from './outbox-storage.js';
import type { TokenSource } from './token-source.js';

/** What {@link createClientOutbox} wires the outbox to. */
export interface ClientOutboxDeps {
  /** The app's storage (default: in memory). */
  storage: OutboxStorage | undefined;
  connection: Connection;
  rooms: Pick<ClientRooms, 'get'>;
  events: Emitter<ChatterClientEvents>;
  logger: ChatterLogger;
  reportError(error: ChatterError): void;
}

/**
 * The client's outbox: sent over its connection, what the server applied handed to the room it
 * belongs to, and every change reported to that room and to the client's `pending` and `change`.
 */
export const createClientOutbox = (deps: ClientOutboxDeps): Outbox => {
  const { connection, rooms, events } = deps;
  const outbox: Outbox = new Outbox({
    storage: deps.storage ?? createMemoryOutbox(),
    send: (entry) => sendOutboxEntry(connection, entry),
    isConnected: () => connection.connected,
    refreshToken: () => connection.refreshToken(),
    logger: deps.logger,
    delivered: ({ message, change }) => {
      const room = rooms.get(message.room);
      if (change) room?.receiveChange(change);
      // A change that changed nothing (`null`) is no entry of the log: nothing to take.
      else if (change === undefined) room?.receive(message);
    },
    changed: (room) => {
      rooms.get(room)?.pendingChanged();
      // Building the list costs a pass over the outbox, on every state change of every send.
      if (events.listenerCount('pending') > 0) events.emit('pending', outbox.pending());
      events.emit('change', undefined);
    },
    reportError: deps.reportError,
  });
  return outbox;
};

/** What {@link outboxRestorer} restores from, and whom it tells when that fails. */
export interface OutboxRestoreDeps {
  tokens: TokenSource;
  outbox: Pick<Outbox, 'restore'>;
  isClosed(): boolean;
  reportError(error: ChatterError): void;
}

/**
 * A function that loads what a persistent outbox kept from an earlier page or process, once
 * (until that fails). It needs only the user (from the token), not the server, so pending
 * messages show while offline.
 */
export const outboxRestorer = (deps: OutboxRestoreDeps): (() => Promise<void>) => {
  let restored = false;
  return async () => {
    if (restored) return;
    restored = true;
    try {
      await deps.tokens.current();
      const userId = deps.tokens.user?.id;
      if (!userId) throw new ChatterError('UNAUTHORIZED', 'The token names no user');
      await deps.outbox.restore(userId);
    } catch (error) {
      // Tried again on the next connection, when a token is more likely to be at hand.
      restored = false;
      if (!deps.isClosed()) deps.reportError(toChatterError(error));
    }
  };
};
