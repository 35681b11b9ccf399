import { ClientIdSchema, EmojiSchema, LIMITS, MessageChangeType } from '@chatter/protocol';
import { type QueryFilter, trusted, type UpdateQuery } from 'mongoose';
import { z } from 'zod';
import type { ChangeDocument } from '../models/change-model.js';
import type { MessageDocument, ReactionDocument } from '../models/message-model.js';
import {
  type DeleteMessageInput,
  type EditMessageInput,
  MessageNotFoundError,
  type ReactionInput,
  TooManyReactionsError,
} from './chat-store.js';
import {
  AuthorSchema,
  check,
  checkMessageId,
  checkRoom,
  checkSeq,
  TextSchema,
} from './mongo-queries.js';

/**
 * The pure half of a change: what a request does to a message in a given state, the log entry
 * that records it, and the update that applies the entry to the message document. The database
 * steps around them are in `mongo-change-write.ts`.
 */

export type ChangeRequest =
  | { type: 'edit'; text: string; clientId: string | undefined }
  | { type: 'delete' }
  | { type: 'react'; emoji: string; on: boolean };

export interface CheckedChange {
  room: string;
  messageId: string;
  actor: { id: string; name: string };
  request: ChangeRequest;
}

const target = (input: { room: string; messageId: string; actor: unknown }) => ({
  room: checkRoom(input.room),
  messageId: checkMessageId(input.messageId),
  actor: check(AuthorSchema, input.actor, 'actor'),
});

export const checkEdit = (input: EditMessageInput): CheckedChange => ({
  ...target(input),
  request: {
    type: 'edit',
    text: check(TextSchema, input.text, 'text'),
    clientId: check(z.optional(ClientIdSchema), input.clientId, 'clientId'),
  },
});

export const checkDelete = (input: DeleteMessageInput): CheckedChange => ({
  ...target(input),
  request: { type: 'delete' },
});

export const checkReaction = (input: ReactionInput): CheckedChange => ({
  ...target(input),
  request: {
    type: 'react',
    emoji: check(EmojiSchema, input.emoji, 'emoji'),
    on: check(z.boolean(), input.on, 'on'),
  },
});

/** What the entry will record, decided on the message's state. */
export interface ChangeIntent {
  type: MessageChangeType;
  text?: string;
  emoji?: string;
  editClientId?: string;
}

const isDeleted = (doc: MessageDocument): boolean => doc.deletedAt instanceof Date;

/**
 * What `change` does to the message in the state `doc`: the entry to append, or `null` when it
 * would change nothing (a repeated reaction, removing one that is not there, deleting a deleted
 * message, an edit to the same text). Throws `MessageNotFoundError` for a message that is not in
 * the room, or that is deleted (for anything but a deletion), and `TooManyReactionsError` for a
 * new emoji past `LIMITS.reactionsPerMessageMax`.
 */
export const decideChange = (
  doc: MessageDocument | null,
  { room, messageId, actor, request }: CheckedChange,
): ChangeIntent | null => {
  if (!doc || doc.room !== room) throw new MessageNotFoundError(messageId, 'missing');
  if (isDeleted(doc)) {
    if (request.type === 'delete') return null;
    throw new MessageNotFoundError(messageId, 'deleted');
  }
  switch (request.type) {
    case 'edit':
      if (doc.text === request.text) return null;
      return {
        type: MessageChangeType.EDITED,
        text: request.text,
        ...(request.clientId === undefined ? {} : { editClientId: request.clientId }),
      };
    case 'delete':
      return { type: MessageChangeType.DELETED };
    case 'react': {
      const reactions = doc.reactions ?? [];
      const reaction = reactions.find((each) => each.emoji === request.emoji);
      const reacted = reaction?.users.includes(actor.id) ?? false;
      if (request.on === reacted) return null;
      if (!request.on) return { type: MessageChangeType.REACTION_REMOVED, emoji: request.emoji };
      if (!reaction && reactions.length >= LIMITS.reactionsPerMessageMax) {
        throw new TooManyReactionsError(
          `message ${messageId} has ${LIMITS.reactionsPerMessageMax} different reactions already`,
        );
      }
      return { type: MessageChangeType.REACTION_ADDED, emoji: request.emoji };
    }
  }
};

/**
 * The log entry for `intent`, at `seq`, chained to the state it was decided on (`prev`), and
 * pending until it is applied to the message.
 */
export const changeEntry = (
  doc: MessageDocument,
  change: CheckedChange,
  intent: ChangeIntent,
  { id, seq, ordinal, now }: { id: string; seq: number; ordinal: number; now: Date },
): ChangeDocument => ({
  _id: id,
  room: change.room,
  seq: checkSeq(seq),
  ordinal,
  kind: 'change',
  type: intent.type,
  messageId: doc._id,
  prev: doc.lastChangeSeq ?? 0,
  by: change.actor.id,
  at: now,
  ...(intent.emoji === undefined ? {} : { emoji: intent.emoji }),
  ...(intent.text === undefined ? {} : { text: intent.text }),
  ...(intent.editClientId === undefined ? {} : { editClientId: intent.editClientId }),
  pending: true,
});

const withoutKeys = <T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> => {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
};

/** The message as the entry leaves it: what `entryUpdate` writes, for the answer. */
export const applyEntry = (doc: MessageDocument, entry: ChangeDocument): MessageDocument => {
  const next: MessageDocument = { ...doc, lastChangeSeq: entry.seq };
  const reactions = doc.reactions ?? [];
  switch (entry.type) {
    case MessageChangeType.EDITED:
      return { ...next, text: entry.text ?? doc.text, editedAt: entry.at };
    case MessageChangeType.DELETED:
      return { ...withoutKeys(next, 'text', 'reactions'), deletedAt: entry.at };
    case MessageChangeType.REACTION_ADDED: {
      const found = reactions.some((each) => each.emoji === entry.emoji);
      const added: ReactionDocument[] = found
        ? reactions.map((each) =>
            each.emoji === entry.emoji ? { ...each, users: [...each.users, entry.by] } : each,
          )
        : [...reactions, { emoji: entry.emoji ?? '', users: [entry.by] }];
      return { ...next, reactions: added };
    }
    case MessageChangeType.REACTION_REMOVED: {
      const left = reactions
        .map((each) =>
          each.emoji === entry.emoji
            ? { ...each, users: each.users.filter((user) => user !== entry.by) }
            : each,
        )
        .filter((each) => each.users.length > 0);
      return left.length === 0 ? withoutKeys(next, 'reactions') : { ...next, reactions: left };
    }
  }
};

export interface EntryUpdate {
  filter: QueryFilter<MessageDocument>;
  update: UpdateQuery<MessageDocument>;
}

/**
 * The update that applies `entry` to the message in the state `doc` (the state it was decided
 * on). Guarded by the message's `lastChangeSeq` being the entry's `prev`: it applies once, and
 * only on the state it was decided on, so a replay (a reader repairing while the writer also
 * applies) is a no-op. The operators touch only what changes: a reaction pushes or pulls one
 * user, whatever else the message holds.
 */
export const entryUpdate = (doc: MessageDocument, entry: ChangeDocument): EntryUpdate => {
  const filter: Record<string, unknown> = {
    _id: checkMessageId(doc._id),
    lastChangeSeq: entry.prev === 0 ? trusted({ $exists: false }) : checkSeq(entry.prev, 'prev'),
  };
  const $set: Record<string, unknown> = { lastChangeSeq: checkSeq(entry.seq) };
  const reactions = doc.reactions ?? [];
  const reaction = reactions.find((each) => each.emoji === entry.emoji);
  const inReaction = () => {
    // `$` in the update stands for the array element this matched.
    filter['reactions.emoji'] = entry.emoji;
  };
  switch (entry.type) {
    case MessageChangeType.EDITED:
      return { filter, update: { $set: { ...$set, text: entry.text, editedAt: entry.at } } };
    case MessageChangeType.DELETED:
      return {
        filter,
        update: { $set: { ...$set, deletedAt: entry.at }, $unset: { text: 1, reactions: 1 } },
      };
    case MessageChangeType.REACTION_ADDED: {
      if (!reaction) {
        const added = { emoji: entry.emoji, users: [entry.by] };
        return { filter, update: { $set, $push: { reactions: added } } };
      }
      inReaction();
      return { filter, update: { $set, $push: { 'reactions.$.users': entry.by } } };
    }
    case MessageChangeType.REACTION_REMOVED: {
      if (!reaction?.users.includes(entry.by)) return { filter, update: { $set } };
      if (reaction.users.length > 1) {
        inReaction();
        return { filter, update: { $set, $pull: { 'reactions.$.users': entry.by } } };
      }
      // The emoji's last reactor: the emoji goes, and `reactions` with it when it was the last.
      return reactions.length === 1
        ? { filter, update: { $set, $unset: { reactions: 1 } } }
        : { filter, update: { $set, $pull: { reactions: { emoji: entry.emoji } } } };
    }
  }
};

export type ApplyPlan =
  /** The message shows this entry already (or a later one). */
  | { action: 'done' }
  /** An earlier change of the message is not applied yet: apply the room's entries in order. */
  | { action: 'blocked' }
  | ({ action: 'apply'; next: MessageDocument } & EntryUpdate);

/** What applying `entry` to the message in the state `doc` takes. */
export const planApply = (doc: MessageDocument, entry: ChangeDocument): ApplyPlan => {
  const last = doc.lastChangeSeq ?? 0;
  if (last >= entry.seq) return { action: 'done' };
  if (last !== entry.prev) return { action: 'blocked' };
  return { action: 'apply', next: applyEntry(doc, entry), ...entryUpdate(doc, entry) };
};
