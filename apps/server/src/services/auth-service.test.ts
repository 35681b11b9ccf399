import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthService } from './auth-service.js';

const SECRET = 'a-secret-for-the-auth-service-unit-test';

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
    const auth = createAuthService({ secret: SECRET, sessionTtlSeconds: 3600 });
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
    const auth = createAuthService({ secret: SECRET, sessionTtlSeconds: 3600 });
    const forged = await sign(Math.floor(Date.now() / 1000) + 60, `${SECRET}-but-another-one`);
    for (let i = 0; i < 2; i++) {
      await expect(auth.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });
});
