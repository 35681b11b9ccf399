import { z } from 'zod';

/** Every error code a Chatter server can answer with, in REST bodies and socket acknowledgements. */
export const ErrorCode = {
  VALIDATION: 'VALIDATION',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  RATE_LIMITED: 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ErrorCodeSchema = z.enum(ErrorCode);

/** The HTTP status that goes with each error code; REST answers and the SDK both use this table. */
export const ERROR_HTTP_STATUS = {
  VALIDATION: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, number>;

/** One problem with one field of a rejected payload. */
export const ValidationIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});

export type ValidationIssue = z.infer<typeof ValidationIssueSchema>;

/**
 * A zod error's issues in the shared shape, for `details.issues` of a `VALIDATION` error. The
 * server builds its answers with it and the SDK its local checks, so both say the same.
 */
export const toValidationIssues = (error: z.ZodError): ValidationIssue[] =>
  error.issues.map((issue) => ({
    // Symbol keys cannot travel as JSON.
    path: issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
    message: issue.message,
  }));

/**
 * The one error shape. REST bodies carry it as `{ error }`, socket acknowledgements as
 * `{ ok: false, error }`. `details` holds structured context such as validation issues.
 */
export const ErrorPayloadSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});

export type ErrorPayload = z.infer<typeof ErrorPayloadSchema>;

export const ErrorResponseSchema = z.object({ error: ErrorPayloadSchema });

export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
