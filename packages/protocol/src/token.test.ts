import { describe, expect, it } from 'vitest';
import { AccessTokenClaimsSchema } from './index.js';

const claims = { sub: 'u1', name: 'Ada', exp: 1_900_000_000 };

describe('AccessTokenClaimsSchema', () => {
  it('accepts sub, name and exp', () => {
    expect(AccessTokenClaimsSchema.parse(claims)).toEqual(claims);
  });

  it('accepts a list of rooms the token is limited to', () => {
    const limited = { ...claims, rooms: ['general', 'random'] };
    expect(AccessTokenClaimsSchema.parse(limited)).toEqual(limited);
  });

  it.each(['sub', 'name', 'exp'] as const)('requires %s', (claim) => {
    const { [claim]: _, ...rest } = claims;
    const result = AccessTokenClaimsSchema.safeParse(rest);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([[claim]]);
  });

  it.each([
    ['an empty sub', { sub: '' }],
    ['a sub longer than 128 characters', { sub: 'u'.repeat(129) }],
    ['a blank name', { name: '  ' }],
    ['a name with a control character', { name: 'Ada\nAdmin' }],
    ['exp as a string', { exp: '1900000000' }],
    ['a fractional exp', { exp: 1.5 }],
    ['exp 0', { exp: 0 }],
    ['an invalid room', { rooms: ['General'] }],
  ])('rejects %s', (_, patch) => {
    expect(AccessTokenClaimsSchema.safeParse({ ...claims, ...patch }).success).toBe(false);
  });

  it('trims the display name', () => {
    expect(AccessTokenClaimsSchema.parse({ ...claims, name: ' Ada ' }).name).toBe('Ada');
  });
});
