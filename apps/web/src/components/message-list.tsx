import type { Message, ReplyTo } from '@chatter/protocol';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ChatModel, RoomEntry } from '../chat-model';
import { dayKey, formatDay } from '../format';
import {
  changesByMessage,
  type Item,
  lastOwnMessage,
  replyQuoteOf,
  timelineItems,
} from '../message-view';
import { DeleteDialog } from './delete-dialog';
import { HistoryEdge } from './history-edge';
import { focusComposer, moveBetweenRows, rowOf } from './list-focus';
import { MessageRow, type RowActions } from './message-row';

/** Messages closer than this to the previous one by the same author share its header. */
const GROUP_WITHIN_MS = 5 * 60_000;
/** Within this many pixels of the bottom counts as "at the newest message". */
const AT_BOTTOM_PX = 48;
/** Older history starts loading this far before the top is reached. */
const PREFETCH_PX = 400;

/** The message being edited, and where focus goes when the editor closes. */
export interface Editing {
  id: string;
  returnTo: 'composer' | 'message';
}

interface MessageListProps {
  model: ChatModel;
  entry: RoomEntry;
  editing: Editing | null;
  onEditStart(id: string): void;
  onEditEnd(): void;
  onReply(message: Message): void;
  /** A failed new message goes back to the composer to be changed and sent again. */
  onEditFailed(text: string, clientId: string): void;
}

/** Where focus goes after the next render, once the element it goes to exists. */
interface FocusRequest {
  id: string;
  target: 'Edit' | 'Delete' | 'message';
}

const isGrouped = (before: Item | undefined, item: Item): boolean =>
  before !== undefined &&
  before.author.id === item.author.id &&
  Date.parse(item.createdAt) - Date.parse(before.createdAt) < GROUP_WITHIN_MS;

export const MessageList = (props: MessageListProps) => {
  const { model, entry, editing } = props;
  const { room, name } = entry;
  const messages = room?.messages ?? [];
  const pending = model.pending(name);
  const scroller = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  const previous = useRef({ height: 0, firstSeq: 0, lastKey: '' });
  const focusRequest = useRef<FocusRequest | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [newBelow, setNewBelow] = useState(false);
  const [current, setCurrent] = useState<string | null>(null);
  const [picking, setPicking] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Message | null>(null);
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [jump, setJump] = useState<{ id: string; missing: boolean } | null>(null);
  // Where this person had read up to (as the server keeps it) when the room first showed here:
  // the "New messages" divider stays there while the room is open.
  const readWhenOpened = useRef<number | null>(null);
  if (room && readWhenOpened.current === null) readWhenOpened.current = model.lastRead(name);

  const items = timelineItems(messages, pending, model.me);
  const changes = changesByMessage(pending);
  const firstSeq = messages[0]?.seq ?? 0;
  const last = items.at(-1);
  const currentKey = items.some((item) => item.key === current) ? current : (last?.key ?? null);
  const readSeq = readWhenOpened.current ?? 0;
  const firstUnread =
    readSeq > 0
      ? messages.find(
          (message) =>
            message.seq > readSeq &&
            message.author.id !== model.me.id &&
            message.deletedAt === undefined,
        )
      : undefined;
  const ownLast = lastOwnMessage(messages, model.me.id);
  const seenBy = ownLast ? model.names(model.readBy(name, ownLast.id)) : null;

  const actions = useMemo<RowActions>(() => {
    const endEdit = (id: string) => {
      const returnTo = latest.current.editing?.returnTo;
      latest.current.onEditEnd();
      if (returnTo === 'composer') focusComposer();
      else focusRequest.current = { id, target: 'Edit' };
    };
    return {
      selfId: model.me.id,
      react: (message, emoji, on) => model.commands(name).react(message.id, emoji, on),
      pick: setPicking,
      reply: (message) => latest.current.onReply(message),
      startEdit: (id) => latest.current.onEditStart(id),
      saveEdit: (message, text) => {
        model.commands(name).edit(message.id, text);
        endEdit(message.id);
      },
      cancelEdit: () => {
        const id = latest.current.editing?.id;
        if (id !== undefined) endEdit(id);
      },
      askDelete: setDeleting,
      jump: (quote: ReplyTo) => {
        following.current = false;
        setJump({ id: quote.id, missing: false });
        if (rowOf(list.current, quote.id)) return;
        void model.loadUntil(name, quote.seq).then((found) => {
          if (!found) {
            setJump((now) => (now?.id === quote.id ? { id: quote.id, missing: true } : now));
          }
        });
      },
      discard: (clientId) => model.commands(name).discard(clientId),
      editFailed: (text, clientId) => latest.current.onEditFailed(text, clientId),
      names: (ids) => model.names(ids),
      highlightDone: () => setHighlighted(null),
    };
  }, [model, name]);

  const markReadIfSeen = () => {
    if (following.current && document.visibilityState === 'visible' && document.hasFocus()) {
      model.markRead(name);
    }
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

  // After the scroll above: go to a quoted message once it is loaded, and put focus where an
  // action that removed the focused control sends it.
  useLayoutEffect(() => {
    if (jump && !jump.missing) {
      const row = rowOf(list.current, jump.id);
      if (row) {
        setJump(null);
        setHighlighted(jump.id);
        row.scrollIntoView({ block: 'center' });
        row.focus({ preventScroll: true });
      }
    }
    const request = focusRequest.current;
    if (request) {
      const row = rowOf(list.current, request.id);
      const control =
        request.target === 'message'
          ? null
          : row?.querySelector<HTMLElement>(`button[aria-label="${request.target}"]`);
      focusRequest.current = null;
      (control ?? row)?.focus();
    }
  });

  // The message being edited comes into view, wherever the list was.
  useLayoutEffect(() => {
    if (!editing) return;
    following.current = false;
    rowOf(list.current, editing.id)?.scrollIntoView({ block: 'nearest' });
  }, [editing?.id]);

  const loadOlderIfNearTop = () => {
    const element = scroller.current;
    if (element && element.scrollTop < PREFETCH_PX) void model.loadOlder(name);
  };

  // A short page may not fill the view, and then no scroll event ever asks for more.
  useEffect(loadOlderIfNearTop, [room, firstSeq, entry.loadingOlder]);

  useEffect(() => {
    const onSeen = () => markReadIfSeen();
    document.addEventListener('visibilitychange', onSeen);
    window.addEventListener('focus', onSeen);
    return () => {
      document.removeEventListener('visibilitychange', onSeen);
      window.removeEventListener('focus', onSeen);
    };
  });

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    following.current =
      element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_PX;
    if (jump?.missing) setJump(null);
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
        <HistoryEdge model={model} entry={entry} />
        <ol
          ref={list}
          class="message-items"
          onKeyDown={(event) => {
            if (moveBetweenRows(event, list.current) === 'before-first') void model.loadOlder(name);
          }}
          onFocusIn={(event) => {
            const row = (event.target as HTMLElement).closest<HTMLElement>('li.message');
            if (row?.dataset.key) setCurrent(row.dataset.key);
          }}
          onFocusOut={(event) => {
            const row = (event.target as HTMLElement).closest('li.message');
            const to = event.relatedTarget as Node | null;
            if (row?.classList.contains('highlighted') && !(to && row.contains(to))) {
              setHighlighted(null);
            }
          }}
        >
          {items.map((item, index) => {
            const before = items[index - 1];
            const newDay = !before || dayKey(before.createdAt) !== dayKey(item.createdAt);
            const unreadStart =
              firstUnread !== undefined && item.kind === 'message' && item.message === firstUnread;
            const id = item.kind === 'message' ? item.message.id : null;
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
                grouped={!newDay && !unreadStart && isGrouped(before, item)}
                mine={item.author.id === model.me.id}
                online={model.connection === 'connected'}
                current={item.key === currentKey}
                editing={id !== null && editing?.id === id}
                picking={id !== null && picking === id}
                highlighted={id !== null && highlighted === id}
                changes={(id !== null && changes.get(id)) || NONE}
                seenBy={id !== null && id === ownLast?.id ? seenBy : null}
                quote={item.kind === 'pending' ? replyQuoteOf(item.pending, messages) : null}
                actions={actions}
              />,
            ];
          })}
        </ol>
        {room && items.length === 0 && <p class="empty-room">No messages yet. Say hello!</p>}
      </div>
      <p class="jump-status" role="status">
        {jump?.missing ? 'The quoted message could not be loaded.' : ''}
      </p>
      {newBelow && (
        <button type="button" class="button jump" onClick={jumpToNewest}>
          New messages below
        </button>
      )}
      {deleting && (
        <DeleteDialog
          message={deleting}
          onDone={(confirmed) => {
            setDeleting(null);
            if (confirmed) model.commands(name).delete(deleting.id);
            focusRequest.current = { id: deleting.id, target: confirmed ? 'message' : 'Delete' };
          }}
        />
      )}
    </div>
  );
};

const NONE: readonly never[] = [];
