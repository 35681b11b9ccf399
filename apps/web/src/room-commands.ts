import type { Room } from '@chatter/client';

/** A refusal shows on the outbox entry itself (with why), so the promise is not the place. */
const quietly = (promise: Promise<unknown> | undefined): void => {
  promise?.catch(() => undefined);
};

/**
 * What this person does in one room. Each change goes through the SDK's outbox, so it survives a
 * lost connection and a reload and shows as pending until the server has it. Before the room has
 * joined there is nothing to act on (the composer and the message actions wait for the join).
 */
export class RoomCommands {
  readonly #room: Room | null;

  constructor(room: Room | null) {
    this.#room = room;
  }

  /** Queues `text`, as a reply to the message `replyTo` when given. */
  send(text: string, replyTo?: string): void {
    quietly(this.#room?.send(text, replyTo === undefined ? {} : { replyTo }));
    this.#room?.typing(false);
  }

  edit(messageId: string, text: string): void {
    quietly(this.#room?.edit(messageId, text));
  }

  delete(messageId: string): void {
    quietly(this.#room?.delete(messageId));
  }

  /** Adds this person's `emoji` to the message, or takes it back when `on` is false. */
  react(messageId: string, emoji: string, on: boolean): void {
    const room = this.#room;
    quietly(on ? room?.react(messageId, emoji) : room?.unreact(messageId, emoji));
  }

  typing(isTyping: boolean): void {
    this.#room?.typing(isTyping);
  }

  /** Drops an outbox entry (a message or change the server refused, or not sent yet). */
  discard(clientId: string): void {
    quietly(this.#room?.discard(clientId));
  }
}
