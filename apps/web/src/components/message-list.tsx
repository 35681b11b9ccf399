import type { PendingMessage } from '@chatter/client';
import type { Message, User } from '@chatter/protocol';
import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ChatModel, RoomEntry } from '../chat-model';
import { dayKey, formatDay, formatFullDate, formatTime } from '../format';
import { describeError, withLinks } from '../text';
import { Avatar } from './avatar';

/** Messages closer than this to the previous one by the same author share its header. */
const GROUP_WITHIN_MS = 5 * 60_000;
/** Within this many pixels of the bottom counts as "at the newest message". */
const AT_BOTTOM_PX = 48;
/** Older history starts loading this far before the top is reached. */
const PREFETCH_PX = 400;

type Item =
  | { kind: 'message'; key: string; author: User; createdAt: string; message: Message }
  | { kind: 'pending'; key: string; author: User; createdAt: string; pending: PendingMessage };

interface MessageListProps {
  model: ChatModel;
  entry: RoomEntry;
  onEdit(text: string, clientId: string): void;
}

export const MessageList = ({ model, entry, onEdit }: MessageListProps) => {
  const { room, name } = entry;
  const messages = room?.messages ?? [];
  const pending = model.pending(name);
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const previous = useRef({ height: 0, firstSeq: 0, lastKey: '' });
  const [newBelow, setNewBelow] = useState(false);
  // Where this person had read up to when they opened the room: the "new" divider goes there.
  const [readWhenOpened] = useState(() => model.lastRead(name));

  // The acknowledgement and the outbox's update can land in different renders; a message shows
  // once, and keeps its element (keyed by clientId) from pending to stored, so the live log
  // announces it once.
  const storedClientIds = new Set(pending.length > 0 ? messages.map((each) => each.clientId) : []);
  const items: Item[] = [
    ...messages.map(
      (message): Item => ({
        kind: 'message',
        key: message.clientId ?? message.id,
        author: message.author,
        createdAt: message.createdAt,
        message,
      }),
    ),
    ...pending
      .filter((each) => !storedClientIds.has(each.clientId))
      .map(
        (each): Item => ({
          kind: 'pending',
          key: each.clientId,
          author: model.me,
          createdAt: each.createdAt,
          pending: each,
        }),
      ),
  ];
  const firstSeq = messages[0]?.seq ?? 0;
  const last = items.at(-1);
  const firstUnread = messages.find(
    (message) => message.seq > readWhenOpened && message.author.id !== model.me.id,
  );
  const showUnreadDivider = readWhenOpened > 0 && firstUnread !== undefined;

  const markReadIfSeen = () => {
    if (following.current && document.visibilityState === 'visible') model.markRead(name);
  };

  // Before paint: keep the reader's place when older messages are prepended, and stay at the
  // newest message when they were already there.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const before = previous.current;
    const prepended = before.firstSeq > 0 && firstSeq > 0 && firstSeq < before.firstSeq;
    const lastKey = last?.key ?? '';
    const arrived = lastKey !== before.lastKey && before.lastKey !== '';
    // Sending is a request to see what was sent.
    if (arrived && last?.kind === 'pending') following.current = true;
    if (following.current) {
      element.scrollTop = element.scrollHeight;
    } else if (prepended) {
      element.scrollTop += element.scrollHeight - before.height;
    }
    if (arrived && !following.current && last?.author.id !== model.me.id) setNewBelow(true);
    previous.current = { height: element.scrollHeight, firstSeq, lastKey };
    markReadIfSeen();
  });

  const loadOlderIfNearTop = () => {
    const element = scroller.current;
    if (element && element.scrollTop < PREFETCH_PX) void model.loadOlder(name);
  };

  // A short page may not fill the view, and then no scroll event ever asks for more.
  useEffect(loadOlderIfNearTop, [room, firstSeq, entry.loadingOlder]);

  useEffect(() => {
    const onVisible = () => markReadIfSeen();
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  });

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    following.current =
      element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_PX;
    if (following.current) {
      setNewBelow(false);
      markReadIfSeen();
    }
    loadOlderIfNearTop();
  };

  const jumpToNewest = () => {
    following.current = true;
    setNewBelow(false);
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
    markReadIfSeen();
  };

  return (
    <div class="messages-frame">
      <div
        ref={scroller}
        class="messages"
        role="log"
        aria-label={`Messages in #${name}`}
        // Focusable, so the history scrolls with the keyboard as well.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region needs focus to be scrolled by keyboard.
        tabIndex={0}
        onScroll={onScroll}
      >
        <div class="history-edge">
          {!room ? (
            <p class="muted">Loading messages…</p>
          ) : room.hasMoreHistory ? (
            <button
              type="button"
              class="link-button"
              disabled={entry.loadingOlder}
              onClick={() => model.loadOlder(name)}
            >
              {entry.loadingOlder ? 'Loading older messages…' : 'Load older messages'}
            </button>
          ) : (
            <p class="room-start">
              This is the very beginning of <strong>#{name}</strong>.
            </p>
          )}
          {entry.historyError && (
            <p class="field-error">
              Could not load older messages: {describeError(entry.historyError)}
            </p>
          )}
        </div>
        <ol class="message-items">
          {items.map((item, index) => {
            const before = items[index - 1];
            const newDay = !before || dayKey(before.createdAt) !== dayKey(item.createdAt);
            const unreadStart =
              showUnreadDivider && item.kind === 'message' && item.message === firstUnread;
            const grouped =
              !newDay &&
              !unreadStart &&
              before !== undefined &&
              before.author.id === item.author.id &&
              Date.parse(item.createdAt) - Date.parse(before.createdAt) < GROUP_WITHIN_MS;
            return [
              newDay && (
                <li key={`day-${item.key}`} class="divider">
                  <span>{formatDay(item.createdAt)}</span>
                </li>
              ),
              unreadStart && (
                <li key="unread" class="divider unread-divider">
                  <span>New messages</span>
                </li>
              ),
              <MessageRow
                key={item.key}
                item={item}
                grouped={grouped}
                mine={item.author.id === model.me.id}
                online={model.connection === 'connected'}
                onDiscard={(clientId) => model.discard(name, clientId)}
                onEdit={onEdit}
              />,
            ];
          })}
        </ol>
        {room && items.length === 0 && <p class="empty-room">No messages yet. Say hello!</p>}
      </div>
      {newBelow && (
        <button type="button" class="button jump" onClick={jumpToNewest}>
          New messages below
        </button>
      )}
    </div>
  );
};

interface MessageRowProps {
  item: Item;
  grouped: boolean;
  mine: boolean;
  online: boolean;
  onDiscard(clientId: string): void;
  onEdit(text: string, clientId: string): void;
}

const pendingState = (pending: PendingMessage, online: boolean): string => {
  if (pending.state === 'failed') {
    return `Not sent: ${pending.error ? describeError(pending.error) : 'the server refused it.'}`;
  }
  return online ? 'Sending…' : 'Pending: it will be sent when the connection is back.';
};

/**
 * One message, stored or still in the outbox. The same element goes from pending to stored,
 * and stored messages never change, so a long list re-renders only what is new.
 */
class MessageRow extends Component<MessageRowProps> {
  override shouldComponentUpdate(next: MessageRowProps): boolean {
    const { item, grouped, mine, online } = this.props;
    if (next.grouped !== grouped || next.mine !== mine) return true;
    if (next.item.kind === 'message' && item.kind === 'message') {
      return next.item.message !== item.message;
    }
    return next.item !== item || next.online !== online;
  }

  override render({ item, grouped, mine, online, onDiscard, onEdit }: MessageRowProps) {
    const classes = ['message', grouped && 'grouped', mine && 'mine'];
    if (item.kind === 'message') {
      const { message } = item;
      return (
        <li class={classes.filter(Boolean).join(' ')} data-seq={message.seq}>
          <MessageHeader author={message.author} createdAt={message.createdAt} grouped={grouped} />
          <p class="message-text">{withLinks(message.text)}</p>
        </li>
      );
    }
    const { pending } = item;
    const failed = pending.state === 'failed';
    return (
      <li
        class={[...classes, 'pending'].filter(Boolean).join(' ')}
        data-state={failed ? 'failed' : 'pending'}
      >
        <MessageHeader author={item.author} createdAt={pending.createdAt} grouped={grouped} />
        <p class="message-text">{withLinks(pending.text)}</p>
        <p class={failed ? 'pending-state failed' : 'pending-state'}>
          {pendingState(pending, online)}
          {failed && (
            <span class="pending-actions">
              <button
                type="button"
                class="link-button"
                onClick={() => onEdit(pending.text, pending.clientId)}
              >
                Edit
              </button>
              <button type="button" class="link-button" onClick={() => onDiscard(pending.clientId)}>
                Discard
              </button>
            </span>
          )}
        </p>
      </li>
    );
  }
}

interface MessageHeaderProps {
  author: User;
  createdAt: string;
  grouped: boolean;
}

const MessageHeader = ({ author, createdAt, grouped }: MessageHeaderProps) => {
  const time = (
    <time class="message-time" dateTime={createdAt} title={formatFullDate(createdAt)}>
      {formatTime(createdAt)}
    </time>
  );
  if (grouped) {
    // The header is shared with the message above; the name stays for screen readers.
    return (
      <div class="message-gutter">
        <span class="sr-only">{author.name}, </span>
        {time}
      </div>
    );
  }
  return (
    <>
      <Avatar id={author.id} name={author.name} />
      <div class="message-meta">
        <span class="message-author">{author.name}</span>
        {time}
      </div>
    </>
  );
};
