import {
  type AckSuccess,
  type ClientEventName,
  type ClientToServerEvents,
  ROOM_NAME_PATTERN,
  type ServerToClientEvents,
} from '@chatter/protocol';
import type { Server, Socket } from 'socket.io';
import type { AccessPolicy } from '../services/access-policy.js';
import type { AuthUser } from '../services/auth-service.js';
import type { ChatService } from '../services/chat-service.js';
import type { EventBudgets } from '../services/event-budget.js';
import type { MessageChangeService } from '../services/message-change-service.js';
import type { Metrics } from '../services/metrics.js';
import type { PresenceTracker } from '../services/presence-service.js';
import type { ReadStateService } from '../services/read-state-service.js';
import type { TypingTracker } from '../services/typing-service.js';
import type { Logger } from '../utils/logger.js';

// Nodes talk through the Redis adapter's broadcasts only; no server-side events of our own.
export type InterServerEvents = Record<never, never>;

export interface SocketData {
  user: AuthUser;
}

export type ChatServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export type ChatSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

export interface SocketDeps {
  policy: AccessPolicy;
  chat: ChatService;
  changes: MessageChangeService;
  readState: ReadStateService;
  presence: PresenceTracker;
  typing: TypingTracker;
  /** Per-connection budgets, which pay for every event but the writes to a room's log. */
  budgets: EventBudgets;
  logger: Logger;
  metrics?: Metrics | undefined;
  /**
   * In a cluster: resolves once Redis delivers the room's broadcasts to this node, so a join
   * reads its replay only after that and nothing stored on another node falls between.
   */
  roomSubscribed?: (room: string) => Promise<void>;
}

type AckOf<E extends ClientEventName> =
  Parameters<ClientToServerEvents[E]> extends [unknown, (response: infer Response) => void]
    ? Response
    : { ok: true };

/** What a handler returns for event `E`: its acknowledgement without the `ok: true`. */
export type AckResult<E extends ClientEventName> = AckSuccess<AckOf<E>>;

/**
 * The chat rooms at least one socket of this node is in: Socket.IO's rooms without each socket's
 * own room and the users' rooms.
 */
export const chatRoomsOnThisNode = (io: ChatServer): string[] => {
  const { rooms, sids } = io.of('/').adapter;
  return [...rooms.keys()].filter((room) => ROOM_NAME_PATTERN.test(room) && !sids.has(room));
};

/** Every client connection joins this room, so "all of a user's tabs" is one address. */
export const userRoom = (userId: string): string => `user:${userId}`;
