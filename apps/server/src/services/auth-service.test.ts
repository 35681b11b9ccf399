import { LIMITS } from '@chatter/protocol';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthService } from './auth-service.js';

const SECRET = 'a-secret-for-the-auth-service-unit-test';
const MAX_TTL = 30 * 24 * 3600;

const sign = (expiresAtSeconds: number, secret = SECRET) =>
  new SignJWT({ name: 'Ada' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('ada')
    .setExpirationTime(expiresAtSeconds)
    .sign(new TextEncoder().encode(secret));

describe('AuthService.verify', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers a token it verified before the same way, and refuses it once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-06-01T00:00:00Z') });
    const auth = createAuthService({
      secret: SECRET,
      sessionTtlSeconds: 3600,
      maxTokenTtlSeconds: MAX_TTL,
    });
    const token = await sign(Math.floor(Date.now() / 1000) + 60);
    const first = await auth.verify(token);
    expect(first).toMatchObject({ id: 'ada', name: 'Ada' });
    expect(await auth.verify(token)).toEqual(first);

    vi.setSystemTime(Date.now() + 61_000);
    await expect(auth.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Token has expired',
    });
  });

  it('never remembers a token it refused', async () => {
    const auth = createAuthService({
      secret: SECRET,
      sessionTtlSeconds: 3600,
      maxTokenTtlSeconds: MAX_TTL,
    });
    const forged = await sign(Math.floor(Date.now() / 1000) + 60, `${SECRET}-but-another-one`);
    for (let i = 0; i < 2; i++) {
      await expect(auth.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  const now = () => Math.floor(Date.now() / 1000);
  const signWith = (claims: { exp: number; iat?: number }) => {
    let jwt = new SignJWT({ name: 'Ada' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ada')
      .setExpirationTime(claims.exp);
    if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
    return jwt.sign(new TextEncoder().encode(SECRET));
  };
  const auth = () =>
    createAuthService({ secret: SECRET, sessionTtlSeconds: 3600, maxTokenTtlSeconds: MAX_TTL });

  it('accepts a token that lives exactly the longest lifetime, counted from iat or from now', async () => {
    await expect(
      auth().verify(await signWith({ iat: now(), exp: now() + MAX_TTL })),
    ).resolves.toMatchObject({ id: 'ada' });
    await expect(
      auth().verify(await signWith({ exp: now() + MAX_TTL - 5 })),
    ).resolves.toMatchObject({ id: 'ada' });
  });

  it.each([
    ['exp − iat one second past the maximum', () => ({ iat: now(), exp: now() + MAX_TTL + 1 })],
    ['no iat and exp past now + the maximum', () => ({ exp: now() + MAX_TTL + 60 })],
    ['an exp in the year 9999', () => ({ iat: now(), exp: Date.parse('9999-12-31') / 1000 })],
    ['an exp of 1e15 seconds, past any date', () => ({ exp: 1e15 })],
    [
      'an old iat that makes the lifetime too long, though exp is near',
      () => ({ iat: now() - MAX_TTL, exp: now() + 60 }),
    ],
  ])('refuses a token with %s, saying why', async (_, claims) => {
    await expect(auth().verify(await signWith(claims()))).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('CHATTER_MAX_TOKEN_TTL'),
      details: { maxTokenTtlSeconds: MAX_TTL },
    });
  });

  it('refuses a token issued in the future, beyond a minute of clock skew', async () => {
    await expect(
      auth().verify(await signWith({ iat: now() + 30, exp: now() + 3600 })),
    ).resolves.toMatchObject({ id: 'ada' });
    await expect(
      auth().verify(await signWith({ iat: now() + 3600, exp: now() + 7200 })),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: 'Token is not valid: it was issued in the future (iat)',
    });
  });

  it('refuses a token longer than LIMITS.maxTokenLength before decoding it', async () => {
    const padded = await new SignJWT({ name: 'Ada', pad: 'x'.repeat(LIMITS.maxTokenLength) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ada')
      .setExpirationTime(now() + 60)
      .sign(new TextEncoder().encode(SECRET));
    await expect(auth().verify(padded)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: `Token is too large: ${padded.length} characters, and at most ${LIMITS.maxTokenLength} are accepted`,
    });
  });

  it('issues guest sessions it accepts itself', async () => {
    const service = auth();
    const { token } = await service.issueGuestSession('Ada');
    await expect(service.verify(token)).resolves.toMatchObject({ name: 'Ada' });
  });
});
