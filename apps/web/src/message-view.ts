import type { PendingMessage } from '@chatter/client';
import { LIMITS, type Message, type ReplyTo, type User } from '@chatter/protocol';

/** A message stored by the server, or one of this person's still in the outbox. */
export type Item =
  | { kind: 'message'; key: string; author: User; createdAt: string; message: Message }
  | { kind: 'pending'; key: string; author: User; createdAt: string; pending: PendingMessage };

/** The stored message a change in the outbox is for (none for a new message). */
const targetOf = (pending: PendingMessage): string | undefined =>
  pending.kind === 'message' ? undefined : pending.messageId;

/**
 * The room's timeline as the list shows it: stored messages, then new messages still in the
 * outbox. The acknowledgement and the outbox's update can land in different renders; a message
 * shows once, and keeps its key (its clientId) from pending to stored.
 */
export const timelineItems = (
  messages: readonly Message[],
  pending: readonly PendingMessage[],
  me: User,
): Item[] => {
  const fresh = pending.filter((each) => each.kind === 'message');
  const storedClientIds = new Set(fresh.length > 0 ? messages.map((each) => each.clientId) : []);
  return [
    ...messages.map(
      (message): Item => ({
        kind: 'message',
        key: message.clientId ?? message.id,
        author: message.author,
        createdAt: message.createdAt,
        message,
      }),
    ),
    ...fresh
      .filter((each) => !storedClientIds.has(each.clientId))
      .map(
        (each): Item => ({
          kind: 'pending',
          key: each.clientId,
          author: me,
          createdAt: each.createdAt,
          pending: each,
        }),
      ),
  ];
};

/** The edits, deletions and reactions waiting in the outbox, by the message they change. */
export const changesByMessage = (
  pending: readonly PendingMessage[],
): ReadonlyMap<string, PendingMessage[]> => {
  const byMessage = new Map<string, PendingMessage[]>();
  for (const each of pending) {
    const target = targetOf(each);
    if (target === undefined) continue;
    const list = byMessage.get(target);
    if (list) list.push(each);
    else byMessage.set(target, [each]);
  }
  return byMessage;
};

export interface ReactionView {
  emoji: string;
  count: number;
  /** Whether this person reacted with it (as far as the outbox and the server know). */
  mine: boolean;
  /** This person's change to it is not acknowledged yet. */
  pending: boolean;
  /** The reactors the server listed (the earliest ones). */
  users: readonly string[];
}

/** A stored message as this person sees it: with their unacknowledged changes applied. */
export interface MessageView {
  text: string;
  edited: boolean;
  deleted: boolean;
  /** An edit or the deletion is on its way to the server. */
  saving: 'edit' | 'delete' | null;
  reactions: ReactionView[];
  /** Changes the server refused, to explain and discard. */
  failed: PendingMessage[];
}

export const viewOf = (
  message: Message,
  changes: readonly PendingMessage[],
  selfId: string,
): MessageView => {
  const view: MessageView = {
    text: message.text,
    edited: message.editedAt !== undefined,
    deleted: message.deletedAt !== undefined,
    saving: null,
    reactions: (message.reactions ?? []).map((reaction) => ({
      emoji: reaction.emoji,
      count: reaction.count,
      mine: reaction.users.includes(selfId),
      pending: false,
      users: reaction.users,
    })),
    failed: [],
  };
  if (view.deleted) return { ...view, reactions: [] };
  for (const change of changes) {
    if (change.state === 'failed') {
      view.failed.push(change);
      continue;
    }
    const { kind } = change;
    if (kind === 'edit') {
      view.text = change.text;
      view.edited = true;
      view.saving = view.saving ?? 'edit';
    } else if (kind === 'delete') {
      view.saving = 'delete';
    } else if ((kind === 'react' || kind === 'unreact') && change.emoji) {
      applyReaction(view.reactions, change.emoji, kind === 'react');
    }
  }
  view.reactions = view.reactions.filter((reaction) => reaction.count > 0);
  return view;
};

const applyReaction = (reactions: ReactionView[], emoji: string, on: boolean): void => {
  let reaction = reactions.find((each) => each.emoji === emoji);
  if (!reaction) {
    if (!on) return;
    reaction = { emoji, count: 0, mine: false, pending: true, users: [] };
    reactions.push(reaction);
  }
  reaction.pending = true;
  if (reaction.mine === on) return;
  reaction.mine = on;
  reaction.count += on ? 1 : -1;
};

/** The newest message this person wrote that still stands: ArrowUp edits it. */
export const lastOwnMessage = (
  messages: readonly Message[],
  selfId: string,
): Message | undefined => {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index] as Message;
    if (message.author.id === selfId && message.deletedAt === undefined) return message;
  }
  return undefined;
};

/** `names` as a sentence: "Ann", "Ann and Bo", "Ann, Bo and 3 others". */
export const listNames = (names: readonly string[], shown = 3): string => {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length <= shown) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const others = names.length - (shown - 1);
  return `${names.slice(0, shown - 1).join(', ')} and ${others} others`;
};

/** The quote a reply still in the outbox will carry, from its parent as loaded here. */
export const replyQuoteOf = (
  pending: PendingMessage,
  messages: readonly Message[],
): ReplyTo | null => {
  const id = pending.replyTo;
  const parent = id === undefined ? undefined : messages.find((message) => message.id === id);
  if (!parent) return null;
  const { seq, author } = parent;
  if (parent.deletedAt !== undefined)
    return { id: parent.id, seq, author, excerpt: '', deleted: true };
  const excerpt = [...parent.text].slice(0, LIMITS.replyExcerptMaxLength).join('');
  return { id: parent.id, seq, author, excerpt };
};
