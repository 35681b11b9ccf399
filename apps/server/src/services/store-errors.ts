import { LIMITS } from '@chatter/protocol';
import {
  MessageNotFoundError,
  TooManyReactionsError,
  TooManyRoomsError,
} from '../store/chat-store.js';
import { AppError } from '../utils/errors.js';

/**
 * NOT_FOUND for a message that is not in `room` (or, for edits, reactions and replies, deleted);
 * without a room, for a message looked up by id alone (REST).
 */
export const messageNotFound = (
  messageId: string,
  room: string | undefined,
  reason: 'missing' | 'deleted',
): AppError => {
  const where = room === undefined ? '' : ` in room "${room}"`;
  return new AppError(
    'NOT_FOUND',
    reason === 'missing'
      ? `Message ${messageId} was not found${where}`
      : `Message ${messageId}${where} was deleted`,
  );
};

/**
 * The client-facing form of the refusals a store makes inside a write, for a request about
 * `room`; anything else passes through unchanged (store outages become UNAVAILABLE later, in
 * `asAppError`).
 */
export const fromStoreRefusal = (error: unknown, room: string): unknown => {
  if (error instanceof MessageNotFoundError) {
    return messageNotFound(error.messageId, room, error.reason);
  }
  if (error instanceof TooManyReactionsError) {
    return new AppError(
      'VALIDATION',
      `A message may carry at most ${LIMITS.reactionsPerMessageMax} different reactions`,
      { reactionsPerMessageMax: LIMITS.reactionsPerMessageMax },
    );
  }
  if (error instanceof TooManyRoomsError) {
    // Waiting does not help, so not RATE_LIMITED: like the rooms-per-connection limit.
    return new AppError(
      'FORBIDDEN',
      `A user may be in at most ${LIMITS.roomsPerUserMax} rooms; leave one first`,
      { roomsPerUserMax: LIMITS.roomsPerUserMax },
    );
  }
  return error;
};

/** Runs a store call about `room`, turning its refusals into AppErrors (`fromStoreRefusal`). */
export const refusalsOf = async <T>(room: string, call: Promise<T>): Promise<T> => {
  try {
    return await call;
  } catch (error) {
    throw fromStoreRefusal(error, room);
  }
};
