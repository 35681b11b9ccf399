import {
  EmojiSchema,
  type MessageChangeType,
  MessageIdSchema,
  MessageTextSchema,
} from '@chatter/protocol';
import { validateLocally } from './errors.js';
import type { RoomEvents } from './room-api.js';

/** A change to a stored message, for the outbox to make. */
export type ChangeRequest =
  | { kind: 'edit'; messageId: string; text: string }
  | { kind: 'delete'; messageId: string }
  | { kind: 'react' | 'unreact'; messageId: string; emoji: string };

/** The room event that reports each type of change. */
export const CHANGE_EVENTS = {
  edited: 'edited',
  deleted: 'deleted',
  reaction_added: 'reaction',
  reaction_removed: 'reaction',
} as const satisfies Record<MessageChangeType, keyof RoomEvents>;

// Each checked here with the schemas the server uses, failing as it would (`VALIDATION`), before
// anything reaches the outbox.

export const editRequest = (messageId: string, text: string): ChangeRequest => ({
  kind: 'edit',
  messageId: validateLocally(MessageIdSchema, messageId, 'messageId'),
  text: validateLocally(MessageTextSchema, text, 'text'),
});

export const deleteRequest = (messageId: string): ChangeRequest => ({
  kind: 'delete',
  messageId: validateLocally(MessageIdSchema, messageId, 'messageId'),
});

export const reactionRequest = (
  kind: 'react' | 'unreact',
  messageId: string,
  emoji: string,
): ChangeRequest => ({
  kind,
  messageId: validateLocally(MessageIdSchema, messageId, 'messageId'),
  emoji: validateLocally(EmojiSchema, emoji, 'emoji'),
});
