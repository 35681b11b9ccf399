import {
  ERROR_HTTP_STATUS,
  type ErrorCode,
  type ErrorPayload,
  toValidationIssues,
  type ValidationIssue,
} from '@chatter/protocol';
import type { z } from 'zod';
import { StoreUnavailableError } from '../store/chat-store.js';

/** An error whose code and message are safe to show to the client that caused it. */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ERROR_HTTP_STATUS[this.code];
  }

  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

const describePath = (path: ValidationIssue['path']): string =>
  path.length === 0 ? 'payload' : path.join('.');

export const validationError = (error: z.core.$ZodError): AppError => {
  const issues = toValidationIssues(error);
  const first = issues[0];
  const summary = first ? `${describePath(first.path)}: ${first.message}` : 'Invalid payload';
  return new AppError('VALIDATION', summary, { issues });
};

// Used when a store fault does not say how long to wait.
const STORE_RETRY_AFTER_MS = 1000;

/**
 * The client-facing form of an error we expect: our own AppErrors, and store faults, which
 * become UNAVAILABLE with `retryAfterMs` (the store's own message is for operators, not clients).
 */
export const asAppError = (error: unknown): AppError | undefined => {
  if (error instanceof AppError) return error;
  if (error instanceof StoreUnavailableError) {
    return new AppError(
      'UNAVAILABLE',
      'Messages cannot be stored or read right now; try again shortly',
      { retryAfterMs: error.retryAfterMs ?? STORE_RETRY_AFTER_MS },
      { cause: error },
    );
  }
  return undefined;
};

/**
 * Turns anything thrown into the shared error shape. Errors we did not raise on purpose become
 * INTERNAL with a generic message, so nothing about the server's insides reaches a client.
 */
export const toErrorPayload = (error: unknown): ErrorPayload =>
  asAppError(error)?.toPayload() ?? {
    code: 'INTERNAL',
    message: 'Something went wrong on the server',
  };
