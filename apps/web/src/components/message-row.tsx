import type { PendingMessage } from '@chatter/client';
import type { Message, ReplyTo, User } from '@chatter/protocol';
import { memo } from 'preact/compat';
import { formatFullDate, formatTime } from '../format';
import { type Item, listNames, type MessageView, viewOf } from '../message-view';
import { describeError, withLinks } from '../text';
import { Avatar } from './avatar';
import { MessageActions } from './message-actions';
import { MessageEditor } from './message-editor';
import { Reactions } from './reactions';
import { ReplyQuote } from './reply-quote';

/** What a row can ask of the list; one object for the list's lifetime, so rows can be memoized. */
export interface RowActions {
  readonly selfId: string;
  react(message: Message, emoji: string, on: boolean): void;
  /** Opens the emoji picker on `messageId` (or closes it, with `null`). */
  pick(messageId: string | null): void;
  reply(message: Message): void;
  startEdit(messageId: string): void;
  saveEdit(message: Message, text: string): void;
  cancelEdit(): void;
  askDelete(message: Message): void;
  jump(quote: ReplyTo): void;
  discard(clientId: string): void;
  /** Puts a failed new message back in the composer. */
  editFailed(text: string, clientId: string): void;
  names(ids: readonly string[]): string[];
  highlightDone(): void;
}

export interface MessageRowProps {
  item: Item;
  grouped: boolean;
  mine: boolean;
  online: boolean;
  /** The row in the list's tab order (the others are reached with the arrow keys). */
  current: boolean;
  editing: boolean;
  picking: boolean;
  highlighted: boolean;
  /** This person's edits, deletions and reactions to the message still in the outbox. */
  changes: readonly PendingMessage[];
  /** Who has read up to here, shown under this person's newest message. */
  seenBy: readonly string[] | null;
  /** The quoted message of a reply still in the outbox. */
  quote: ReplyTo | null;
  actions: RowActions;
}

const sameList = <T,>(a: readonly T[] | null, b: readonly T[] | null): boolean =>
  a === b ||
  (a !== null && b !== null && a.length === b.length && a.every((each, i) => each === b[i]));

const sameQuote = (a: ReplyTo | null, b: ReplyTo | null): boolean =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.id === b.id &&
    a.excerpt === b.excerpt &&
    a.deleted === b.deleted &&
    a.author.name === b.author.name);

/**
 * Stored messages change only when the server says so (a new object), so a long list
 * re-renders only the rows whose message, outbox entries or state moved.
 */
const unchanged = (before: MessageRowProps, after: MessageRowProps): boolean => {
  const sameItem =
    before.item.kind === 'message' && after.item.kind === 'message'
      ? before.item.message === after.item.message
      : before.item === after.item && before.online === after.online;
  return (
    sameItem &&
    before.grouped === after.grouped &&
    before.mine === after.mine &&
    before.current === after.current &&
    before.editing === after.editing &&
    before.picking === after.picking &&
    before.highlighted === after.highlighted &&
    sameQuote(before.quote, after.quote) &&
    sameList(before.changes, after.changes) &&
    sameList(before.seenBy, after.seenBy)
  );
};

const pendingState = (pending: PendingMessage, online: boolean): string => {
  if (pending.state === 'failed') {
    return `Not sent: ${pending.error ? describeError(pending.error) : 'the server refused it.'}`;
  }
  return online ? 'Sending…' : 'Pending: it will be sent when the connection is back.';
};

const FAILED_CHANGE: Record<string, string> = {
  edit: 'Your edit was not saved',
  delete: 'This message was not deleted',
  react: 'Your reaction was not added',
  unreact: 'Your reaction was not removed',
};

export const MessageRow = memo((props: MessageRowProps) => {
  const { item, grouped, mine, current, highlighted, actions } = props;
  const classes = [
    'message',
    grouped && 'grouped',
    mine && 'mine',
    highlighted && 'highlighted',
    item.kind === 'pending' && 'pending',
  ];
  const tabIndex = current ? 0 : -1;
  if (item.kind === 'pending') {
    const { pending } = item;
    const failed = pending.state === 'failed';
    return (
      <li
        class={classes.filter(Boolean).join(' ')}
        data-key={item.key}
        data-state={failed ? 'failed' : 'pending'}
        tabIndex={tabIndex}
      >
        <MessageHeader author={item.author} createdAt={pending.createdAt} grouped={grouped} />
        <div class="message-body">
          {!grouped && <MessageMeta author={item.author} createdAt={pending.createdAt} />}
          {props.quote && <ReplyQuote quote={props.quote} tabIndex={tabIndex} actions={actions} />}
          <p class="message-text">{withLinks(pending.text)}</p>
          <p class={failed ? 'pending-state failed' : 'pending-state'}>
            {pendingState(pending, props.online)}
            {failed && (
              <span class="pending-actions">
                <button
                  type="button"
                  class="link-button"
                  tabIndex={tabIndex}
                  onClick={() => actions.editFailed(pending.text, pending.clientId)}
                >
                  Edit
                </button>
                <button
                  type="button"
                  class="link-button"
                  tabIndex={tabIndex}
                  onClick={() => actions.discard(pending.clientId)}
                >
                  Discard
                </button>
              </span>
            )}
          </p>
        </div>
      </li>
    );
  }

  const { message } = item;
  const view = viewOf(message, props.changes, actions.selfId);
  if (view.saving) classes.push('saving');
  if (view.deleted) classes.push('deleted');
  return (
    <li
      class={classes.filter(Boolean).join(' ')}
      data-key={item.key}
      data-seq={message.seq}
      data-message-id={message.id}
      tabIndex={tabIndex}
      onAnimationEnd={highlighted ? () => actions.highlightDone() : undefined}
    >
      <MessageHeader author={message.author} createdAt={message.createdAt} grouped={grouped} />
      <div class="message-body">
        {!grouped && <MessageMeta author={message.author} createdAt={message.createdAt} />}
        {message.replyTo && !view.deleted && (
          <ReplyQuote quote={message.replyTo} tabIndex={tabIndex} actions={actions} />
        )}
        {props.editing && !view.deleted ? (
          <MessageEditor
            id={message.id}
            initial={view.text}
            onSave={(text) => actions.saveEdit(message, text)}
            onCancel={() => actions.cancelEdit()}
          />
        ) : (
          <MessageText view={view} editedAt={message.editedAt} />
        )}
        {view.reactions.length > 0 && (
          <Reactions
            reactions={view.reactions}
            tabIndex={tabIndex}
            names={actions.names}
            onToggle={(emoji, on) => actions.react(message, emoji, on)}
          />
        )}
        {view.failed.map((change) => (
          <p key={change.clientId} class="pending-state failed" role="alert">
            {FAILED_CHANGE[change.kind] ?? 'Not saved'}:{' '}
            {change.error ? describeError(change.error) : 'the server refused it.'}
            <button
              type="button"
              class="link-button"
              tabIndex={tabIndex}
              onClick={() => actions.discard(change.clientId)}
            >
              Dismiss
            </button>
          </p>
        ))}
        {props.seenBy && props.seenBy.length > 0 && <SeenBy names={props.seenBy} />}
      </div>
      {!view.deleted && view.saving !== 'delete' && !props.editing && (
        <MessageActions
          message={message}
          mine={mine}
          reactions={view.reactions}
          picking={props.picking}
          tabIndex={tabIndex}
          actions={actions}
        />
      )}
    </li>
  );
}, unchanged);

const MessageText = ({ view, editedAt }: { view: MessageView; editedAt: string | undefined }) => {
  if (view.deleted) {
    return <p class="message-text tombstone">This message was deleted</p>;
  }
  return (
    <p class="message-text">
      {withLinks(view.text)}
      {view.edited && (
        <span
          class="edited"
          title={editedAt ? `Edited ${formatFullDate(editedAt)}` : 'Edit not saved yet'}
        >
          {' '}
          (edited)
        </span>
      )}
      {view.saving && (
        <span class="sr-only">{view.saving === 'edit' ? ', saving your edit' : ', deleting'}</span>
      )}
    </p>
  );
};

/** "Seen by Bo and Cy": the whole list in the tooltip when it is cut short. */
const SeenBy = ({ names }: { names: readonly string[] }) => (
  <p class="seen-by" title={`Seen by ${names.join(', ')}`}>
    Seen by {listNames(names)}
  </p>
);

interface HeaderProps {
  author: User;
  createdAt: string;
  grouped: boolean;
}

const Time = ({ createdAt }: { createdAt: string }) => (
  <time class="message-time" dateTime={createdAt} title={formatFullDate(createdAt)}>
    {formatTime(createdAt)}
  </time>
);

/** The avatar column: the author's avatar, or only the time when the row is grouped. */
const MessageHeader = ({ author, createdAt, grouped }: HeaderProps) => {
  if (!grouped) return <Avatar id={author.id} name={author.name} />;
  // The header is shared with the message above; the name stays for screen readers.
  return (
    <div class="message-gutter">
      <span class="sr-only">{author.name}, </span>
      <Time createdAt={createdAt} />
    </div>
  );
};

const MessageMeta = ({ author, createdAt }: { author: User; createdAt: string }) => (
  <div class="message-meta">
    <span class="message-author">{author.name}</span>
    <Time createdAt={createdAt} />
  </div>
);
