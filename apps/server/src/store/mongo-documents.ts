import {
  LIMITS,
  type Message,
  type MessageChange,
  type Reaction,
  type ReplyTo,
} from '@chatter/protocol';
import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument, ReactionDocument } from '../models/message-model.js';

/**
 * From stored documents to the protocol's shapes. Pure: whatever a document needs from others
 * (a reply's parent) is passed in, so a page is converted after one query for all its parents.
 */

/** What a reply shows of its parent. */
export type ParentDocument = Pick<
  MessageDocument,
  '_id' | 'room' | 'seq' | 'author' | 'text' | 'deletedAt'
>;

/** Parents by id: the messages some of the converted messages answer. */
export type Parents = ReadonlyMap<string, ParentDocument>;

const NO_PARENTS: Parents = new Map();

/** Only these fields of a parent are read, whatever else it holds (reactions can be large). */
export const PARENT_PROJECTION = {
  _id: 1,
  room: 1,
  seq: 1,
  author: 1,
  text: 1,
  deletedAt: 1,
} as const;

const isDeleted = (doc: { deletedAt?: Date | null | undefined }): boolean =>
  doc.deletedAt instanceof Date;

/** The start of a text, at most `LIMITS.replyExcerptMaxLength` code points (never half a pair). */
export const excerptOf = (text: string): string => {
  const max = LIMITS.replyExcerptMaxLength;
  // Fewer UTF-16 units than the limit means fewer code points too: nothing to count.
  if (text.length <= max) return text;
  let excerpt = '';
  let points = 0;
  for (const point of text) {
    if (points === max) break;
    excerpt += point;
    points += 1;
  }
  return excerpt;
};

/** A reply's view of its parent as the parent is now: '' and `deleted: true` once deleted. */
export const replyToOf = (parent: ParentDocument): ReplyTo => {
  const base = {
    id: parent._id,
    seq: parent.seq,
    author: { id: parent.author.id, name: parent.author.name },
  };
  return isDeleted(parent)
    ? { ...base, excerpt: '', deleted: true }
    : { ...base, excerpt: excerptOf(parent.text ?? '') };
};

/**
 * The protocol's reactions: per emoji in the order each was first used (the stored order: an
 * emoji keeps its place while anyone reacts with it), `count` exact, `users` the earliest
 * `LIMITS.reactionUsersListed`. `undefined` when there are none.
 */
export const reactionsOf = (
  reactions: readonly ReactionDocument[] | undefined,
): Reaction[] | undefined => {
  const present = (reactions ?? []).filter((reaction) => reaction.users.length > 0);
  if (present.length === 0) return undefined;
  return present.map((reaction) => ({
    emoji: reaction.emoji,
    count: reaction.users.length,
    users: reaction.users.slice(0, LIMITS.reactionUsersListed),
  }));
};

/**
 * The protocol message in the document's state. Optional fields are absent, never undefined or
 * null, as the SQLite store returns them. A deleted message is a tombstone: text '', no
 * reactions. `replyTo` is filled in when its parent is among `parents`.
 */
export const toMessage = (doc: MessageDocument, parents: Parents = NO_PARENTS): Message => {
  const deleted = isDeleted(doc);
  const reactions = deleted ? undefined : reactionsOf(doc.reactions);
  const parent = typeof doc.replyTo === 'string' ? parents.get(doc.replyTo) : undefined;
  return {
    id: doc._id,
    room: doc.room,
    seq: doc.seq,
    text: deleted ? '' : (doc.text ?? ''),
    author: { id: doc.author.id, name: doc.author.name },
    createdAt: doc.createdAt.toISOString(),
    ...(typeof doc.clientId === 'string' ? { clientId: doc.clientId } : {}),
    ...(doc.editedAt instanceof Date ? { editedAt: doc.editedAt.toISOString() } : {}),
    ...(doc.deletedAt instanceof Date ? { deletedAt: doc.deletedAt.toISOString() } : {}),
    ...(reactions ? { reactions } : {}),
    ...(parent ? { replyTo: replyToOf(parent) } : {}),
  };
};

/** The protocol change: what the entry did, with its message as it is now (`message`). */
export const toChange = (entry: ChangeDocument, message: Message): MessageChange => ({
  room: entry.room,
  seq: entry.seq,
  type: entry.type,
  message,
  by: entry.by,
  at: entry.at.toISOString(),
  ...(typeof entry.emoji === 'string' ? { emoji: entry.emoji } : {}),
  ...(typeof entry.editClientId === 'string' ? { clientId: entry.editClientId } : {}),
});

/** The parent ids `docs` refer to that are not among `known`, once each. */
export const missingParentIds = (
  docs: Iterable<MessageDocument>,
  known: ReadonlyMap<string, unknown>,
): string[] => {
  const ids = new Set<string>();
  for (const doc of docs) {
    if (typeof doc.replyTo === 'string' && !known.has(doc.replyTo)) ids.add(doc.replyTo);
  }
  return [...ids];
};
