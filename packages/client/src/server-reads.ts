import {
  type HistoryPayload,
  HistoryResponseSchema,
  LIMITS,
  type Presence,
  RoomsResponseSchema,
} from '@chatter/protocol';
import type { Connection } from './connection.js';
import { type RequestOptions, withDeadline } from './deadline.js';
import { toChatterError } from './errors.js';
import type { RoomSummary } from './log-types.js';
import type { ChatterLogger } from './logger.js';
import { retryRateLimited } from './rate-limited.js';
import type { RestClient } from './rest-client.js';
import type { HistoryPage } from './room-api.js';

export interface ServerReadsDeps {
  connection: Pick<Connection, 'connected' | 'request'>;
  rest: RestClient;
  logger: ChatterLogger;
  /** The deadline of a read an app asked for without a `timeoutMs` of its own. */
  requestTimeoutMs: number;
}

/**
 * What the client reads from the server: over the socket when connected, else over REST, so it
 * also works while the socket is down. A read an app asks for runs under a deadline and stops
 * when its signal aborts.
 */
export class ServerReads {
  readonly #deps: ServerReadsDeps;

  constructor(deps: ServerReadsDeps) {
    this.#deps = deps;
  }

  rooms(options: RequestOptions): Promise<RoomSummary[]> {
    const { connection, rest, logger, requestTimeoutMs } = this.#deps;
    return withDeadline('rooms', options, requestTimeoutMs, async (signal) => {
      if (connection.connected) {
        try {
          const request = () => connection.request('rooms', {});
          const { rooms } = await retryRateLimited(request, signal, logger);
          return rooms;
        } catch (error) {
          // Dropped on the way: REST may still answer.
          if (toChatterError(error).code !== 'DISCONNECTED') throw error;
        }
      }
      return (await rest.get('api/rooms', RoomsResponseSchema, {}, signal)).rooms;
    });
  }

  status(userIds: readonly string[] | undefined, options: RequestOptions): Promise<Presence[]> {
    return withDeadline('status', options, this.#deps.requestTimeoutMs, (signal) =>
      this.#deps.rest.status(userIds, signal),
    );
  }

  /** A page of history; with `options` (an app's call, not a catch-up), under a deadline. */
  history(payload: HistoryPayload, options?: RequestOptions): Promise<HistoryPage> {
    if (!options) return this.#history(payload);
    return withDeadline('history', options, this.#deps.requestTimeoutMs, (signal) =>
      this.#history(payload, signal),
    );
  }

  /** Leaves `room` on the server if connected, for a join nobody waits for any more. */
  leaveQuietly(room: string): void {
    const { connection, logger } = this.#deps;
    if (!connection.connected) return;
    connection.request('leave', { room }).catch((error: unknown) => {
      logger.debug('chatter: could not leave a room given up on', {
        room,
        code: toChatterError(error).code,
      });
    });
  }

  async #history(payload: HistoryPayload, signal?: AbortSignal): Promise<HistoryPage> {
    const { connection, rest, logger } = this.#deps;
    if (connection.connected) {
      const request = () => connection.request('history', payload);
      const { messages, changes, hasMore } = await retryRateLimited(request, signal, logger);
      return { messages, changes, hasMore };
    }
    // REST pages stay at `historyPageMaxSize` even forwards; a smaller page is still a page
    // (`hasMore` says what follows), so a larger catch-up page is asked for in the REST size.
    const limit =
      payload.limit === undefined ? undefined : Math.min(payload.limit, LIMITS.historyPageMaxSize);
    return rest.get('api/messages', HistoryResponseSchema, { ...payload, limit }, signal);
  }
}
