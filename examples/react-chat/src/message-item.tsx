import type { Message, Room } from '@chatter/client';
import { useMessageActions, useReadState } from '@chatter/react';
import { type FormEvent, useState } from 'react';

const QUICK_REACTIONS = ['👍', '❤️', '😂'];

/** A message with its reactions, reply quote, "seen by", and the actions its reader may take. */
export const MessageItem = ({
  room,
  message,
  mine,
  onReply,
}: {
  room: Room | null;
  message: Message;
  mine: boolean;
  onReply: (message: Message) => void;
}) => {
  const { edit, remove, toggleReaction } = useMessageActions(room);
  const { readBy } = useReadState(room);
  const [editing, setEditing] = useState<string | null>(null);
  const deleted = message.deletedAt !== undefined;
  const seenBy = mine ? readBy(message.id).length : 0;

  const saveEdit = (event: FormEvent) => {
    event.preventDefault();
    if (editing !== null && editing.trim() !== '') edit(message.id, editing.trim()).catch(() => {});
    setEditing(null);
  };

  return (
    <li className={deleted ? 'message deleted' : 'message'}>
      {message.replyTo && (
        <blockquote>
          {message.replyTo.author.name}:{' '}
          {message.replyTo.deleted ? <em>deleted message</em> : message.replyTo.excerpt}
        </blockquote>
      )}
      <strong>{message.author.name}</strong>{' '}
      {editing !== null ? (
        <form onSubmit={saveEdit}>
          <input
            aria-label="Edit message"
            value={editing}
            onChange={(event) => setEditing(event.target.value)}
          />
          <button type="submit">Save</button>
        </form>
      ) : deleted ? (
        <em>This message was deleted</em>
      ) : (
        <span className="text">{message.text}</span>
      )}
      {message.editedAt && !deleted && <small> (edited)</small>}
      {seenBy > 0 && <small> · Seen by {seenBy}</small>}
      {!deleted && (
        <div className="actions">
          {QUICK_REACTIONS.map((emoji) => {
            const count = message.reactions?.find((reaction) => reaction.emoji === emoji)?.count;
            return (
              <button
                key={emoji}
                type="button"
                aria-label={`React ${emoji}`}
                onClick={() => toggleReaction(message, emoji).catch(() => {})}
              >
                {emoji} {count ?? ''}
              </button>
            );
          })}
          <button type="button" onClick={() => onReply(message)}>
            Reply
          </button>
          {mine && (
            <>
              <button type="button" onClick={() => setEditing(message.text)}>
                Edit
              </button>
              <button type="button" onClick={() => remove(message.id).catch(() => {})}>
                Delete
              </button>
            </>
          )}
        </div>
      )}
    </li>
  );
};
