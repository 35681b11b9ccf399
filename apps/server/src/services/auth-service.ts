import { createSecretKey } from 'node:crypto';
import {
  AccessTokenClaimsSchema,
  type CreateSessionResponse,
  LIMITS,
  type User,
} from '@chatter/protocol';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../utils/errors.js';
import { newGuestId } from '../utils/ids.js';

/** Who a verified token speaks for, and what it allows. */
export interface AuthUser extends User {
  /** When present, the only rooms this user may use. Shared between requests: never modify. */
  rooms: ReadonlySet<string> | undefined;
  /** When the token stops being valid, in milliseconds since the epoch. */
  expiresAtMs: number;
  /** A guest session this server issued, not a user of an app that signs its own tokens. */
  guest: boolean;
}

export interface AuthService {
  verify(token: string): Promise<AuthUser>;
  issueGuestSession(name: string): Promise<CreateSessionResponse>;
  /** Signs a token and verifies it, for /readyz: resolves while tokens can be verified. */
  selfCheck(): Promise<void>;
}

// How many verified tokens are remembered, and the longest one worth remembering (a token with
// a huge claim is verified every time rather than kept).
const VERIFIED_TOKENS_KEPT = 10_000;
const CACHED_TOKEN_MAX_LENGTH = 2048;

// Pinned so a token cannot pick its own algorithm ("none", or RS256 with our secret as a key).
const ALGORITHMS = ['HS256'];

// How far ahead of our clock a token's `iat` may be: the clocks of the app backends that mint
// tokens drift a little.
const CLOCK_SKEW_SECONDS = 60;

/**
 * Refuses a token that lives longer than `maxTtlSeconds`: counted from `iat` when the token has
 * one, else from now. So no token is everlasting, whatever its `exp`, and every `exp` accepted
 * is a date (an `exp` of 1e15 seconds is not).
 */
const checkLifetime = (
  { exp, iat }: { exp: number; iat?: unknown },
  maxTtlSeconds: number,
): void => {
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = typeof iat === 'number' ? iat : undefined;
  if (issuedAt !== undefined && issuedAt > now + CLOCK_SKEW_SECONDS) {
    throw new AppError('UNAUTHORIZED', 'Token is not valid: it was issued in the future (iat)');
  }
  const lifetime = exp - (issuedAt ?? now);
  if (lifetime > maxTtlSeconds) {
    throw new AppError(
      'UNAUTHORIZED',
      `Token lives too long: ${issuedAt === undefined ? 'exp is' : 'exp − iat is'} ${lifetime} seconds, and this server accepts at most ${maxTtlSeconds} (CHATTER_MAX_TOKEN_TTL)`,
      { maxTokenTtlSeconds: maxTtlSeconds },
    );
  }
};

export const createAuthService = ({
  secret,
  sessionTtlSeconds,
  maxTokenTtlSeconds,
}: {
  secret: string;
  sessionTtlSeconds: number;
  /** The longest lifetime a token may have (CHATTER_MAX_TOKEN_TTL). */
  maxTokenTtlSeconds: number;
}): AuthService => {
  // A KeyObject, made once: given raw bytes, jose imports a WebCrypto key on every call (13% of
  // a REST history request's CPU).
  const key = createSecretKey(Buffer.from(secret, 'utf8'));

  // Verified tokens, so a client's every REST call and reconnection does not redo the HMAC and
  // the claims parsing. A token's claims never change and the secret is fixed for the process,
  // so an entry stays true until the token expires; the oldest entries go first past the limit.
  const verified = new Map<string, AuthUser>();

  const verifyUncached = async (token: string): Promise<AuthUser> => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ALGORITHMS,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      const message =
        error instanceof joseErrors.JWTExpired ? 'Token has expired' : 'Token is not valid';
      throw new AppError('UNAUTHORIZED', message, undefined, { cause: error });
    }
    const claims = AccessTokenClaimsSchema.safeParse(payload);
    if (!claims.success) {
      throw new AppError('UNAUTHORIZED', 'Token claims are not valid (need sub, name and exp)');
    }
    checkLifetime(
      { exp: claims.data.exp, iat: (payload as { iat?: unknown }).iat },
      maxTokenTtlSeconds,
    );
    return {
      id: claims.data.sub,
      name: claims.data.name,
      rooms: claims.data.rooms ? new Set(claims.data.rooms) : undefined,
      expiresAtMs: claims.data.exp * 1000,
      guest: claims.data.guest === true,
    };
  };

  return {
    async verify(token) {
      // Checked before anything else: a token this long is not worth decoding.
      if (token.length > LIMITS.maxTokenLength) {
        throw new AppError(
          'UNAUTHORIZED',
          `Token is too large: ${token.length} characters, and at most ${LIMITS.maxTokenLength} are accepted`,
          { maxTokenLength: LIMITS.maxTokenLength },
        );
      }
      const known = verified.get(token);
      if (known && known.expiresAtMs > Date.now()) return known;
      verified.delete(token);
      const user = await verifyUncached(token);
      if (token.length > CACHED_TOKEN_MAX_LENGTH) return user;
      if (verified.size >= VERIFIED_TOKENS_KEPT) {
        const oldest = verified.keys().next();
        if (!oldest.done) verified.delete(oldest.value);
      }
      verified.set(token, user);
      return user;
    },

    async issueGuestSession(name) {
      const user: User = { id: newGuestId(), name };
      const expiresAtSeconds = Math.floor(Date.now() / 1000) + sessionTtlSeconds;
      const token = await new SignJWT({ name: user.name, guest: true })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuedAt()
        .setExpirationTime(expiresAtSeconds)
        .sign(key);
      return { token, user, expiresAt: new Date(expiresAtSeconds * 1000).toISOString() };
    },

    async selfCheck() {
      const token = await new SignJWT({ name: 'Readiness check' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('readiness-check')
        .setIssuedAt()
        .setExpirationTime('1 minute')
        .sign(key);
      await verifyUncached(token);
    },
  };
};

/** Pulls the token out of an `Authorization: Bearer <token>` header. */
export const bearerToken = (header: string | undefined): string => {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match?.[1]) {
    throw new AppError('UNAUTHORIZED', 'Send a token as "Authorization: Bearer <token>"');
  }
  return match[1];
};
