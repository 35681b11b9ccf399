import { ChatterError, type Message, type Room } from '@chatter/client';
import { useMemo } from 'react';
import { useChatter } from './provider.js';

/**
 * What {@link useMessageActions} returns: the room's changes to messages, each going through
 * the SDK's outbox (shown in `pending` with its `kind` until applied, resent across disconnects,
 * applied once). Each resolves with the message in its latest state.
 *
 * @example
 * ```tsx
 * const { edit, remove }: MessageActions = useMessageActions(room);
 * ```
 */
export interface MessageActions {
  /** Replaces the text of one of this user's messages (`FORBIDDEN` for someone else's). */
  edit(messageId: string, text: string): Promise<Message>;
  /** Deletes one of this user's messages, leaving a tombstone (`Room.delete`). */
  remove(messageId: string): Promise<Message>;
  react(messageId: string, emoji: string): Promise<Message>;
  unreact(messageId: string, emoji: string): Promise<Message>;
  /** Adds this user's `emoji` to `message`, or takes it away if they reacted with it already. */
  toggleReaction(message: Message, emoji: string): Promise<Message>;
  /** Sends `text` as a reply to `parentId` (it shows as the new message's `replyTo`). */
  reply(parentId: string, text: string): Promise<Message>;
  /** Drops a failed (or not yet sent) entry of `pending`; `false` while it is being sent. */
  discard(clientId: string): Promise<boolean>;
}

const notJoined = () =>
  Promise.reject(new ChatterError('NOT_FOUND', 'The room is not joined yet (wait for useRoom)'));

/**
 * Edit, delete, react to and reply to messages of `room` (from {@link useRoom}). The functions
 * keep their identity while the room does. Before the room is joined (`null`) they reject.
 *
 * @example
 * ```tsx
 * const MessageRow = ({ room, message }: { room: Room | null; message: Message }) => {
 *   const { toggleReaction, remove } = useMessageActions(room);
 *   return (
 *     <li>
 *       {message.deletedAt ? <em>deleted</em> : message.text}
 *       <button onClick={() => toggleReaction(message, '👍')}>👍</button>
 *       <button onClick={() => remove(message.id)}>Delete</button>
 *     </li>
 *   );
 * };
 * ```
 */
export const useMessageActions = (room: Room | null): MessageActions => {
  const chat = useChatter();
  return useMemo((): MessageActions => {
    if (!room) {
      return {
        edit: notJoined,
        remove: notJoined,
        react: notJoined,
        unreact: notJoined,
        toggleReaction: notJoined,
        reply: notJoined,
        discard: notJoined,
      };
    }
    return {
      edit: (messageId, text) => room.edit(messageId, text),
      remove: (messageId) => room.delete(messageId),
      react: (messageId, emoji) => room.react(messageId, emoji),
      unreact: (messageId, emoji) => room.unreact(messageId, emoji),
      toggleReaction: (message, emoji) => {
        const userId = chat.user?.id;
        const mine = message.reactions?.some(
          (reaction) =>
            reaction.emoji === emoji && userId !== undefined && reaction.users.includes(userId),
        );
        return mine ? room.unreact(message.id, emoji) : room.react(message.id, emoji);
      },
      reply: (parentId, text) => room.send(text, { replyTo: parentId }),
      discard: (clientId) => room.discard(clientId),
    };
  }, [chat, room]);
};
