import { ERROR_HTTP_STATUS, MessageTextSchema } from '@chatter/protocol';
import { describe, expect, it } from 'vitest';
import {
  ChatterError,
  isChatterError,
  isTransient,
  toChatterError,
  validateLocally,
} from './errors.js';

describe('ChatterError', () => {
  it('takes the HTTP status of a server code from the protocol table', () => {
    expect(new ChatterError('RATE_LIMITED', 'slow').status).toBe(ERROR_HTTP_STATUS.RATE_LIMITED);
    expect(new ChatterError('TIMEOUT', 'late').status).toBeUndefined();
    expect(new ChatterError('VALIDATION', 'bad', { status: 422 }).status).toBe(422);
  });

  it('wraps the shared error shape with its details', () => {
    const error = ChatterError.fromPayload({
      code: 'VALIDATION',
      message: 'text: Too long',
      details: { issues: [{ path: ['text'], message: 'Too long' }] },
    });
    expect(error).toMatchObject({ name: 'ChatterError', code: 'VALIDATION', status: 400 });
    expect(error.details).toEqual({ issues: [{ path: ['text'], message: 'Too long' }] });
  });

  it('keeps the cause', () => {
    const cause = new TypeError('fetch failed');
    expect(new ChatterError('NETWORK', 'down', { cause }).cause).toBe(cause);
    expect(toChatterError(cause, 'NETWORK')).toMatchObject({ code: 'NETWORK', cause });
  });

  it('is recognised across bundles by name and code, not only by instanceof', () => {
    const foreign = Object.assign(new Error('x'), { name: 'ChatterError', code: 'TIMEOUT' });
    expect(isChatterError(foreign)).toBe(true);
    expect(isChatterError(new Error('x'))).toBe(false);
    expect(isChatterError({ name: 'ChatterError', code: 'TIMEOUT' })).toBe(false);
  });

  it('tells the errors worth retrying from the final ones', () => {
    const transient = [
      'DISCONNECTED',
      'TIMEOUT',
      'NETWORK',
      'UNAVAILABLE',
      'RATE_LIMITED',
      'INTERNAL',
    ];
    const final = [
      'VALIDATION',
      'FORBIDDEN',
      'NOT_FOUND',
      'PAYLOAD_TOO_LARGE',
      'UNAUTHORIZED',
      'CLOSED',
    ];
    for (const code of transient)
      expect(isTransient(new ChatterError(code as never, ''))).toBe(true);
    for (const code of final) expect(isTransient(new ChatterError(code as never, ''))).toBe(false);
  });

  it('validates locally with the same issues the server would send', () => {
    expect(() => validateLocally(MessageTextSchema, ' ', 'text')).toThrow(
      expect.objectContaining({
        code: 'VALIDATION',
        details: { issues: [expect.objectContaining({ path: [] })] },
      }),
    );
    expect(validateLocally(MessageTextSchema, 'hi', 'text')).toBe('hi');
  });
});
