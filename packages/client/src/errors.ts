import {
  ERROR_HTTP_STATUS,
  ErrorCode,
  type ErrorPayload,
  ErrorPayloadSchema,
  toValidationIssues,
} from '@chatter/protocol';
import type * as z from 'zod/mini';

/**
 * Error codes the SDK raises on its own, next to the server's {@link ErrorCode}s.
 *
 * - `DISCONNECTED`: the request needs a connection and there is none (or it dropped mid-request).
 * - `TIMEOUT`: the server did not answer in time.
 * - `NETWORK`: an HTTP request failed before a response arrived.
 * - `BAD_RESPONSE`: the server answered something that does not match the protocol.
 * - `CLOSED`: the client was closed with {@link ChatterClient.close}.
 * - `STORAGE`: the outbox storage failed (localStorage full, say); the message is still sent.
 * - `ABORTED`: the call's `AbortSignal` was aborted; the signal's reason is the `cause`.
 * - `UNSUPPORTED`: the environment lacks something the SDK needs (Web Crypto, to mint ids).
 *
 * @example
 * ```ts
 * if (isChatterError(error) && error.code === ClientErrorCode.TIMEOUT) retryLater();
 * ```
 */
export const ClientErrorCode = {
  DISCONNECTED: 'DISCONNECTED',
  TIMEOUT: 'TIMEOUT',
  NETWORK: 'NETWORK',
  BAD_RESPONSE: 'BAD_RESPONSE',
  CLOSED: 'CLOSED',
  STORAGE: 'STORAGE',
  ABORTED: 'ABORTED',
  UNSUPPORTED: 'UNSUPPORTED',
} as const;

export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/**
 * Every code a {@link ChatterError} can carry: the server's codes and the SDK's own.
 *
 * @example
 * ```ts
 * const describe = (code: ChatterErrorCode) => (code === 'RATE_LIMITED' ? 'Slow down' : code);
 * ```
 */
export type ChatterErrorCode = ErrorCode | ClientErrorCode;

/**
 * Options of {@link ChatterError}'s constructor.
 *
 * @example
 * ```ts
 * new ChatterError('NETWORK', 'Could not reach the server', { cause: error });
 * ```
 */
export interface ChatterErrorOptions {
  /** The HTTP status that goes with the error, when there is one. */
  status?: number | undefined;
  /** Structured context from the server, such as validation issues or `retryAfterMs`. */
  details?: unknown;
  cause?: unknown;
}

/**
 * The one error class of the SDK. Server errors (REST bodies and socket acknowledgements),
 * timeouts, dropped connections and malformed server answers all surface as a `ChatterError`.
 *
 * @example
 * ```ts
 * try {
 *   await room.send('');
 * } catch (error) {
 *   if (isChatterError(error) && error.code === 'VALIDATION') console.log(error.details);
 * }
 * ```
 */
export class ChatterError extends Error {
  override readonly name = 'ChatterError';
  readonly code: ChatterErrorCode;
  readonly status: number | undefined;
  readonly details: unknown;

  constructor(code: ChatterErrorCode, message: string, options: ChatterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status ?? (isServerCode(code) ? ERROR_HTTP_STATUS[code] : undefined);
    this.details = options.details;
  }

  /**
   * Wraps the server's error shape (`{ code, message, details? }`).
   *
   * @example
   * ```ts
   * if (!ack.ok) throw ChatterError.fromPayload(ack.error);
   * ```
   */
  static fromPayload(payload: ErrorPayload, status?: number): ChatterError {
    return new ChatterError(payload.code, payload.message, { status, details: payload.details });
  }
}

/**
 * Whether `value` is a {@link ChatterError}. Works across bundles and realms, where
 * `instanceof` may not.
 *
 * @example
 * ```ts
 * room.send(text).catch((error) => {
 *   if (isChatterError(error)) showProblem(error.code, error.message);
 * });
 * ```
 */
export const isChatterError = (value: unknown): value is ChatterError =>
  value instanceof ChatterError ||
  (value instanceof Error &&
    value.name === 'ChatterError' &&
    typeof (value as { code?: unknown }).code === 'string');

const isServerCode = (code: string): code is ErrorCode => Object.hasOwn(ErrorCode, code);

/** The server's error shape inside an unknown value, if it is one. */
export const parseErrorPayload = (value: unknown): ErrorPayload | undefined => {
  const parsed = ErrorPayloadSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

/** Whether resending the same request later can succeed (the outbox keeps such messages). */
export const isTransient = (error: ChatterError): boolean => {
  switch (error.code) {
    case 'DISCONNECTED':
    case 'TIMEOUT':
    case 'NETWORK':
    case 'UNAVAILABLE':
    case 'RATE_LIMITED':
    case 'INTERNAL':
    case 'BAD_RESPONSE':
      return true;
    default:
      return false;
  }
};

/** Any thrown value as a `ChatterError`, keeping the original as `cause`. */
export const toChatterError = (error: unknown, fallback: ChatterErrorCode = 'INTERNAL') =>
  isChatterError(error)
    ? error
    : new ChatterError(fallback, error instanceof Error ? error.message : String(error), {
        cause: error,
      });

/** Checks `value` against a protocol schema before it goes out, failing as the server would. */
export const validateLocally = <T>(
  schema: { safeParse(value: unknown): z.core.util.SafeParseResult<T> },
  value: unknown,
  what: string,
): T => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = toValidationIssues(parsed.error);
  throw new ChatterError('VALIDATION', `${what}: ${issues[0]?.message ?? 'invalid'}`, {
    details: { issues },
  });
};
