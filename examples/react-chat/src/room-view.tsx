import type { Message, PendingMessage } from '@chatter/client';
import { useChatter, useMessageActions, useReadState, useRoom } from '@chatter/react';
import { type FormEvent, useEffect, useState } from 'react';
import { MessageItem } from './message-item.js';

/** One room: its messages, what is still being sent, who is typing, and the composer. */
export const RoomView = ({ name }: { name: string }) => {
  const chat = useChatter();
  const { room, messages, pending, typingUsers, send, loadOlder, hasMore, loadingOlder, error } =
    useRoom(name);
  const { unreadCount, markRead } = useReadState(room);
  const { discard } = useMessageActions(room);
  const [draft, setDraft] = useState('');
  const [replyTo, setReplyTo] = useState<Message | null>(null);

  // What is on screen has been read: here, and on the user's other devices.
  useEffect(() => {
    if (unreadCount > 0 && document.visibilityState === 'visible') {
      markRead().catch(() => undefined);
    }
  }, [unreadCount, markRead]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = draft.trim();
    if (text === '') return;
    // Queued at once (shown under "Sending"), delivered once even across reconnects.
    send(text, replyTo ? { replyTo: replyTo.id } : {}).catch(() => undefined);
    room?.typing(false);
    setDraft('');
    setReplyTo(null);
  };

  return (
    <main className="room" aria-label={`Room ${name}`}>
      <h2># {name}</h2>
      {error && <p role="alert">{error.message}</p>}
      {!room && !error && <p>Joining…</p>}
      {hasMore && (
        <button type="button" disabled={loadingOlder} onClick={() => loadOlder()}>
          {loadingOlder ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      <ol className="messages" aria-label="Messages">
        {messages.map((message) => (
          <MessageItem
            key={message.id}
            room={room}
            message={message}
            mine={message.author.id === chat.user?.id}
            onReply={setReplyTo}
          />
        ))}
      </ol>
      {pending.length > 0 && (
        <ul className="pending" aria-label="Sending">
          {pending.map((entry) => (
            <li key={entry.clientId} className={`pending-${entry.state}`}>
              {entry.kind === 'message' ? entry.text : `${entry.kind} ${entry.emoji ?? ''}`}{' '}
              <small>{describePending(entry)}</small>
              {entry.state !== 'sending' && (
                <button type="button" onClick={() => discard(entry.clientId)}>
                  Discard
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <p className="typing" aria-live="polite">
        {typingUsers.length > 0 &&
          `${typingUsers.map((user) => user.name).join(', ')} ${typingUsers.length > 1 ? 'are' : 'is'} typing…`}
      </p>
      <form className="composer" onSubmit={submit}>
        {replyTo && (
          <p className="replying">
            Replying to {replyTo.author.name}: {replyTo.text.slice(0, 60)}{' '}
            <button type="button" onClick={() => setReplyTo(null)}>
              Cancel
            </button>
          </p>
        )}
        <input
          aria-label="Message"
          placeholder={`Message #${name}`}
          value={draft}
          onChange={(event) => {
            setDraft(event.target.value);
            room?.typing(event.target.value !== '');
          }}
        />
        <button type="submit">Send</button>
      </form>
    </main>
  );
};

/** Why an entry is still pending, in words: failed, waiting (and for what), or on its way. */
const describePending = (entry: PendingMessage): string => {
  if (entry.state === 'failed') return `not sent: ${entry.error?.message ?? 'refused'}`;
  switch (entry.waitingFor) {
    case 'connection':
      return 'waiting for the connection';
    case 'rate_limit':
    case 'server':
      return `retrying at ${new Date(entry.retryAt ?? Date.now()).toLocaleTimeString()}`;
    case 'token':
      return 'waiting for a new sign-in';
    default:
      return entry.state;
  }
};
