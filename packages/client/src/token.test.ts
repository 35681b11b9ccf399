import { describe, expect, it } from 'vitest';
import { newClientId } from './ids.js';
import { userFromToken } from './token.js';

const encode = (value: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const jwt = (claims: unknown) => `${encode({ alg: 'HS256' })}.${encode(claims)}.signature`;

describe('userFromToken', () => {
  it('reads sub and name, including non-ASCII names', () => {
    expect(userFromToken(jwt({ sub: 'u1', name: 'Zoë 🚀', exp: 1 }))).toEqual({
      id: 'u1',
      name: 'Zoë 🚀',
    });
  });

  it('returns null for anything that is not a token with sub and name', () => {
    expect(userFromToken('not a token')).toBeNull();
    expect(userFromToken(jwt({ sub: 'u1' }))).toBeNull();
    expect(userFromToken(jwt(['sub']))).toBeNull();
    expect(userFromToken('a.%%%.c')).toBeNull();
  });
});

describe('newClientId', () => {
  it('mints distinct UUIDs the protocol accepts', () => {
    const ids = new Set(Array.from({ length: 1000 }, newClientId));
    expect(ids.size).toBe(1000);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
