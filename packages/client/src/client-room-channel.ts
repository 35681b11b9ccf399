import type { Message } from '@chatter/protocol';
import type { ChangeRequest } from './change-requests.js';
import type { ClientRooms } from './client-rooms.js';
import type { Connection } from './connection.js';
import { type ChatterError, toChatterError } from './errors.js';
import { newClientId } from './ids.js';
import type { ChatterLogger } from './logger.js';
import type { Outbox } from './outbox.js';
import type { StoredOutboxEntry } from './outbox-storage.js';
import { retryRateLimited } from './rate-limited.js';
import type { RoomChannel } from './room-channel.js';
import type { ServerReads } from './server-reads.js';
import type { TokenSource } from './token-source.js';

/** The parts of a client that {@link createRoomChannel} gives its rooms. */
export interface ClientRoomChannelDeps {
  connection: Connection;
  tokens: TokenSource;
  outbox: Outbox;
  reads: ServerReads;
  rooms: Pick<ClientRooms, 'has' | 'set'>;
  logger: ChatterLogger;
  reportError(error: ChatterError): void;
}

/** Queues what `build` makes; a failure to make it (no Web Crypto for its id) rejects. */
const enqueue = (outbox: Outbox, build: () => StoredOutboxEntry): Promise<Message> => {
  try {
    return outbox.enqueue(build());
  } catch (error) {
    return Promise.reject(toChatterError(error));
  }
};

/** What a room asks of its client, answered with the client's connection, outbox and reads. */
export const createRoomChannel = (deps: ClientRoomChannelDeps): RoomChannel => {
  const { connection, tokens, outbox, reads, rooms, logger } = deps;
  const entry = (room: string) => ({
    clientId: newClientId(),
    userId: tokens.user?.id ?? '',
    room,
    createdAt: new Date().toISOString(),
  });
  return {
    join: async (room, since) => {
      const request = () => connection.request('join', { room, ...since });
      const ack = await retryRateLimited(request, undefined, logger);
      // Given up on (aborted, timed out) or left while the server joined: leave there too, so
      // the user's room list does not keep a room the app never got. A join made since keeps it.
      if (!rooms.has(room)) reads.leaveQuietly(room);
      return ack;
    },
    history: (payload, options) => reads.history(payload, options),
    send: (room, text, replyTo) =>
      enqueue(outbox, () => ({
        ...entry(room),
        kind: 'message',
        text,
        ...(replyTo === undefined ? {} : { replyTo }),
      })),
    change: (room, change: ChangeRequest) =>
      enqueue(outbox, () => ({ ...entry(room), text: '', ...change })),
    read: async (room, seq) => {
      const { ok: _ok, ...state } = await retryRateLimited(() =>
        connection.request('read', { room, seq }),
      );
      return state;
    },
    userId: () => tokens.user?.id,
    pending: (room) => outbox.pending(room),
    discard: (clientId) => outbox.discard(clientId),
    typing: (room, typing) => connection.emitIfConnected('typing', { room, typing }),
    leave: async (room) => {
      rooms.set(room, undefined);
      if (!connection.connected) return;
      await connection.request('leave', { room });
    },
    reportError: (error) => deps.reportError(error),
  };
};
