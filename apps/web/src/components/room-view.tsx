import type { Message, ReplyTo } from '@chatter/protocol';
import type { Ref } from 'preact';
import { useState } from 'preact/hooks';
import { type ChatModel, HOME_ROOM, type RoomEntry } from '../chat-model';
import { lastOwnMessage } from '../message-view';
import { describeError } from '../text';
import { Composer } from './composer';
import { focusComposer } from './list-focus';
import { type Editing, MessageList } from './message-list';

interface MenuButton {
  ref: Ref<HTMLButtonElement>;
  expanded: boolean;
  onClick(): void;
}

interface RoomViewProps {
  model: ChatModel;
  entry: RoomEntry;
  inert: boolean;
  /** The phone layout's button that opens the rooms and people drawer. */
  menuButton: MenuButton | null;
}

/** The quote of `message` as it is now in the room (edited or deleted since it was picked). */
const quoteOf = (message: Message, entry: RoomEntry): ReplyTo => {
  const now = entry.room?.messages.find((each) => each.id === message.id) ?? message;
  return now.deletedAt === undefined
    ? { id: now.id, seq: now.seq, author: now.author, excerpt: now.text }
    : { id: now.id, seq: now.seq, author: now.author, excerpt: '', deleted: true };
};

export const RoomView = ({ model, entry, inert, menuButton }: RoomViewProps) => {
  const { name } = entry;
  // A failed message put back in the composer.
  const [draft, setDraft] = useState<{ text: string } | null>(null);
  // Both belong to the room they were started in, and end when another room opens.
  const [editingIn, setEditing] = useState<{ room: string; editing: Editing } | null>(null);
  const [replyIn, setReply] = useState<{ room: string; message: Message } | null>(null);
  const editing = editingIn?.room === name ? editingIn.editing : null;
  const replyTo = replyIn?.room === name ? replyIn.message : null;
  return (
    <main class="room" aria-labelledby="room-title" inert={inert}>
      <header class="room-header">
        {menuButton && (
          <button
            ref={menuButton.ref}
            type="button"
            class="icon-button"
            aria-label="Rooms and people"
            aria-controls="sidebar"
            aria-expanded={menuButton.expanded}
            onClick={menuButton.onClick}
          >
            <MenuIcon />
            {model.rooms.some((room) => room.name !== name && model.unread(room.name) > 0) && (
              <span class="menu-dot" />
            )}
          </button>
        )}
        <h1 id="room-title" class="room-title">
          <span class="room-hash" aria-hidden="true">
            #
          </span>
          {name}
        </h1>
        {name !== HOME_ROOM && (
          <button type="button" class="button ghost small" onClick={() => model.leave(name)}>
            Leave<span class="sr-only"> #{name}</span>
          </button>
        )}
      </header>
      <ConnectionBanner model={model} />
      {model.notice && (
        <div class="notice banner" role="alert">
          <span>{model.notice}</span>
          <button type="button" class="button ghost small" onClick={() => model.dismissNotice()}>
            Dismiss
          </button>
        </div>
      )}
      {entry.joinError ? (
        <div class="room-error" role="alert">
          <p>
            Could not open #{name}: {describeError(entry.joinError)}
          </p>
          <div class="actions">
            <button type="button" class="button" onClick={() => model.retryJoin(name)}>
              Try again
            </button>
            {name !== HOME_ROOM && (
              <button type="button" class="button ghost" onClick={() => model.leave(name)}>
                Close #{name}
              </button>
            )}
          </div>
        </div>
      ) : (
        <MessageList
          key={name}
          model={model}
          entry={entry}
          editing={editing}
          onEditStart={(id) => setEditing({ room: name, editing: { id, returnTo: 'message' } })}
          onEditEnd={() => setEditing(null)}
          onReply={(message) => {
            setReply({ room: name, message });
            focusComposer();
          }}
          onEditFailed={(text, clientId) => {
            model.commands(name).discard(clientId);
            setDraft({ text });
          }}
        />
      )}
      <TypingIndicator names={model.typingUsers(name).map((user) => user.name)} />
      <Composer
        key={name}
        room={name}
        ready={entry.room !== null}
        edit={draft}
        replyTo={replyTo && quoteOf(replyTo, entry)}
        onCancelReply={() => setReply(null)}
        onEditLast={() => {
          const last = entry.room && lastOwnMessage(entry.room.messages, model.me.id);
          if (!last) return false;
          setEditing({ room: name, editing: { id: last.id, returnTo: 'composer' } });
          return true;
        }}
        onSend={(text) => {
          model.commands(name).send(text, replyTo?.id);
          setReply(null);
        }}
        onTyping={(typing) => model.commands(name).typing(typing)}
      />
    </main>
  );
};

const typingText = (names: readonly string[]): string => {
  const [first, second] = names;
  if (first === undefined) return '';
  if (second === undefined) return `${first} is typing…`;
  if (names.length === 2) return `${first} and ${second} are typing…`;
  return `${first}, ${second} and ${names.length - 2} more are typing…`;
};

const TypingIndicator = ({ names }: { names: readonly string[] }) => (
  // Always rendered, so screen readers hear the text that appears in it.
  <div class="typing" aria-live="polite">
    {names.length > 0 && (
      <>
        <span class="typing-dots" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
        {typingText(names)}
      </>
    )}
  </div>
);

const ConnectionBanner = ({ model }: { model: ChatModel }) => {
  const { connection, everConnected, pendingCount } = model;
  let text = '';
  if (connection !== 'connected') {
    if (everConnected) {
      text =
        'Offline: the server cannot be reached. Reconnecting… Messages you send now are kept and sent when it is back.';
    } else if (connection === 'disconnected' || pendingCount > 0) {
      text = 'The server cannot be reached yet. Retrying…';
    } else {
      text = 'Connecting to the server…';
    }
    if (pendingCount > 0) text += ` ${pendingCount} waiting to be sent.`;
  }
  return (
    <div class="connection" role="status" data-state={text ? connection : 'connected'}>
      {text}
    </div>
  );
};

const MenuIcon = () => (
  <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
    <path
      d="M4 6h16M4 12h16M4 18h16"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
    />
  </svg>
);
