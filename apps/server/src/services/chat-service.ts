import type {
  HistoryPayload,
  HistoryResponse,
  JoinPayload,
  Message,
  SendMessagePayload,
} from '@chatter/protocol';
import { LIMITS } from '@chatter/protocol';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ChatStore, RoomState } from '../store/chat-store.js';
import { AppError } from '../utils/errors.js';
import { consumeOrRefuse, inMemoryRateLimiters, type RateLimiters } from '../utils/rate-limit.js';
import type { AccessPolicy } from './access-policy.js';
import type { AuthUser } from './auth-service.js';
import type { JoinedRooms, RoomAdmission } from './room-admission.js';

export interface ChatServiceOptions {
  store: ChatStore;
  policy: AccessPolicy;
  /** The room limits: rooms per connection, new rooms per user and minute. */
  admission: RoomAdmission;
  /**
   * Delivers a newly stored message to everyone in its room but `exceptConnection`, the socket
   * that sent it, which has it in its acknowledgement already.
   */
  broadcast: (message: Message, exceptConnection: string | undefined) => void;
  messagesPerMinute: number;
  /** Where the per-user message budget lives: this process, or Redis for a cluster. */
  limiters?: RateLimiters;
}

export interface SendResult {
  message: Message;
  /** `false` when this was a retry and `message` is the one stored the first time. */
  created: boolean;
}

/**
 * The chat logic REST and sockets share. Every message, whichever way it arrives, goes through
 * `send`: authorize → rate-limit → append (durable) → broadcast → return for the acknowledgement.
 */
export class ChatService {
  private readonly store: ChatStore;
  private readonly policy: AccessPolicy;
  private readonly admission: RoomAdmission;
  private readonly broadcast: ChatServiceOptions['broadcast'];
  private readonly limiter: RateLimiterAbstract;
  private readonly pendingWrites = new Set<Promise<unknown>>();
  private accepting = true;

  constructor({
    store,
    policy,
    admission,
    broadcast,
    messagesPerMinute,
    limiters = inMemoryRateLimiters,
  }: ChatServiceOptions) {
    this.store = store;
    this.policy = policy;
    this.admission = admission;
    this.broadcast = broadcast;
    this.limiter = limiters('messages', { points: messagesPerMinute, duration: 60 });
  }

  /**
   * Joins a room: `enterLive` puts the connection in the live room, then the replay is read.
   * Live first, replay second: anything stored from then on is in the replay, or broadcast to
   * the connection, or both (the client drops duplicates by seq). Never neither.
   *
   * `joined`: the rooms the connection is in already, for the per-connection limit. Joining a
   * room nobody has written in stores nothing, but is charged as a new room (`RoomAdmission`).
   */
  async join(
    user: AuthUser,
    { room, since, epoch }: JoinPayload,
    enterLive: () => Promise<void>,
    joined: JoinedRooms,
  ): Promise<RoomState & HistoryResponse> {
    this.policy.check(user, 'join', room);
    this.admission.checkCapacity(joined, room);
    const { stored, ...state } = await this.store.viewRoom(room);
    if (stored) this.admission.roomStored(room);
    else await this.admission.chargeNewRoom(user.id, room);
    // Again, with no await before entering: joins of this connection that were in flight count.
    this.admission.checkCapacity(joined, room);
    await enterLive();
    // A `since` from another epoch points into history that no longer exists, and so does one
    // beyond the head (history restored from an older backup): both get the newest page, and
    // the client, seeing the new epoch or a head behind what it holds, resets.
    const resumable =
      since !== undefined && (epoch === undefined || epoch === state.epoch) && since <= state.head;
    // A resumed join is the first page of a catch-up, so it is as large as a catch-up page; a
    // first join shows the newest page, as large as any page read backwards.
    const page = await this.store.listMessages(
      resumable
        ? { room, after: since, limit: LIMITS.catchUpPageMaxSize }
        : { room, limit: LIMITS.historyPageMaxSize },
    );
    const newest = page.messages.at(-1)?.seq ?? 0;
    return { ...state, head: Math.max(state.head, newest), ...page };
  }

  /** `connectionId`: the socket the message came over, if any; it gets the message in its ack. */
  async send(
    user: AuthUser,
    payload: SendMessagePayload,
    connectionId?: string,
  ): Promise<SendResult> {
    if (!this.accepting) throw new AppError('UNAVAILABLE', 'The server is shutting down');
    this.policy.check(user, 'send', payload.room);
    await consumeOrRefuse(this.limiter, user.id, 'Too many messages; slow down');
    await this.admission.chargeWrite(user.id, payload.room, async (room) =>
      Boolean(await this.store.getRoom(room)),
    );
    const write = this.store.appendMessage({
      room: payload.room,
      author: { id: user.id, name: user.name },
      text: payload.text,
      clientId: payload.clientId,
    });
    this.pendingWrites.add(write);
    try {
      const result = await write;
      this.admission.roomStored(payload.room);
      // A retry found its original: the room saw it the first time, so it is not sent again.
      if (result.created) this.broadcast(result.message, connectionId);
      return result;
    } finally {
      this.pendingWrites.delete(write);
    }
  }

  async history(user: AuthUser, query: HistoryPayload): Promise<HistoryResponse> {
    this.policy.check(user, 'read', query.room);
    return this.store.listMessages({
      room: query.room,
      limit: query.limit ?? LIMITS.historyPageDefaultSize,
      before: query.before,
      after: query.after,
    });
  }

  /** Refuses new messages and resolves once every write already started has finished. */
  async drain(): Promise<void> {
    this.accepting = false;
    await Promise.allSettled([...this.pendingWrites]);
  }
}
