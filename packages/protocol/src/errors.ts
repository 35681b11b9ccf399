import * as z from 'zod/mini';
import { ErrorCode } from './error-codes.js';
import { useEnglishMessages } from './locale.js';

useEnglishMessages();

// The codes themselves live in error-codes.ts, free of zod, so that importing them stays cheap.

export const ErrorCodeSchema = z.enum(ErrorCode);

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
export const toValidationIssues = (error: z.core.$ZodError): ValidationIssue[] =>
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
  details: z.optional(z.unknown()),
});

export type ErrorPayload = z.infer<typeof ErrorPayloadSchema>;

export const ErrorResponseSchema = z.object({ error: ErrorPayloadSchema });

export type ErrorResponse = z.infer<typeof ErrorResponseSchema>;
