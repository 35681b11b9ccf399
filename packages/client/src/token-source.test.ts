import { describe, expect, it } from 'vitest';
import { TokenSource } from './token-source.js';

const encode = (value: unknown) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(value))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const jwt = (sub: string, name: string, exp = 1) =>
  `${encode({ alg: 'HS256' })}.${encode({ sub, name, exp })}.signature`;

describe('TokenSource user', () => {
  it('is the same object while fresh tokens name the same user, a new one when they do not', async () => {
    const tokens = [
      jwt('u1', 'Ada', 1),
      jwt('u1', 'Ada', 2),
      jwt('u1', 'Ada Lovelace'),
      jwt('u2', 'Bob'),
    ];
    let changes = 0;
    const source = new TokenSource(
      undefined,
      () => tokens.shift() ?? '',
      () => {
        changes += 1;
      },
    );
    expect(source.user).toBeNull();

    await source.current();
    const ada = source.user;
    expect(ada).toEqual({ id: 'u1', name: 'Ada' });
    expect(changes).toBe(1);

    // A refreshed token for the same user: nothing a UI shows changed.
    source.invalidate();
    await source.current();
    expect(source.user).toBe(ada);
    expect(changes).toBe(1);

    source.invalidate();
    await source.current();
    expect(source.user).toEqual({ id: 'u1', name: 'Ada Lovelace' });
    expect(changes).toBe(2);

    const renamed = source.user;
    source.invalidate();
    await source.current();
    expect(source.user).not.toBe(renamed);
    expect(source.user).toEqual({ id: 'u2', name: 'Bob' });
    expect(changes).toBe(3);
  });

  it('keeps the user of a fixed token, read once', async () => {
    const source = new TokenSource(jwt('u1', 'Ada'), undefined);
    const user = source.user;
    await source.current();
    expect(source.user).toBe(user);
    expect(user).toEqual({ id: 'u1', name: 'Ada' });
  });
});
