import type { Message, MessageChange } from '@chatter/protocol';
import type { ChangeResult, ChatStore } from '../store/chat-store.js';
import type { AccessPolicy } from './access-policy.js';
import type { AuthUser } from './auth-service.js';
import { messageNotFound, refusalsOf } from './store-errors.js';
import type { WriteGate } from './write-gate.js';

export interface MessageChangeServiceOptions {
  store: ChatStore;
  policy: AccessPolicy;
  /** The per-user write budget and the shutdown drain, shared with `ChatService.send`. */
  writes: WriteGate;
  /**
   * Delivers a change to everyone in its room but `exceptConnection`, the socket that made it,
   * which has it in its acknowledgement already.
   */
  broadcastChange: (change: MessageChange, exceptConnection: string | undefined) => void;
}

/**
 * The message a change is about. Socket events name its room too, and the message must be in
 * it; REST routes name the message alone, and its room is looked up.
 */
export interface MessageTarget {
  id: string;
  room?: string | undefined;
}

export interface EditRequest extends MessageTarget {
  text: string;
  clientId?: string | undefined;
}

export interface ReactionRequest extends MessageTarget {
  emoji: string;
}

/**
 * Edits, deletions and reactions: the changes to a message that each append one entry to the
 * room's log. Every one, over a socket or REST, takes the same path as a send: authorize →
 * rate-limit (the sender's message budget) → write (durable) → broadcast the entry → return it
 * for the acknowledgement. A request that changes nothing (`change: null`) is not broadcast; a
 * retried edit's original entry goes out again (harmless: clients drop an entry by its `seq`).
 *
 * `connectionId`: the socket the change came over, if any; it gets the entry in its ack.
 */
export class MessageChangeService {
  readonly #store: ChatStore;
  readonly #policy: AccessPolicy;
  readonly #writes: WriteGate;
  readonly #broadcastChange: MessageChangeServiceOptions['broadcastChange'];

  constructor({ store, policy, writes, broadcastChange }: MessageChangeServiceOptions) {
    this.#store = store;
    this.#policy = policy;
    this.#writes = writes;
    this.#broadcastChange = broadcastChange;
  }

  /** Replaces the text of the user's own message; a retry with the same `clientId` applies once. */
  async edit(user: AuthUser, request: EditRequest, connectionId?: string): Promise<ChangeResult> {
    const { room, id } = await this.#findOwn(user, 'edit', request);
    const result = await this.#write(room, () =>
      this.#store.editMessage({
        room,
        messageId: id,
        actor: actorOf(user),
        text: request.text,
        clientId: request.clientId,
      }),
    );
    return this.#announce(result, connectionId);
  }

  /** Deletes the user's own message, leaving a tombstone; deleting it again changes nothing. */
  async delete(
    user: AuthUser,
    target: MessageTarget,
    connectionId?: string,
  ): Promise<ChangeResult> {
    const { room, id } = await this.#findOwn(user, 'delete', target);
    const result = await this.#write(room, () =>
      this.#store.deleteMessage({ room, messageId: id, actor: actorOf(user) }),
    );
    return this.#announce(result, connectionId);
  }

  /**
   * Adds (`on`) or removes the user's reaction; repeating either changes nothing. Reacting needs
   * what sending does. With the room named, the store checks that the message is in it.
   */
  async react(
    user: AuthUser,
    { id, room: named, emoji }: ReactionRequest,
    on: boolean,
    connectionId?: string,
  ): Promise<ChangeResult> {
    const room = await this.#reactionRoom(user, id, named);
    const result = await this.#write(room, () =>
      this.#store.setReaction({ room, messageId: id, actor: actorOf(user), emoji, on }),
    );
    return this.#announce(result, connectionId);
  }

  /** The room of a reaction the user may make, charged to their budget. */
  async #reactionRoom(user: AuthUser, id: string, named: string | undefined): Promise<string> {
    if (named === undefined) {
      const { room } = await this.#find(user, { id });
      this.#policy.check(user, 'react', room);
      return room;
    }
    this.#writes.open();
    this.#policy.check(user, 'react', named);
    await this.#writes.charge(user.id);
    return named;
  }

  /** The message to edit or delete, once the policy has said that this user may. */
  async #findOwn(
    user: AuthUser,
    action: 'edit' | 'delete',
    target: MessageTarget,
  ): Promise<Message> {
    const message = await this.#find(user, target);
    this.#policy.check(user, action, message.room, { authorId: message.author.id });
    return message;
  }

  /**
   * Looks a message up for a change, charging the change to the user's budget first, so a flood
   * of requests for unknown ids is refused like any other flood. A user learns nothing about
   * rooms they may not read: a named room is checked before the look-up, and a message found in
   * a room the user may not read is NOT_FOUND, as if it did not exist.
   */
  async #find(user: AuthUser, { id, room }: MessageTarget): Promise<Message> {
    this.#writes.open();
    if (room !== undefined) this.#policy.check(user, 'read', room);
    await this.#writes.charge(user.id);
    const message = await this.#store.getMessage(id);
    const found =
      message !== null &&
      (room === undefined
        ? this.#policy.decide(user, 'read', message.room).allowed
        : message.room === room);
    if (!found) throw messageNotFound(id, room, 'missing');
    return message;
  }

  #write(room: string, change: () => Promise<ChangeResult>): Promise<ChangeResult> {
    return this.#writes.write(() => refusalsOf(room, change()));
  }

  #announce(result: ChangeResult, connectionId: string | undefined): ChangeResult {
    if (result.change) this.#broadcastChange(result.change, connectionId);
    return result;
  }
}

const actorOf = (user: AuthUser) => ({ id: user.id, name: user.name });
