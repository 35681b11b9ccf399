import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ERROR_HTTP_STATUS,
  ErrorCode,
  ErrorCodeSchema,
  ErrorPayloadSchema,
  ErrorResponseSchema,
  SendMessagePayloadSchema,
  toValidationIssues,
  ValidationIssueSchema,
} from './index.js';

describe('ERROR_HTTP_STATUS', () => {
  it.each(Object.values(ErrorCode))('has an HTTP error status for %s', (code) => {
    const status: number = ERROR_HTTP_STATUS[code];
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
  });

  it('has no entry for a code that does not exist', () => {
    expect(Object.keys(ERROR_HTTP_STATUS).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it.each([
    ['VALIDATION', 400],
    ['UNAUTHORIZED', 401],
    ['FORBIDDEN', 403],
    ['NOT_FOUND', 404],
    ['PAYLOAD_TOO_LARGE', 413],
    ['RATE_LIMITED', 429],
    ['INTERNAL', 500],
    ['UNAVAILABLE', 503],
  ] as const)('maps %s to %d', (code, status) => {
    expect(ERROR_HTTP_STATUS[code]).toBe(status);
  });
});

describe('ErrorCode', () => {
  it('uses each code as its own value', () => {
    for (const [key, value] of Object.entries(ErrorCode)) expect(value).toBe(key);
  });

  it.each(Object.values(ErrorCode))('ErrorCodeSchema accepts %s', (code) => {
    expect(ErrorCodeSchema.parse(code)).toBe(code);
  });

  it.each(['NOPE', 'validation', '', 400])('ErrorCodeSchema rejects %j', (code) => {
    expect(ErrorCodeSchema.safeParse(code).success).toBe(false);
  });
});

describe('ErrorPayloadSchema', () => {
  it('accepts a code and a message', () => {
    const error = { code: 'NOT_FOUND', message: 'No such room' };
    expect(ErrorPayloadSchema.parse(error)).toEqual(error);
  });

  it('rejects a payload without a message', () => {
    expect(ErrorPayloadSchema.safeParse({ code: 'NOT_FOUND' }).success).toBe(false);
  });

  it('wraps into a REST body as { error }', () => {
    const body = { error: { code: 'RATE_LIMITED', message: 'Slow down', details: { retryIn: 3 } } };
    expect(ErrorResponseSchema.parse(body)).toEqual(body);
    expect(ErrorResponseSchema.safeParse(body.error).success).toBe(false);
  });
});

describe('toValidationIssues', () => {
  it('lists each problem with its path, in the shape ValidationIssueSchema accepts', () => {
    const parsed = SendMessagePayloadSchema.safeParse({ room: 'Bad Room', text: '', extra: 1 });
    if (parsed.success) throw new Error('expected a failure');
    const issues = toValidationIssues(parsed.error);
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining([['room'], ['text'], []]),
    );
    for (const issue of issues) expect(ValidationIssueSchema.parse(issue)).toEqual(issue);
  });

  it('turns symbol path segments into strings, which JSON can carry', () => {
    const error = new z.ZodError([
      { code: 'custom', path: [Symbol('key'), 0], message: 'bad', input: 1 },
    ]);
    expect(toValidationIssues(error)).toEqual([{ path: ['Symbol(key)', 0], message: 'bad' }]);
  });
});
