import type {
  AckSuccess,
  HistoryPayload,
  HistoryResponse,
  JoinAck,
  JoinPayload,
  Message,
  SendMessagePayload,
} from '@chatter/protocol';
import { LIMITS } from '@chatter/protocol';
import type { AppendResult, ChatStore } from '../store/chat-store.js';
import type { AccessPolicy } from './access-policy.js';
import type { AuthUser } from './auth-service.js';
import type { ReadStateService } from './read-state-service.js';
import type { JoinedRooms, RoomAdmission } from './room-admission.js';
import { refusalsOf } from './store-errors.js';
import type { WriteGate } from './write-gate.js';

export interface ChatServiceOptions {
  store: ChatStore;
  policy: AccessPolicy;
  /** The room limits: rooms per connection, new rooms per user and minute. */
  admission: RoomAdmission;
  /** The per-user write budget and the shutdown drain, shared with `MessageChangeService`. */
  writes: WriteGate;
  /** Memberships and read positions, for joins and leaves. */
  readState: ReadStateService;
  /**
   * Delivers a newly stored message to everyone in its room but `exceptConnection`, the socket
   * that sent it, which has it in its acknowledgement already.
   */
  broadcast: (message: Message, exceptConnection: string | undefined) => void;
}

export type JoinResult = AckSuccess<JoinAck>;

/**
 * The chat logic REST and sockets share for rooms and new messages. Every message, whichever way
 * it arrives, goes through `send`: authorize → rate-limit → append (durable) → broadcast →
 * return for the acknowledgement. Changes to messages go through `MessageChangeService`.
 */
export class ChatService {
  private readonly store: ChatStore;
  private readonly policy: AccessPolicy;
  private readonly admission: RoomAdmission;
  private readonly writes: WriteGate;
  private readonly readState: ReadStateService;
  private readonly broadcast: ChatServiceOptions['broadcast'];

  constructor({ store, policy, admission, writes, readState, broadcast }: ChatServiceOptions) {
    this.store = store;
    this.policy = policy;
    this.admission = admission;
    this.writes = writes;
    this.readState = readState;
    this.broadcast = broadcast;
  }

  /**
   * Joins a room: `enterLive` puts the connection in the live room, then the replay is read.
   * Live first, replay second: anything stored from then on is in the replay, or broadcast to
   * the connection, or both (the client drops duplicates by seq). Never neither.
   *
   * `joined`: the rooms the connection is in already, for the per-connection limit. Joining a
   * room nobody has written in stores nothing in the room's history, but is charged as a new
   * room (`RoomAdmission`). The user's membership is recorded before the connection enters the
   * room, so a user at `LIMITS.roomsPerUserMax` is refused with nothing half done. (A join that
   * loses the per-connection limit to others of its connection in flight keeps the membership:
   * the user asked for the room, and may use it.)
   */
  async join(
    user: AuthUser,
    { room, since, epoch }: JoinPayload,
    enterLive: () => Promise<void>,
    joined: JoinedRooms,
  ): Promise<JoinResult> {
    this.policy.check(user, 'join', room);
    this.admission.checkCapacity(joined, room);
    const { stored, ...state } = await this.store.viewRoom(room);
    if (stored) this.admission.roomStored(room);
    else await this.admission.chargeNewRoom(user.id, room);
    await this.readState.enterRoom(user.id, room);
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
    // Read after the page, so `unread` counts up to a head at least as new as the page's.
    const { readSeq, unread, head, reads } = await this.readState.joinReading(user.id, room);
    const newest = Math.max(page.messages.at(-1)?.seq ?? 0, page.changes.at(-1)?.seq ?? 0);
    return {
      room: state.room,
      epoch: state.epoch,
      head: Math.max(state.head, newest, head),
      messages: page.messages,
      changes: page.changes,
      hasMore: page.hasMore,
      readSeq,
      unread,
      reads,
    };
  }

  /**
   * Leaves a room: the user's membership goes first (so a store that cannot write leaves the
   * connection where it was, and the client can ask again), then `exitLive` takes the
   * connection out of the live room.
   */
  async leave(user: AuthUser, room: string, exitLive: () => Promise<void>): Promise<void> {
    await this.readState.leaveRoom(user.id, room);
    await exitLive();
  }

  /** `connectionId`: the socket the message came over, if any; it gets the message in its ack. */
  async send(
    user: AuthUser,
    payload: SendMessagePayload,
    connectionId?: string,
  ): Promise<AppendResult> {
    this.writes.open();
    this.policy.check(user, 'send', payload.room);
    await this.writes.charge(user.id);
    await this.admission.chargeWrite(user.id, payload.room, async (room) =>
      Boolean(await this.store.getRoom(room)),
    );
    const result = await this.writes.write(() =>
      refusalsOf(
        payload.room,
        this.store.appendMessage({
          room: payload.room,
          author: { id: user.id, name: user.name },
          text: payload.text,
          clientId: payload.clientId,
          replyTo: payload.replyTo,
        }),
      ),
    );
    this.admission.roomStored(payload.room);
    // A retry found its original: the room saw it the first time, so it is not sent again.
    if (result.created) this.broadcast(result.message, connectionId);
    return result;
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
}
